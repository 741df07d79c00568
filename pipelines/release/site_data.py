"""What the release site shows, read from the release's tables (by unqualified name).

`site.py` calls these once per build and shapes their rows into pages. Everything optional
in a release is looked up before it is read: the statistical neighbours' columns of
`caa_area_performance` and the tables `bridge_comparator_area` / `dim_comparator_group`,
the tile positions of `dim_area` (`tile_col`, `tile_row`) that the map needs. A release
without them gives a site without those parts.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

import duckdb

from . import pages
from .release import DEMO_NOTE

AREA_CODE = re.compile(r"E\d{8}")
NEIGHBOUR_COLUMNS = (
    "neighbours_value",
    "neighbours_ci_lower_95",
    "neighbours_ci_upper_95",
    "neighbours_reporting",
    "neighbours_rank",
    "neighbours_ranked",
    "neighbours_comparison",
)
AREAS_SQL = """
with published as (
    select area_code, min(area_name) as area_name, min(region_code) as region_code
    from caa_area_performance
    group by area_code
)
select
    p.area_code,
    p.area_name,
    a.area_type,
    coalesce(a.region_code, p.region_code) as region_code,
    coalesce(a.region, 'Region not known') as region_name
from published as p
left join dim_area as a on a.area_code = p.area_code
order by region_code nulls last, region_name, p.area_name, p.area_code
"""
INDICATORS_SQL = """
select
    ni_code, ni_number, title, coalesce(theme, 'No theme') as theme, polarity, unit,
    period_type, aggregation, collection, value_type, ci_method
from dim_indicator
order by ni_number, ni_code
"""
PERIODS_SQL = """
select
    period_id, label, coalesce(start_date, end_date) as start_date, end_date, sort_key,
    financial_year
from dim_period
"""
# The area pages: each area's latest period of each indicator, all its figures.
LATEST_SQL = """
with targets as (
    select area_code, ni_code, period_id, bool_or(is_illustrative) as is_illustrative
    from fct_laa_target_progress
    group by area_code, ni_code, period_id
)
select
    c.area_code, c.ni_code, c.period_id, c.value, c.england_value, c.region_value,
    c.quartile, c.rank, c.areas_ranked, c.previous_period_id, c.previous_value,
    c.direction_of_travel, c.target_value, c.target_status,
    coalesce(t.is_illustrative, false) as is_illustrative,
    c.ci_lower_95, c.ci_upper_95, c.ci_note, c.england_comparison,
    c.recent_trend, c.recent_trend_direction, c.recent_trend_note,
    {neighbours}
from caa_area_performance as c
left join targets as t
    on t.area_code = c.area_code and t.ni_code = c.ni_code and t.period_id = c.period_id
where c.is_latest_period
order by c.area_code, c.ni_code
"""
# The league tables and the area pages' trend charts: every period's value of every area,
# with only the figures those show.
VALUES_SQL = """
select
    area_code, ni_code, period_id, value, england_value, quartile, rank, areas_ranked,
    previous_period_id, previous_value, direction_of_travel, ci_lower_95, ci_upper_95,
    ci_note, england_comparison
from caa_area_performance
order by ni_code, period_id, area_code
"""
GROUPS_SQL = """
select
    group_type, group_code, group_name, ni_code, period_id, value, areas_reporting,
    areas_expected, median_area_value, ci_lower_95, ci_upper_95, ci_note, england_comparison,
    recent_trend, recent_trend_direction, recent_trend_note
from fct_group_values
order by ni_code, period_id, group_type, group_name, group_code
"""
MAA_MEMBERS_SQL = """
select distinct b.area_code, m.maa_name
from bridge_maa_area as b
inner join dim_maa as m on m.maa_code = b.maa_code
order by b.area_code, m.maa_name
"""
TILES_SQL = """
select area_code, area_name, coalesce(region, 'Region not known') as region_name,
    tile_col, tile_row, valid_from_period, valid_to_period
from dim_area
where tile_col is not null and tile_row is not null
order by area_code
"""
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, map(clean, row), strict=True)) for row in cursor.fetchall()]


def clean(value: Any) -> Any:
    """NaN (from a Parquet or pandas round trip) is no value, like NULL."""
    return None if isinstance(value, float) and math.isnan(value) else value


def columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The columns of a release table; empty when the release has no such table."""
    found = con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]
    ).fetchall()
    return {name for (name,) in found}


# The banner of every page but the index on a site of demo data (the index's note also
# counts the invented values, which would change every page with every release).
DEMO_BANNER = DEMO_NOTE


def release_date(as_of: str) -> str:
    """A release's embargo date in words: '2026-11-30' -> '30 November 2026' (no locale)."""
    try:
        day = date.fromisoformat(str(as_of)[:10])
    except ValueError:
        return str(as_of)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def has_neighbours(con: duckdb.DuckDBPyConnection) -> bool:
    return set(NEIGHBOUR_COLUMNS) <= columns(con, "caa_area_performance")


def latest_rows(con, indicators: Mapping[str, dict], labels: Mapping[str, str]) -> list[dict]:
    """Each area's latest row of each indicator with a page, periods labelled."""
    neighbours = ", ".join(
        f"c.{name}" if has_neighbours(con) else f"null as {name}" for name in NEIGHBOUR_COLUMNS
    )
    rows = []
    for row in records(con, LATEST_SQL.format(neighbours=neighbours)):
        if row["ni_code"] in indicators:
            row["period_label"] = labels.get(row["period_id"])
            row["previous_label"] = labels.get(row["previous_period_id"])
            rows.append(row)
    return rows


def league_rows(con, indicators, known, labels) -> list[pages.LeagueRow]:
    """Every period's row of each area with a page and indicator with a page, as tuples (the
    demo's 130,000 rows are held till every page is drawn)."""
    cursor = con.execute(VALUES_SQL)
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(names, map(clean, values), strict=True))
        area, indicator = known.get(row["area_code"]), indicators.get(row["ni_code"])
        if area is not None and indicator is not None:
            rows.append(
                pages.LeagueRow(
                    **row,
                    period_label=labels.get(row["period_id"]),
                    previous_label=labels.get(row["previous_period_id"]),
                    polarity=indicator["polarity"],
                    area_name=area["area_name"],
                    region_name=area["region_name"],
                )
            )
    return rows


def groups(con) -> dict[tuple[str, str], list[dict]]:
    """England, region and MAA values by (ni_code, period_id)."""
    found = defaultdict(list)
    for g in records(con, GROUPS_SQL):
        found[g["ni_code"], g["period_id"]].append(g)
    return found


def maa_names(con) -> dict[str, list[str]]:
    found = defaultdict(list)
    for m in records(con, MAA_MEMBERS_SQL):
        found[m["area_code"]].append(m["maa_name"])
    return found


def neighbours(con, known: Mapping[str, dict]) -> dict[str, list[dict]]:
    """Each area's statistical neighbours with a page, nearest first: {area_code: [area]}.

    From the release's `dim_comparator_group` (the group of type `neighbours` whose
    `neighbours_of` is the area) and `bridge_comparator_area` (its members, by `rank`);
    none when the release has not got them.
    """
    if not {"group_code", "area_code", "rank"} <= columns(con, "bridge_comparator_area"):
        return {}
    if not {"group_code", "group_type", "neighbours_of"} <= columns(con, "dim_comparator_group"):
        return {}
    sql = """
        select g.neighbours_of as area_code, b.area_code as neighbour_code
        from dim_comparator_group as g
        inner join bridge_comparator_area as b on b.group_code = g.group_code
        where g.group_type = 'neighbours'
        order by g.neighbours_of, b.rank nulls last, b.area_code
    """
    found = defaultdict(list)
    for row in records(con, sql):
        neighbour = known.get(row["neighbour_code"])
        if neighbour is not None and row["neighbour_code"] != row["area_code"]:
            found[row["area_code"]].append(neighbour)
    return found


def ni153_counts(con) -> dict[str, dict]:
    """Each area's NI 153 neighbourhoods: {area_code: {lsoas, qualifying_lsoas,
    no_ni153_reason}}; none when the release has not got them (or no feed was loaded)."""
    if not {"area_code", "lsoas", "qualifying_lsoas"} <= columns(con, "ni153_area_neighbourhoods"):
        return {}
    return {
        r["area_code"]: r
        for r in records(
            con,
            "select area_code, lsoas, qualifying_lsoas, no_ni153_reason "
            "from ni153_area_neighbourhoods",
        )
    }


def tiles(con) -> list[dict]:
    """Every area with a tile on the map (`dim_area.tile_col`, `tile_row`), with the years it
    existed; none when the release's dim_area has no tile positions."""
    if not {"tile_col", "tile_row"} <= columns(con, "dim_area"):
        return []
    return [
        t
        for t in records(con, TILES_SQL)
        if AREA_CODE.fullmatch(t["area_code"] or "")
        and isinstance(t["tile_col"], int | float)
        and isinstance(t["tile_row"], int | float)
    ]


def exists_in(area: Mapping[str, Any], financial_year: str | None) -> bool:
    """Whether an area existed in a period, by the period's reporting year (docs/warehouse.md)."""
    if financial_year is None:
        return True
    start, end = area.get("valid_from_period"), area.get("valid_to_period")
    return (start is None or start <= financial_year) and (end is None or financial_year <= end)


def middle(start: date, end: date) -> float:
    """A period's middle as a decimal year, where the trend charts draw its value."""
    half = start + (end - start) / 2
    days = 366 if calendar.isleap(half.year) else 365
    return round(half.year + (half.timetuple().tm_yday - 1) / days, 4)


def trends(
    periods: dict[str, dict],
    league: list[pages.LeagueRow],
    group_values: Mapping[tuple[str, str], list[dict]],
) -> tuple[dict[tuple[str, str], list[tuple]], tuple[int, int]]:
    """Every period of each (area, indicator), oldest first, as the trend charts draw them:
    (period label, x, value, England value, lower, upper) with x the middle of the period as
    a decimal year, the 95 % interval's limits, and England's value from the England row of
    `fct_group_values` when the area's row has none, for every period of the indicator that
    England has a value for (so England's line runs through periods the area missed); and
    the years every chart spans."""
    x_of = {
        period_id: middle(p["start_date"], p["end_date"])
        for period_id, p in periods.items()
        if p["end_date"] is not None
    }

    def order(period_id: str) -> tuple:
        p = periods[period_id]
        return (p["end_date"], p["sort_key"] is None, p["sort_key"] or 0, period_id)

    england: dict[str, dict[str, float]] = defaultdict(dict)
    for (ni_code, period_id), rows in group_values.items():
        for g in rows:
            if g["group_type"] == "england" and g["value"] is not None and period_id in x_of:
                england[ni_code][period_id] = g["value"]
    points: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for row in league:
        if row.period_id in x_of and row.value is not None:
            value_of_england = row.england_value
            if value_of_england is None:
                value_of_england = england[row.ni_code].get(row.period_id)
            points[row.area_code, row.ni_code][row.period_id] = (
                row.value,
                value_of_england,
                row.ci_lower_95,
                row.ci_upper_95,
            )
    found = {}
    for (area_code, ni_code), by_period in points.items():
        series = []
        for period_id in sorted(set(by_period) | set(england[ni_code]), key=order):
            value, england_value, lower, upper = by_period.get(
                period_id, (None, england[ni_code].get(period_id), None, None)
            )
            label = periods[period_id]["label"] or period_id
            series.append((label, x_of[period_id], value, england_value, lower, upper))
        found[area_code, ni_code] = series
    xs = [x_of[row.period_id] for row in league if row.period_id in x_of]
    x_domain = (math.floor(min(xs)), math.ceil(max(xs))) if xs else (2007, 2012)
    if x_domain[1] == x_domain[0]:
        x_domain = (x_domain[0], x_domain[0] + 1)
    return found, x_domain

"""The offline site of a release: `<release>/site/`, static HTML readable straight from disk.

`build_site` reads the release's publishable tables (by unqualified name) once, hands each
page's plain data to `pages.render_page` and writes:

    index.html                  the release, its files, every area and indicator
    areas/<area_code>.html      an area's latest values by theme (each with its 95 % interval,
                                comparison with England and recent trend), with trend charts
    indicators/ni-<n>.html      an indicator's England, region, MAA values and league table
                                for every period, newest first, a section each

`caa_area_performance` has a row for every period in which an area has a value; the area
pages read only each area's latest (`is_latest_period`), the league tables and trend charts
every period's, with only the figures they show. File names come only from codes that pass
validation (`E` + 8 digits, an integer NI number); the same data gives byte-identical files.
Drawing the charts is the cost (~0.2 s an area page), so a large site is drawn by worker
processes, one per CPU: the whole demo warehouse (152 areas, 198 indicators) took ~21 s on 2
free cores with the latest period's league tables; those of every period (130,000 rows in all)
add ~10 s of CPU, ~8 % of the build (bench/bench_site.py). The workers are spawned, so a
script that calls `build_site` needs the usual `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import calendar
import math
import multiprocessing
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb

from . import pages

AREA_CODE = re.compile(r"E\d{8}")
PERIOD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a section's id on an indicator page
PARALLEL_FROM_PAGES = 40  # below this, starting worker processes costs more than it saves
PROGRESS_EVERY = 50

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
select period_id, label, coalesce(start_date, end_date) as start_date, end_date, sort_key
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
    c.recent_trend, c.recent_trend_direction, c.recent_trend_note
from caa_area_performance as c
left join targets as t
    on t.area_code = c.area_code and t.ni_code = c.ni_code and t.period_id = c.period_id
where c.is_latest_period
order by c.area_code, c.ni_code
"""
# The indicator pages' league tables and the area pages' trend charts: every period's value
# of every area, with only the figures those show.
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


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _latest_rows(con, indicators: Mapping[str, dict], labels: Mapping[str, str]) -> list[dict]:
    """Each area's latest row of each indicator with a page: NaN as None, periods labelled."""
    rows = []
    for row in _records(con, LATEST_SQL):
        if row["ni_code"] in indicators:
            row = {k: _clean(v) for k, v in row.items()}
            row["period_label"] = labels.get(row["period_id"])
            row["previous_label"] = labels.get(row["previous_period_id"])
            rows.append(row)
    return rows


def _league_rows(con, indicators, known, labels) -> list[pages.LeagueRow]:
    """Every period's row of each area with a page and indicator with a page, as tuples (the
    demo's 130,000 rows are held till every page is drawn)."""
    cursor = con.execute(VALUES_SQL)
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(names, map(_clean, values), strict=True))
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


def _clean(value: Any) -> Any:
    """NaN (from a Parquet or pandas round trip) is no value, like NULL."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _middle(start: date, end: date) -> float:
    """A period's middle as a decimal year, where the trend charts draw its value."""
    middle = start + (end - start) / 2
    days = 366 if calendar.isleap(middle.year) else 365
    return round(middle.year + (middle.timetuple().tm_yday - 1) / days, 4)


def build_site(
    con: duckdb.DuckDBPyConnection,
    site_dir: Path,
    release: Mapping[str, str],
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write the offline site of one release into site_dir; return the number of pages.

    `workers`: processes drawing pages; None means one per CPU (up to 4) for a large site.
    """
    say = progress or (lambda message: None)
    meta = {k: str(release[k]) for k in ("release_id", "created", "as_of", "source_load")}
    meta["demo_note"] = str(release.get("demo_note") or "")  # if any, a banner on every page
    areas = [a for a in _records(con, AREAS_SQL) if AREA_CODE.fullmatch(a["area_code"] or "")]
    skipped = len(_records(con, "select distinct area_code from caa_area_performance")) - len(areas)
    if skipped:
        say(f"site: {skipped} area code(s) are not E + 8 digits: no page for them")
    indicators, numbers = {}, set()
    for i in _records(con, INDICATORS_SQL):
        if isinstance(i["ni_number"], int) and i["ni_number"] not in numbers:
            indicators[i["ni_code"]] = i
            numbers.add(i["ni_number"])
        else:
            say(f"site: {i['ni_code']!r} has no NI number of its own: no page for it")
    periods = {p["period_id"]: p for p in _records(con, PERIODS_SQL)}
    labels = {period_id: p["label"] for period_id, p in periods.items()}
    league = _league_rows(con, indicators, {a["area_code"]: a for a in areas}, labels)
    jobs = _area_jobs(
        con, meta, areas, indicators, periods, _latest_rows(con, indicators, labels), league
    )
    jobs += _indicator_jobs(con, meta, indicators, periods, league)
    published = {job[2]["indicator"]["ni_code"] for job in jobs if job[0] == "indicator"}

    site_dir = Path(site_dir)
    for folder in ("areas", "indicators"):
        (site_dir / folder).mkdir(parents=True, exist_ok=True)
        for stale in (site_dir / folder).glob("*.html"):
            stale.unlink()
    by_theme = sorted(indicators.values(), key=lambda i: (i["theme"], i["ni_number"]))
    _write(site_dir / "index.html", pages.index_page(meta, areas, by_theme, published))
    count = 1
    for path, text in zip((site_dir / job[1] for job in jobs), _render(jobs, workers), strict=True):
        _write(path, text)
        count += 1
        if count % PROGRESS_EVERY == 0 or count == len(jobs) + 1:
            say(f"site: {count} of {len(jobs) + 1} pages written")
    return count


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _render(jobs: list[tuple[str, str, dict]], workers: int | None) -> Iterator[str]:
    work = [(kind, payload) for kind, _, payload in jobs]
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(jobs) >= PARALLEL_FROM_PAGES else 1
    if workers <= 1:
        yield from map(pages.render_page, work)
        return
    # spawn, not fork: vl-convert runs threads that a forked child would inherit half-alive.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(pages.render_page, work, chunksize=2)


def _trends(
    periods: dict[str, dict], league: list[pages.LeagueRow]
) -> tuple[dict[tuple[str, str], list[tuple]], tuple[int, int]]:
    """Every period's value of each (area, indicator), oldest first, as the trend charts draw
    them: (period label, x, value, England value), x the middle of the period as a decimal
    year; and the years every chart spans."""
    x_of = {
        period_id: _middle(p["start_date"], p["end_date"])
        for period_id, p in periods.items()
        if p["end_date"] is not None
    }
    dated: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in league:
        x = x_of.get(row.period_id)
        if x is not None and row.value is not None:
            p = periods[row.period_id]
            order = (p["end_date"], p["sort_key"] is None, p["sort_key"] or 0, row.period_id)
            point = (p["label"], x, row.value, row.england_value)
            dated[row.area_code, row.ni_code].append((order, point))
    trends = {key: [point for _, point in sorted(series)] for key, series in dated.items()}
    xs = [x_of[row.period_id] for row in league if row.period_id in x_of]
    x_domain = (math.floor(min(xs)), math.ceil(max(xs))) if xs else (2007, 2012)
    if x_domain[1] == x_domain[0]:
        x_domain = (x_domain[0], x_domain[0] + 1)
    return trends, x_domain


def _area_jobs(
    con, meta, areas, indicators, periods, latest, league
) -> list[tuple[str, str, dict]]:
    rows_by_area = defaultdict(list)
    for row in latest:
        rows_by_area[row["area_code"]].append({**indicators[row["ni_code"]], **row})
    trends, x_domain = _trends(periods, league)
    maas = defaultdict(list)
    for m in _records(con, MAA_MEMBERS_SQL):
        maas[m["area_code"]].append(m["maa_name"])
    jobs = []
    for area in areas:
        code = area["area_code"]
        rows = sorted(rows_by_area[code], key=lambda r: (r["theme"], r["ni_number"]))
        for r in rows:
            r["trend"] = trends.get((code, r["ni_code"]), [])
        themes = [
            {"theme": theme, "rows": list(group)}
            for theme, group in groupby(rows, key=lambda r: r["theme"])
        ]
        payload = {
            "release": meta,
            "area": {**area, "maas": maas[code]},
            "themes": themes,
            "indicator_count": len(rows),
            "x_domain": x_domain,
        }
        jobs.append(("area", f"areas/{code}.html", payload))
    return jobs


def _league_order(r: pages.LeagueRow) -> tuple:
    """Best first by rank; unranked areas (no polarity) by value, highest first."""
    tie = (r.area_name, r.area_code)
    if r.rank is not None:
        return (0, r.rank, *tie)
    return (1, -r.value if r.value is not None else math.inf, *tie)


def _anchors(period_ids: list[str]) -> list[str]:
    """An HTML id for each period's section: `period-<period_id>` when the id is safe."""
    anchors: list[str] = []
    for index, period_id in enumerate(period_ids, 1):
        anchor = f"period-{period_id}" if PERIOD_ID.fullmatch(period_id or "") else ""
        if not anchor or anchor in anchors:
            anchor = f"period-{index}"
        while anchor in anchors:
            anchor += "-"
        anchors.append(anchor)
    return anchors


def _indicator_jobs(con, meta, indicators, periods, league) -> list[tuple[str, str, dict]]:
    by_indicator: dict[str, dict[str, list[pages.LeagueRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in league:
        by_indicator[row.ni_code][row.period_id].append(row)
    groups = defaultdict(list)
    for g in _records(con, GROUPS_SQL):
        groups[g["ni_code"], g["period_id"]].append({k: _clean(v) for k, v in g.items()})

    def newest_first(period_id: str) -> tuple:
        p = periods.get(period_id) or {}
        return (p.get("end_date") or date.min, p.get("sort_key") or 0, period_id)

    jobs = []
    for ni_code, indicator in indicators.items():
        by_period = by_indicator.get(ni_code)
        if not by_period:
            continue
        period_ids = sorted(by_period, key=newest_first, reverse=True)
        sections = []
        for period_id, anchor in zip(period_ids, _anchors(period_ids), strict=True):
            group_rows = groups[ni_code, period_id]
            sections.append(
                {
                    "period_id": period_id,
                    "label": (periods.get(period_id) or {}).get("label") or period_id,
                    "anchor": anchor,
                    "england": next((g for g in group_rows if g["group_type"] == "england"), None),
                    "regions": [g for g in group_rows if g["group_type"] == "region"],
                    "maas": [g for g in group_rows if g["group_type"] == "maa"],
                    "league": sorted(by_period[period_id], key=_league_order),
                }
            )
        # Areas with no value for the latest period: where their latest value is.
        seen = {r.area_code for r in sections[0]["league"]}
        elsewhere = []
        for section in sections[1:]:
            for r in section["league"]:
                if r.area_code not in seen:
                    seen.add(r.area_code)
                    elsewhere.append(
                        {
                            "area_code": r.area_code,
                            "area_name": r.area_name,
                            "label": section["label"],
                            "anchor": section["anchor"],
                        }
                    )
        payload = {
            "release": meta,
            "indicator": indicator,
            "periods": sections,
            "elsewhere": elsewhere,
        }
        jobs.append(("indicator", f"indicators/ni-{indicator['ni_number']}.html", payload))
    return jobs

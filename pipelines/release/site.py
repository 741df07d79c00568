"""The offline site of a release: `<release>/site/`, static HTML readable straight from disk.

`build_site` reads the release's publishable tables (by unqualified name) once, hands each
page's plain data to `pages.render_page` and writes:

    index.html                  the release, its files, every area and indicator
    areas/<area_code>.html      an area's latest values by theme, with trend charts
    indicators/ni-<n>.html      an indicator's England, region, MAA values and league table

File names come only from codes that pass validation (`E` + 8 digits, an integer NI number);
the same data gives byte-identical files. Drawing the charts is the cost (~0.2 s an area page),
so a large site is drawn by worker processes, one per CPU: the whole demo warehouse (152 areas,
198 indicators) takes ~21 s on 2 cores (bench/bench_site.py). The workers are spawned, so a
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
    period_type, aggregation, collection
from dim_indicator
order by ni_number, ni_code
"""
PERFORMANCE_SQL = """
with targets as (
    select area_code, ni_code, period_id, bool_or(is_illustrative) as is_illustrative
    from fct_laa_target_progress
    group by area_code, ni_code, period_id
)
select
    c.area_code, c.area_name, c.ni_code, c.period_id, p.label as period_label,
    p.end_date, p.sort_key, c.value, c.england_value, c.region_value, c.region_code,
    c.quartile, c.rank, c.areas_ranked, c.previous_period_id, pp.label as previous_label,
    c.previous_value, c.direction_of_travel, c.target_value, c.target_status,
    coalesce(t.is_illustrative, false) as is_illustrative
from caa_area_performance as c
left join dim_period as p on p.period_id = c.period_id
left join dim_period as pp on pp.period_id = c.previous_period_id
left join targets as t
    on t.area_code = c.area_code and t.ni_code = c.ni_code and t.period_id = c.period_id
order by c.area_code, c.ni_code
"""
# Every published value of each (area, indicator) shown, with England for the same period.
TRENDS_SQL = """
select
    f.area_code,
    f.ni_code,
    p.label,
    coalesce(p.start_date, p.end_date) as start_date,
    p.end_date,
    f.value,
    e.value as england_value
from fct_indicator_values as f
inner join dim_period as p on p.period_id = f.period_id
left join fct_group_values as e
    on e.group_type = 'england' and e.ni_code = f.ni_code and e.period_id = f.period_id
where p.end_date is not null and exists (
    select 1 from caa_area_performance as c
    where c.area_code = f.area_code and c.ni_code = f.ni_code
)
order by f.area_code, f.ni_code, p.end_date, p.sort_key, f.period_id
"""
GROUPS_SQL = """
select
    group_type, group_code, group_name, ni_code, period_id, value, areas_reporting,
    areas_expected, median_area_value
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
    performance = [
        {k: _clean(v) for k, v in row.items()}
        for row in _records(con, PERFORMANCE_SQL)
        if row["ni_code"] in indicators
    ]
    jobs = _area_jobs(con, meta, areas, indicators, performance)
    jobs += _indicator_jobs(con, meta, areas, indicators, performance)
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


def _area_jobs(con, meta, areas, indicators, performance) -> list[tuple[str, str, dict]]:
    rows_by_area = defaultdict(list)
    for row in performance:
        rows_by_area[row["area_code"]].append({**indicators[row["ni_code"]], **row})
    trends: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for t in _records(con, TRENDS_SQL):
        x = _middle(t["start_date"], t["end_date"])
        trends[t["area_code"], t["ni_code"]].append(
            (t["label"], x, _clean(t["value"]), _clean(t["england_value"]))
        )
    xs = [x for series in trends.values() for _, x, _, _ in series]
    x_domain = (math.floor(min(xs)), math.ceil(max(xs))) if xs else (2007, 2012)
    if x_domain[1] == x_domain[0]:
        x_domain = (x_domain[0], x_domain[0] + 1)
    maas = defaultdict(list)
    for m in _records(con, MAA_MEMBERS_SQL):
        maas[m["area_code"]].append(m["maa_name"])
    jobs = []
    for area in areas:
        code = area["area_code"]
        rows = sorted(rows_by_area[code], key=lambda r: (r["theme"], r["ni_number"]))
        for r in rows:
            r["trend"] = [s for s in trends[code, r["ni_code"]] if s[2] is not None]
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


def _indicator_jobs(con, meta, areas, indicators, performance) -> list[tuple[str, str, dict]]:
    known = {a["area_code"]: a for a in areas}
    by_indicator = defaultdict(list)
    for row in performance:
        area = known.get(row["area_code"])
        if area is not None:
            by_indicator[row["ni_code"]].append(
                {
                    **row,
                    "polarity": indicators[row["ni_code"]]["polarity"],
                    "region_name": area["region_name"],
                    "area_name": area["area_name"],
                }
            )
    groups = defaultdict(list)
    for g in _records(con, GROUPS_SQL):
        groups[g["ni_code"], g["period_id"]].append({k: _clean(v) for k, v in g.items()})
    jobs = []
    for ni_code, indicator in indicators.items():
        rows = by_indicator.get(ni_code)
        if not rows:
            continue
        latest = max(rows, key=lambda r: (r["end_date"] or date.min, r["sort_key"] or 0))
        period = latest["period_id"]
        group_rows = groups[ni_code, period]
        current = [r for r in rows if r["period_id"] == period]
        earlier = [r for r in rows if r["period_id"] != period]

        def league_order(r: dict) -> tuple:
            tie = (r["area_name"], r["area_code"])
            if r["rank"] is not None:
                return (0, r["rank"], *tie)
            return (1, -r["value"] if r["value"] is not None else math.inf, *tie)

        payload = {
            "release": meta,
            "indicator": indicator,
            "period_id": period,
            "period_label": latest["period_label"] or period,
            "england": next((g for g in group_rows if g["group_type"] == "england"), None),
            "regions": [g for g in group_rows if g["group_type"] == "region"],
            "maas": [g for g in group_rows if g["group_type"] == "maa"],
            "league": sorted(current, key=league_order),
            "earlier": sorted(
                earlier, key=lambda r: (-(r["sort_key"] or 0), r["period_id"], *league_order(r))
            ),
        }
        jobs.append(("indicator", f"indicators/ni-{indicator['ni_number']}.html", payload))
    return jobs

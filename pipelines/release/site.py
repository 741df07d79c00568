"""The offline site of a release: `<release>/site/`, static HTML readable straight from disk.

`build_site` reads the release's publishable tables once (`site_data.py`), hands each job's
plain data to `pages.render_page` and writes what it draws:

    index.html                      search (by area name or code, indicator number or words),
                                    the release and its files, every area and indicator
    search-index.js, search.js      the search's index (a script that sets a global: pages
                                    opened from disk cannot fetch a JSON file) and its code
    sort.js                         makes the league tables' column headings sort buttons
    areas/<area_code>.html, .csv    an area's latest values by theme (95 % interval,
                                    comparison with England and with its statistical
                                    neighbours, recent trend), trend charts, its neighbours
    indicators/ni-<n>.html, .csv    the indicator: its definition, England's value in every
                                    period, a link to each period's league table
    indicators/ni-<n>/<period_id>.html, .csv, .groups.csv
                                    one period: every area ranked (a sortable table), England,
                                    regions and MAAs; the latest period also has the map (a
                                    tile per area, coloured by comparison with England) and
                                    the distribution of the areas' values

Each table has its CSV beside it, written from the same rows (`site_csv.py`), unrounded, with
formula cells neutralised like the release's data files. File names come only from codes
that pass validation (`E` + 8 digits, an integer NI number, a period id of letters, digits, -
and _); the same data gives byte-identical files. Drawing the charts is the cost, so a large
site is drawn by worker processes, one per CPU, a job per area and per indicator (with all
its periods). The demo warehouse (with its 2003-2008 back series: 1,423 pages, 3,918 files,
200 MB) took 111 s on a shared 2-core machine where the site before league pages, search,
maps and CSV files (353 pages, 125 MB) took 75 s: 1.48 times (bench/bench_site.py, run one
after the other); in CPU time ~1.3 to 1.6 times, most of it the trend charts' interval band
and values and the 200 maps. The workers are spawned, so a script that calls `build_site`
needs the usual `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import multiprocessing
import os
import pickle
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from importlib import resources
from itertools import groupby
from pathlib import Path

import duckdb

from . import pages, site_csv
from . import site_data as data

PERIOD_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,40}")  # a league page's file name
PARALLEL_FROM_JOBS = 40  # below this, starting worker processes costs more than it saves
PROGRESS_EVERY = 100
SCRIPTS = ("search.js", "sort.js")  # copied as they are from templates/


def build_site(
    con: duckdb.DuckDBPyConnection,
    site_dir: Path,
    release: Mapping[str, str],
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    previous_site: Path | None = None,
    chart_cache: Path | None = None,
) -> int:
    """Write the offline site of one release into site_dir; return the number of pages.

    `workers`: processes drawing pages; None means one per CPU (up to 4) for a large site.
    `previous_site`: the site of the release before; an area's or indicator's pages whose
    input is the same as there are carried over byte for byte instead of drawn again.
    `chart_cache`: where drawn charts are kept by their spec's digest (charts.py).
    """
    say = progress or (lambda message: None)
    meta = {k: str(release[k]) for k in ("release_id", "created", "as_of", "source_load")}
    meta["demo_note"] = str(release.get("demo_note") or "")  # on the index, with its count
    meta["date"] = data.release_date(meta["as_of"])
    # What the other pages say of the release: nothing that changes from one release to the
    # next (the index says which release it is), so an unchanged page can be carried over.
    page_meta = {"demo_note": data.DEMO_BANNER if meta["demo_note"] else ""}
    areas = [a for a in data.records(con, data.AREAS_SQL) if data.AREA_CODE.fullmatch(a["area_code"] or "")]  # fmt: skip
    skipped = len(data.records(con, "select distinct area_code from caa_area_performance"))
    if skipped - len(areas):
        say(f"site: {skipped - len(areas)} area code(s) are not E + 8 digits: no page for them")
    indicators, numbers = {}, set()
    for i in data.records(con, data.INDICATORS_SQL):
        if isinstance(i["ni_number"], int) and i["ni_number"] not in numbers:
            indicators[i["ni_code"]] = i
            numbers.add(i["ni_number"])
        else:
            say(f"site: {i['ni_code']!r} has no NI number of its own: no page for it")
    periods = {p["period_id"]: p for p in data.records(con, data.PERIODS_SQL)}
    labels = {period_id: p["label"] for period_id, p in periods.items()}
    known = {a["area_code"]: a for a in areas}
    league = data.league_rows(con, indicators, known, labels)
    group_values = data.groups(con)
    jobs = _area_jobs(con, page_meta, areas, indicators, periods, league, group_values)
    jobs += _indicator_jobs(con, page_meta, indicators, periods, league, group_values, known)
    published = {job[1]["indicator"]["ni_code"] for job in jobs if job[0] == "indicator"}

    site_dir = Path(site_dir)
    _clear(site_dir)
    by_theme = sorted(indicators.values(), key=lambda i: (i["theme"], i["ni_number"]))
    _write(site_dir / "index.html", pages.index_page(meta, areas, by_theme, published))
    _write(site_dir / "search-index.js", site_csv.search_index(areas, by_theme, published))
    for script in SCRIPTS:
        _write(site_dir / script, resources.files(__package__).joinpath("templates", script).read_text("utf-8"))  # fmt: skip
    digests = {job[1]["html"]: _job_digest(job) for job in jobs}
    before = _read_pages(previous_site)
    carried, to_draw = [], []
    for job in jobs:
        name = job[1]["html"]
        old = before.get(name)
        if old and old["digest"] == digests[name] and _carry(previous_site, site_dir, old):
            carried.append((name, old["files"]))
        else:
            to_draw.append(job)
    if previous_site is not None:
        say(f"site: {len(carried)} of {len(jobs)} areas and indicators unchanged since the "
            f"release before (carried over); {len(to_draw)} to draw")  # fmt: skip
    pages_written = {name: files for name, files in carried}
    count = 1 + sum(f.endswith(".html") for _, files in carried for f in files)
    started = time.time()
    for done, (name, files) in enumerate(_render(to_draw, workers, chart_cache), start=1):
        for relative, text in files:
            path = site_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, text)
            count += relative.endswith(".html")
        pages_written[name] = [relative for relative, _ in files]
        if done % PROGRESS_EVERY == 0 or done == len(to_draw):
            say(f"site: {done} of {len(to_draw)} areas and indicators drawn ({count} pages)")
    _write_pages(
        site_dir, {n: {"digest": digests[n], "files": f} for n, f in pages_written.items()}
    )
    if chart_cache is not None and chart_cache.is_dir():
        _prune_chart_cache(chart_cache, started)
    return count


PAGES_FILE = "pages.json"  # in the site: each area's and indicator's input digest and files


@functools.cache
def _code_digest() -> str:
    """Of what draws the pages: this package's code and templates, and the chart drawer."""
    from .charts import DRAWER

    digest = hashlib.sha256(DRAWER.encode())
    package = Path(__file__).parent
    for path in sorted([*package.glob("*.py"), *package.glob("templates/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _job_digest(job: tuple[str, dict]) -> str:
    """The digest of everything one job's pages are drawn from (its data and the code)."""
    return hashlib.sha256(_code_digest().encode() + pickle.dumps(job, protocol=5)).hexdigest()


def _read_pages(previous_site: Path | None) -> dict[str, dict]:
    if previous_site is None:
        return {}
    try:
        return json.loads((previous_site / PAGES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a site from before pages.json, or none: draw everything
        return {}


def _write_pages(site_dir: Path, pages_written: dict[str, dict]) -> None:
    text = json.dumps(dict(sorted(pages_written.items())), indent=1, sort_keys=True)
    _write(site_dir / PAGES_FILE, text + "\n")


def _carry(previous_site: Path | None, site_dir: Path, old: dict) -> bool:
    """Bring one job's files over from the release before (a hard link: releases are never
    written again; a copy where links cannot be made). False when any is missing there."""
    if previous_site is None:
        return False
    sources = [previous_site / relative for relative in old["files"]]
    if not all(source.is_file() for source in sources):
        return False
    for relative, source in zip(old["files"], sources, strict=True):
        target = site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return True


def _prune_chart_cache(folder: Path, started: float) -> None:
    """Drop the kept charts this build did not use (each used one was touched)."""
    for kept in folder.glob("*.svg"):
        if kept.stat().st_mtime < started - 1:
            kept.unlink(missing_ok=True)


def _clear(site_dir: Path) -> None:
    """Remove what an earlier build of this folder wrote (the same build writes it again)."""
    for folder in ("areas", "indicators"):
        if (site_dir / folder).is_dir():
            shutil.rmtree(site_dir / folder)
        (site_dir / folder).mkdir(parents=True)


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _render(
    jobs: list[tuple[str, dict]], workers: int | None, chart_cache: Path | None
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(job name, its files) for each job, drawn in this process or by worker processes."""
    from .charts import use_chart_cache

    names = [job[1]["html"] for job in jobs]
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(jobs) >= PARALLEL_FROM_JOBS else 1
    if workers <= 1:
        use_chart_cache(chart_cache)
        try:
            yield from zip(names, map(pages.render_page, jobs), strict=True)
        finally:
            use_chart_cache(None)
        return
    # spawn, not fork: vl-convert runs threads that a forked child would inherit half-alive.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=use_chart_cache,
        initargs=(chart_cache,),
    ) as pool:
        yield from zip(names, pool.map(pages.render_page, jobs, chunksize=1), strict=True)


def _area_jobs(con, meta, areas, indicators, periods, league, group_values) -> list:
    labels = {period_id: p["label"] for period_id, p in periods.items()}
    rows_by_area = defaultdict(list)
    for row in data.latest_rows(con, indicators, labels):
        rows_by_area[row["area_code"]].append({**indicators[row["ni_code"]], **row})
    trends, x_domain = data.trends(periods, league, group_values)
    maas = data.maa_names(con)
    neighbours = data.neighbours(con, {a["area_code"]: a for a in areas})
    with_neighbours = data.has_neighbours(con)
    ni153 = data.ni153_counts(con)
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
            "area": {
                **area,
                "maas": maas[code],
                "neighbours": neighbours.get(code, []),
                "ni153": ni153.get(code),
            },
            "themes": themes,
            "indicator_count": len(rows),
            "x_domain": x_domain,
            "with_neighbours": with_neighbours,
            "html": f"areas/{code}.html",
            "csv": f"areas/{code}.csv",
        }
        jobs.append(("area", payload))
    return jobs


def league_order(r: pages.LeagueRow) -> tuple:
    """Best first by rank; unranked areas (no polarity) by value, highest first."""
    tie = (r.area_name, r.area_code)
    if r.rank is not None:
        return (0, r.rank, *tie)
    return (1, -r.value if r.value is not None else math.inf, *tie)


def _period_files(period_ids: list[str]) -> list[str]:
    """A file name (without suffix) for each period's league page: its id when that is safe."""
    names: list[str] = []
    for index, period_id in enumerate(period_ids, 1):
        name = period_id if PERIOD_FILE.fullmatch(period_id or "") else f"period-{index}"
        while name.lower() in {n.lower() for n in names}:
            name += "_"
        names.append(name)
    return names


def _map_tiles(tiles: list[dict], period: Mapping, league: list) -> list[dict]:
    """The map's tiles for one period: every area that existed then (by dim_area's years: an
    area and its successor share a square), with its value if any."""
    by_area = {r.area_code: r for r in league}
    found, cells = [], set()
    # areas with a value first: should two areas of the period share a square (a gap in
    # dim_area's years), the one with a value keeps it
    for tile in sorted(tiles, key=lambda t: (t["area_code"] not in by_area, t["area_code"])):
        cell = (int(tile["tile_col"]), int(tile["tile_row"]))
        if not data.exists_in(tile, period.get("financial_year")) or cell in cells:
            continue
        cells.add(cell)
        row = by_area.get(tile["area_code"])
        found.append(
            {
                "area_code": tile["area_code"],
                "area_name": row.area_name if row else tile["area_name"],
                "region_name": row.region_name if row else tile["region_name"],
                "tile_col": int(tile["tile_col"]),
                "tile_row": int(tile["tile_row"]),
                "value": None if row is None else row.value,
                "row": row,
            }
        )
    return sorted(found, key=lambda t: t["area_code"])


def _indicator_jobs(con, meta, indicators, periods, league, group_values, known) -> list:
    by_indicator: dict[str, dict[str, list[pages.LeagueRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in league:
        by_indicator[row.ni_code][row.period_id].append(row)
    tiles = data.tiles(con)

    def newest_first(period_id: str) -> tuple:
        p = periods.get(period_id) or {}
        return (p.get("end_date") or date.min, p.get("sort_key") or 0, period_id)

    jobs = []
    for ni_code, indicator in indicators.items():
        by_period = by_indicator.get(ni_code)
        if not by_period:
            continue
        folder = f"indicators/ni-{indicator['ni_number']}"
        period_ids = sorted(by_period, key=newest_first, reverse=True)
        sections = []
        for period_id, name in zip(period_ids, _period_files(period_ids), strict=True):
            rows = group_values[ni_code, period_id]
            ranked = sorted(by_period[period_id], key=league_order)
            sections.append(
                {
                    "period_id": period_id,
                    "label": (periods.get(period_id) or {}).get("label") or period_id,
                    "file": name,
                    "html": f"{folder}/{name}.html",
                    "csv": f"{folder}/{name}.csv",
                    "groups_csv": f"{folder}/{name}.groups.csv",
                    "england": next((g for g in rows if g["group_type"] == "england"), None),
                    "regions": [g for g in rows if g["group_type"] == "region"],
                    "maas": [g for g in rows if g["group_type"] == "maa"],
                    "league": ranked,
                }
            )
        latest = sections[0]
        latest["tiles"] = _map_tiles(tiles, periods.get(latest["period_id"]) or {}, latest["league"])  # fmt: skip
        # Areas with no value for the latest period: where their latest value is.
        seen = {r.area_code for r in latest["league"]}
        elsewhere = []
        for section in sections[1:]:
            for r in section["league"]:
                if r.area_code not in seen:
                    seen.add(r.area_code)
                    elsewhere.append(
                        {"area_code": r.area_code, "area_name": r.area_name,
                         "label": section["label"], "file": section["file"]}
                    )  # fmt: skip
        payload = {
            "release": meta,
            "indicator": indicator,
            "periods": sections,
            "elsewhere": elsewhere,
            "html": f"{folder}.html",
            "csv": f"{folder}.csv",
            "folder": f"ni-{indicator['ni_number']}",
        }
        jobs.append(("indicator", payload))
    return jobs

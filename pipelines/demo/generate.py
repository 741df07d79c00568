"""Write a deterministic set of demo returns, as 150 authorities would have sent them.

For every area and live indicator, reporting years 2007/08 to 2010/11 are each sent twice: a
provisional round and a final round in which some values are revised. Files are CSV or XLSX
in each authority's house style (header spellings, encodings, number styles). Annual
indicators whose data existed before the NIS also get a back series, 2003/04 to 2006/07, sent
as a department would (pipelines/demo/back_series.py: which indicators is recalled, not
verified). The layout:

    <raw>/2008-09/round1_provisional/E08000016_barnsley_2008-09_r1.csv
    <raw>/2008-09/round2_final/E08000016_barnsley_2008-09_r2.xlsx
    <raw>/departmental/back_series_2003-04_to_2006-07_dcsf.csv   one file per department
    <raw>/faulty/...            deliberate faults, listed in the returned DemoSummary

so that lexical path order (the order of revisions within a load) puts each provisional
round before its final one, and every year before the faulty folder. The departmental files
hold only periods no other file holds, so where they sort does not matter.

Run it with `python -m pipelines.demo.generate [--out DIR] [--seed N] [--scale F]`.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.demo.back_series import BACK_SERIES_DIR, back_series_indicators, write_back_series
from pipelines.demo.faults import write_faulty_files
from pipelines.demo.marker import write_marker
from pipelines.demo.periods import fy_label
from pipelines.demo.reference import (
    REPORTING_YEARS,
    Area,
    Indicator,
    read_areas,
    read_indicators,
    select_areas,
)
from pipelines.demo.render import ReturnRow, encode_file, file_columns, header_cells, render_rows
from pipelines.demo.styles import house_style
from pipelines.demo.summary import DemoSummary, WrittenFile
from pipelines.demo.values import (
    SeriesPoint,
    area_profile,
    indicator_model,
    indicator_series,
    kind_of,
    rng_for,
)
from pipelines.feeds.contract import DERIVED_FROM_FEED
from pipelines.feeds.generate import DEMO_QUARTERS, FEED_DIR, generate_wpls_feed

ROUNDS: tuple[tuple[int, str], ...] = ((1, "provisional"), (2, "final"))
ROUND_NAMES = dict(ROUNDS)
FAULTY_DIR = "faulty"
GENERATED_DIRS = (*REPORTING_YEARS, BACK_SERIES_DIR, FAULTY_DIR)  # what `clean` removes

COMMENTS = (
    "Provisional, subject to validation",
    "Awaiting data from partner agency",
    "Estimate based on three quarters",
    'Includes "out of area" placements, see note',
    "Source: local case management system",
    "Figure agreed with Government Office",
)
ACCENTED_COMMENT = "café data"  # the character that makes a Windows-1252 file not UTF-8
UTF8_ONLY_COMMENT = "target ≥ 75% met"  # not representable in Windows-1252
REVISED_COMMENT = "Revised after validation"
LATE_COMMENT = "Late data: not in the provisional return"


def slug(name: str) -> str:
    """`Cheshire West and Chester` -> `cheshire-west-and-chester`."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def return_path(area: Area, reporting_year: str, round_no: int, file_format: str) -> str:
    """Where an area's return for a round lands, relative to the raw folder."""
    folder = f"{reporting_year}/round{round_no}_{ROUND_NAMES[round_no]}"
    return f"{folder}/{area.area_code}_{slug(area.area_name)}_{reporting_year}_r{round_no}" + (
        f".{file_format}"
    )


def _comment(point: SeriesPoint, final_round: bool, has_comment: bool, rng: random.Random) -> str:
    """Now and then an authority explains a figure."""
    if not has_comment:
        return ""
    if final_round and point.provisional is None:
        return LATE_COMMENT
    if final_round and point.final != point.provisional and rng.random() < 0.4:
        return REVISED_COMMENT
    if rng.random() < 0.03:
        return rng.choice(COMMENTS)
    return ""


def _write_area_year(
    raw_dir: Path,
    area: Area,
    reporting_year: str,
    points: list[tuple[Indicator, SeriesPoint, bool]],
    seed: int,
) -> list[WrittenFile]:
    """Both rounds of one area's return for one reporting year."""
    style = house_style(area, reporting_year, seed)
    written = []
    for round_no, round_name in ROUNDS:
        final_round = round_no == 2
        rng = rng_for(seed, "comments", area.area_code, reporting_year, round_no)
        rows = [
            ReturnRow(
                indicator,
                point.period,
                measurement,
                _comment(point, final_round, style.has_comment, rng),
                is_percent,
            )
            for indicator, point, is_percent in points
            if (measurement := point.final if final_round else point.provisional) is not None
        ]
        if not rows:
            continue
        if style.period_first:
            rows.sort(key=lambda r: (r.period.period_id, r.indicator.ni_number))
        if style.has_comment and rows[0].comment == "":
            # Windows-1252 files carry an accented character, so they are not valid UTF-8.
            special = ACCENTED_COMMENT if style.encoding == "cp1252" else None
            if special is None and rng.random() < 0.3:
                special = UTF8_ONLY_COMMENT if rng.random() < 0.5 else ACCENTED_COMMENT
            if special:
                rows[0] = rows[0]._replace(comment=special)
        with_ci = any(r.measurement.ci_lower is not None for r in rows)
        columns = file_columns(style, final_round=final_round, with_ci=with_ci)
        header = header_cells(style, columns)
        body = render_rows(style, columns, area, rows, final_round)
        titles = [
            "Local Area Agreement return",
            f"Area: {area.area_name}",
            f"Reporting year {fy_label(int(reporting_year[:4]))}, {round_name} return",
        ]
        content, encoding = encode_file(style, header, body, titles)
        path = return_path(area, reporting_year, round_no, style.file_format)
        (raw_dir / path).write_bytes(content)
        written.append(
            WrittenFile(
                path=path,
                file_format=style.file_format,
                encoding=None if encoding == "xlsx" else encoding,
                rows=len(body),
                expected_outcome="LOADED",
            )
        )
    return written


def generate_demo_returns(
    raw_dir: Path,
    seeds_dir: Path,
    *,
    seed: int = 2008,
    scale: float = 1.0,
    clean: bool = False,
    back_series: bool = True,
    feed: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write the demo returns under `raw_dir` and say what was written.

    The same seeds, seed and scale always give byte-identical files. `scale` keeps that share
    of the areas (chosen deterministically; the 2009 reorganisation's six areas are always
    kept). `clean` first removes the folders this generator writes (the reporting-year folders,
    `departmental/` and `faulty/`), leaving anything else under `raw_dir` alone. `back_series`
    False leaves out the departmental back series; every other file is the same either way.
    `feed` also writes the WPLS neighbourhood feed for the demo's areas (every LSOA of them,
    DEMO_QUARTERS) under feeds/wpls/, and then leaves NI 152 and NI 153 out of the returns:
    those two are derived from the feed, never typed in (pipelines/feeds).
    """
    raw_dir = Path(raw_dir)
    if clean:
        for folder in GENERATED_DIRS:
            shutil.rmtree(raw_dir / folder, ignore_errors=True)
    all_areas = read_areas(seeds_dir)
    all_indicators = read_indicators(seeds_dir)
    areas = select_areas(all_areas, scale, seed)
    indicators = [
        i for i in all_indicators if i.is_live and not (feed and i.ni_code in DERIVED_FROM_FEED)
    ]
    models = {i.ni_code: indicator_model(i, seed) for i in indicators}
    percent = {i.ni_code: kind_of(i) == "percent" for i in indicators}
    for year in REPORTING_YEARS:
        for round_no, round_name in ROUNDS:
            (raw_dir / year / f"round{round_no}_{round_name}").mkdir(parents=True, exist_ok=True)

    # by_year[reporting_year][area_code] -> the (indicator, point) pairs of that year
    by_year: dict[str, dict[str, list[tuple[Indicator, SeriesPoint, bool]]]] = {
        year: {} for year in REPORTING_YEARS
    }
    for area in areas:
        profile = area_profile(area, seed)
        for indicator in indicators:
            series = indicator_series(area, profile, indicator, models[indicator.ni_code], seed)
            for point in series:
                if area.exists_in(point.reporting_year):
                    by_year[point.reporting_year].setdefault(area.area_code, []).append(
                        (indicator, point, percent[indicator.ni_code])
                    )

    summary = DemoSummary(
        raw_dir=raw_dir, seed=seed, scale=scale, areas=len(areas), indicators=len(indicators)
    )
    for year in REPORTING_YEARS:
        files_before = len(summary.files)
        for area in areas:
            if area.area_code in by_year[year]:
                points = by_year[year][area.area_code]
                summary.files.extend(_write_area_year(raw_dir, area, year, points, seed))
        if progress:
            new = summary.files[files_before:]
            progress(
                f"{year}: {sum(1 for a in areas if a.exists_in(year))} areas, "
                f"{len(new)} files, {sum(f.rows for f in new)} rows"
            )

    returns = list(summary.files)
    if back_series:
        files = write_back_series(raw_dir, areas, indicators, models, seed)
        summary.files.extend(files)
        summary.back_series = list(back_series_indicators(indicators))
        if progress:
            progress(
                f"{BACK_SERIES_DIR}: {len(files)} files, {sum(f.rows for f in files)} rows "
                f"(2003-04 to 2006-07, {len(summary.back_series)} indicators)"
            )

    final_values = {
        (area_code, indicator.ni_code, point.period.period_id): point.final
        for year_points in by_year.values()
        for area_code, points in year_points.items()
        for indicator, point, _ in points
        if point.final is not None
    }
    files, faults = write_faulty_files(
        raw_dir,
        FAULTY_DIR,
        areas=areas,
        all_areas=all_areas,
        indicators=all_indicators,
        final_values=final_values,
        good_files=returns,
        seed=seed,
    )
    summary.files.extend(files)
    summary.faults.extend(faults)
    if progress:
        progress(f"{FAULTY_DIR}: {len(files)} files, {len(faults)} deliberate faults")
    if feed:
        if clean:
            shutil.rmtree(raw_dir / FEED_DIR, ignore_errors=True)
        first, last = DEMO_QUARTERS
        written = generate_wpls_feed(
            raw_dir,
            seeds_dir,
            first=first,
            last=last,
            seed=seed,
            areas=None if len(areas) == len(all_areas) else [a.area_code for a in areas],
        )
        summary.feed = written
        if progress:
            progress(
                f"{FEED_DIR.as_posix()}: {written.files} files, {written.claimant_rows:,} claimant "
                f"rows ({written.lsoas:,} LSOAs, {first} to {last}): NI 152 and NI 153 come "
                "from here, not from the returns"
            )
    # Every release built from these files is marked demo (pipelines/demo/marker.py).
    feed_paths = []
    if summary.feed is not None:
        feed_paths = sorted(
            p.relative_to(raw_dir).as_posix() for p in (raw_dir / FEED_DIR).rglob("*.parquet")
        )
    write_marker(raw_dir, [*(f.path for f in summary.files), *feed_paths])
    return summary


def stale_files(summary: DemoSummary) -> list[str]:
    """Files in the generator's folders that this run did not write (left by another run)."""
    written = {f.path for f in summary.files}
    return sorted(
        path.relative_to(summary.raw_dir).as_posix()
        for folder in GENERATED_DIRS
        for path in (summary.raw_dir / folder).rglob("*")
        if path.is_file() and path.relative_to(summary.raw_dir).as_posix() not in written
    )


def main(argv: list[str] | None = None) -> int:
    from pipelines.settings import Settings

    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.demo.generate",
        description="Write deterministic demo return files (CSV and XLSX) for NI Warehouse.",
    )
    parser.add_argument("--out", type=Path, default=settings.raw_dir, help="raw folder")
    parser.add_argument("--seeds", type=Path, default=settings.seeds_dir, help="seeds folder")
    parser.add_argument("--seed", type=int, default=2008, help="random seed (default 2008)")
    parser.add_argument("--scale", type=float, default=1.0, help="share of areas (0-1]")
    parser.add_argument(
        "--clean", action="store_true", help="first remove the folders a previous run wrote"
    )
    args = parser.parse_args(argv)

    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    started = time.perf_counter()
    summary = generate_demo_returns(
        args.out, args.seeds, seed=args.seed, scale=args.scale, clean=args.clean, progress=report
    )
    print(summary.describe())
    stale = stale_files(summary)
    if stale:
        report(
            f"note: {len(stale)} other files in the generated folders were not written by this "
            f"run (e.g. {stale[0]}); rerun with --clean to remove them"
        )
    print(f"took {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

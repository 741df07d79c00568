"""What the neighbourhood feed costs (issue 14): fresh `niw run` processes against the floor.

    .venv/bin/python bench/bench_feeds.py [--work DIR] [--10x]

  P3  the feed loaded from empty (every quarter but the last), then the last quarter as the
      next load; from empty at 0.1x and 1x (and 10x with --10x: ~118 M rows, minutes)
  P4  p50 / p95 of the analyst queries of the README (a league table, an area profile, the
      NI 153 neighbourhoods of one area) on the 1x warehouse after the bench's return set is
      loaded too, each query in a fresh read-only process

The floor is bench/floor_feeds.py: the same feed work in one plain DuckDB script. Prints
wall time, peak RSS (wait4 of each child) and the ratio to the floor, with the targets
beside. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_loads import NIW, REPO, timed

FIRST, LAST, NEW = "1999-02", "2011-08", "2011-11"
TARGET_EMPTY_RATIO, TARGET_NEW_RATIO, P4_TARGET_MS = 2.0, 3.0, 50.0
RSS_TARGETS_MB = {0.1: 2048, 1.0: 2048, 10.0: 4096}
QUERY = """
import sys, time, duckdb
started = time.perf_counter()
con = duckdb.connect(sys.argv[1], read_only=True)
opened = time.perf_counter()
rows = con.execute(sys.argv[2], sys.argv[3:] or None).fetchall()
done = time.perf_counter()
print(f"{(done - started) * 1000:.2f} {(done - opened) * 1000:.2f} {len(rows)}")
"""
INGEST_SECONDS = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute(
    "select epoch(finished_at - started_at) from ingest.loads order by load_seq desc limit 1"
).fetchone()[0])
"""


def ingest_seconds(warehouse: Path) -> float:
    """The last load's ingest step (returns and feed), from its ledger row (whole seconds)."""
    out = subprocess.run(
        [sys.executable, "-c", INGEST_SECONDS, str(warehouse)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(out)


QUERIES = {
    "league table (NI 152, latest quarter)": (
        "select p.rank, p.quartile, a.area_name, p.value, p.ci_lower_95, p.ci_upper_95, "
        "p.england_comparison, p.recent_trend, p.direction_of_travel "
        "from marts.caa_area_performance p join marts.dim_area a using (area_code) "
        "where p.ni_code = 'NI 152' and p.period_id = "
        "(select max(period_id) from marts.caa_area_performance where ni_code = 'NI 152') "
        "order by p.rank, a.area_name",
        [],
    ),
    "area profile (Barnsley, latest periods)": (
        "select p.ni_code, i.title, p.period_id, p.value, p.england_value, "
        "p.england_comparison, p.region_value, p.region_comparison, p.quartile, "
        "p.recent_trend, p.target_value, p.target_status "
        "from marts.caa_area_performance p join marts.dim_indicator i using (ni_code) "
        "where p.area_code = ? and p.is_latest_period order by i.ni_number",
        ["E08000016"],
    ),
    "NI 153 neighbourhoods of one area (Barnsley)": (
        "select lsoa_code, round(baseline_rate, 1) as baseline_rate, is_qualifying "
        "from marts.ni153_neighbourhoods where area_code = ? "
        "order by baseline_rate desc nulls last",
        ["E08000016"],
    ),
}


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NIW_RAW_DIR=str(work / "raw"),
        NIW_WAREHOUSE=str(work / "warehouse" / "ni.duckdb"),
        NIW_PUBLISH_DIR=str(work / "published"),
        NIW_QUALITY_DIR=str(work / "quality"),
        DAGSTER_HOME=str(work / "dagster_home"),
    )
    return env


def generate(raw: Path, scale: float, first: str, last: str) -> None:
    """The feed, written by a process of its own (so this one stays small)."""
    code = (
        "import sys; from pathlib import Path; "
        "from pipelines.feeds.generate import generate_wpls_feed; "
        f"generate_wpls_feed(Path(sys.argv[1]), Path('{REPO / 'data' / 'seeds'}'), "
        f"scale={scale}, first='{first}', last='{last}')"
    )
    subprocess.run([sys.executable, "-c", code, str(raw)], cwd=REPO, check=True)


def from_empty(work: Path, scale: float, log: Path) -> tuple[tuple, tuple]:
    """(floor, project) of the feed from empty at this scale, in work/."""
    shutil.rmtree(work, ignore_errors=True)
    raw = work / "raw"
    generate(raw, scale, FIRST, LAST)
    env = environment(work)
    floor = timed(
        [sys.executable, str(REPO / "bench" / "floor_feeds.py"), str(raw), str(work / "floor"),
         str(work / "floor.duckdb")],
        env, log,
    )  # fmt: skip
    project = timed([NIW, "run"], env, log)
    return floor, (*project, ingest_seconds(work / "warehouse" / "ni.duckdb"))


def baseline() -> float:
    """The median cost of `duckdb.connect()` (in memory) in a fresh process, in ms."""
    code = (
        "import time, duckdb; t = time.perf_counter(); duckdb.connect(); "
        "print((time.perf_counter() - t) * 1000)"
    )
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(5)
    ]  # fmt: skip
    return sorted(runs)[2]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="keep the files here (default: a temp dir)")
    parser.add_argument("--10x", dest="ten", action="store_true", help="also 10x (~118 M rows)")
    parser.add_argument("--runs", type=int, default=20, help="runs of each P4 query")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="niw-bench-feeds-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.log"
    scales = [0.1, 1.0] + ([10.0] if args.ten else [])
    rows: list[tuple[str, tuple, tuple, int | None]] = []
    for scale in scales:
        floor, project = from_empty(work / f"x{scale:g}", scale, log)
        rows.append((f"P3 from empty, {scale:g}x ({FIRST} to {LAST})", floor, project, None))
        print(f"{scale:g}x from empty: {project[0]:.1f} s", flush=True)
    one = work / "x1"
    env = environment(one)
    raw = one / "raw"
    generate(one / "new", 1.0, NEW, NEW)
    new = one / "new" / "feeds" / "wpls" / "claimants" / f"wpls_claimants_{NEW}.parquet"
    new.rename(raw / "feeds" / "wpls" / "claimants" / new.name)
    floor = timed(
        [sys.executable, str(REPO / "bench" / "floor_feeds.py"), str(raw), str(one / "floor"),
         str(one / "floor.duckdb"), "--quarter", NEW],
        env, log,
    )  # fmt: skip
    project = timed([NIW, "run"], env, log)
    project = (*project, ingest_seconds(one / "warehouse" / "ni.duckdb"))
    rows.append((f"P3 one new quarter ({NEW}), 1x", floor, project, None))

    # P4: the bench's return set loaded on top (not timed), then the README's queries
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "standard_set.py"), str(raw / "returns")],
        capture_output=True,
        check=True,
    )
    timed([NIW, "run"], env, log)
    warehouse = str(one / "warehouse" / "ni.duckdb")
    latencies = {}
    for name, (sql, params) in QUERIES.items():
        times = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-c", QUERY, warehouse, sql, *params],
                capture_output=True, text=True, check=True,
            ).stdout.split()  # fmt: skip
            times.append((float(out[0]), float(out[1])))
        total, query = [t for t, _ in times], [q for _, q in times]
        latencies[name] = (
            percentile(total, 0.5), percentile(total, 0.95),
            percentile(query, 0.5), percentile(query, 0.95), int(out[2]),
        )  # fmt: skip

    print()
    print(
        f"{'work':<48} {'floor':>8} {'project':>8} {'ratio':>6} {'peak RSS':>9} "
        f"{'ingest':>7}  target"
    )
    for label, floor, project, _ in rows:
        ratio = project[0] / floor[0] if floor[0] else float("nan")
        scale = 1.0 if "one new" in label else float(label.split(", ")[1].split("x")[0])
        rss_target = RSS_TARGETS_MB[scale]
        if "one new" in label:
            target, misses = "3x floor + the fixed cost (docs/performance.md)", []
        else:
            target = f"<{TARGET_EMPTY_RATIO:g}x floor, <{rss_target} MB"
            misses = [f"ratio {ratio:.1f}x"] if ratio > TARGET_EMPTY_RATIO else []
        if project[1] > rss_target:
            misses.append(f"RSS over by {project[1] - rss_target:.0f} MB")
        verdict = f"MISSED ({', '.join(misses)})" if misses else "met"
        failed = "" if project[2] == 0 else f"  (exit {project[2]}: see {log})"
        print(
            f"{label:<48} {floor[0]:7.1f}s {project[0]:7.1f}s {ratio:5.1f}x {project[1]:7.0f}MB"
            f" {project[3]:6.0f}s  {target}: {verdict}{failed}"
        )
    print(f"floor peak RSS: {max(r[1][1] for r in rows):.0f} MB")
    print()
    print(
        f"P4 ({args.runs} fresh read-only processes each): connect + query + fetch, and the "
        "query + fetch alone"
    )
    for name, (p50, p95, q50, q95, count) in latencies.items():
        verdict = "met" if p95 < P4_TARGET_MS else "MISSED"
        print(f"  {name:<46} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (query alone: p50 "
              f"{q50:5.1f} ms, p95 {q95:5.1f} ms; {count} rows)  <{P4_TARGET_MS:g} ms: "
              f"{verdict}")  # fmt: skip
    print(f"  (opening DuckDB at all, in-memory, in a fresh Python process: {baseline():.0f} ms)")
    print('why, step by step: docs/performance.md, "The neighbourhood feed"')
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

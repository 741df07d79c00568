"""What a load costs, from the outside: fresh `niw run` processes against the plain-DuckDB floor.

    .venv/bin/python bench/bench_loads.py [--work DIR]

On the benchmark's return set (bench/standard_set.py: the demo set's accepted rows as
standard-header CSV returns), each step a fresh process, as a data team runs it:

  P1    national load from empty, including the release and its site
  P2    one area's resubmitted return, from file to verified release
  quiet a night with nothing new (and no embargo date passing)

and the floor (bench/floor.py: the contract's core work in plain DuckDB) on the same files.
Prints wall time, peak RSS (the largest of the process and the children it waited for, from
wait4; this script stays small, as a child's figure starts from its parent's at the fork) and
the ratio to the floor. Not a test: nothing is asserted; the targets are printed beside.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


NIW = str(Path(sys.executable).parent / "niw")
TARGETS = {"P1": 45.0, "P2": 20.0, "quiet": 5.0}
RSS_TARGET_MB = 1024


def timed(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float, int]:
    """Run command; return (wall seconds, peak RSS in MB, exit status)."""
    started = time.perf_counter()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode


def resubmit(raw: Path) -> tuple[Path, int]:
    """One area's latest final return again, with one value corrected, under resubmissions/."""
    candidates = sorted((raw / "2010-11").rglob("*_r2.csv")) or sorted(raw.rglob("*.csv"))
    source = max(candidates, key=lambda p: (p.stat().st_size, p.name))
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    value, numerator = header.index("value"), header.index("numerator")
    for row in body:  # a value given without a numerator, so the correction stands alone
        if row[value] and not row[numerator]:
            row[value] = repr(round(float(row[value]) * 1.01 + 0.1, 4))
            break
    target = raw / "resubmissions" / f"{source.stem}_resubmitted.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *body])
    return target, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="keep the files here (default: a temp dir)")
    parser.add_argument(
        "--code",
        type=Path,
        help="run the loads with the pipelines of this checkout (e.g. a git worktree of an "
        "earlier commit, for a before-and-after), not this one's",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="niw-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    raw = work / "raw"
    # In a process of its own: a child's peak RSS (wait4) starts from its parent's at the
    # fork, so this process must stay small for the figures below to be the loads' own.
    made = subprocess.run(
        [sys.executable, str(REPO / "bench" / "standard_set.py"), str(raw)],
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"return set: {made.stdout.strip()} (not timed)")
    files = sum(1 for _ in raw.rglob("*.csv"))
    env = dict(os.environ)
    env.update(
        NIW_RAW_DIR=str(raw),
        NIW_WAREHOUSE=str(work / "warehouse" / "ni.duckdb"),
        NIW_PUBLISH_DIR=str(work / "published"),
        NIW_QUALITY_DIR=str(work / "quality"),
        DAGSTER_HOME=str(work / "dagster_home"),
    )
    if args.code:
        env["PYTHONPATH"] = str(args.code.resolve())
    log = work / "bench.log"
    results: dict[str, tuple[float, float, int]] = {}
    floors: dict[str, tuple[float, float, int]] = {}
    floor_db = work / "floor.duckdb"
    floor = [sys.executable, str(REPO / "bench" / "floor.py")]

    floors["P1"] = timed([*floor, "full", str(raw), str(floor_db)], env, log)
    results["P1"] = timed([NIW, "run"], env, log)
    print(f"P1 done: {results['P1'][0]:.1f} s")
    resubmission, resubmitted_rows = resubmit(raw)
    floors["P2"] = timed([*floor, "one", str(resubmission), str(floor_db)], env, log)
    results["P2"] = timed([NIW, "run"], env, log)
    print(f"P2 done: {results['P2'][0]:.1f} s")
    results["quiet"] = timed([NIW, "run"], env, log)

    labels = {
        "P1": f"P1 national load from empty, with the site ({files:,} files)",
        "P2": f"P2 one area's resubmitted return ({resubmitted_rows} rows)",
        "quiet": "a night with nothing new",
    }
    print()
    print(f"{'work':<58} {'floor':>7} {'project':>8} {'ratio':>6} {'peak RSS':>9} {'target':>7}")
    for key, label in labels.items():
        seconds, rss, status = results[key]
        floor_seconds = floors[key][0] if key in floors else None
        ratio = f"{seconds / floor_seconds:5.0f}x" if floor_seconds else "     -"
        shown_floor = f"{floor_seconds:6.2f}s" if floor_seconds else "      -"
        misses = [f"by {seconds - TARGETS[key]:.0f} s"] if seconds >= TARGETS[key] else []
        if rss >= RSS_TARGET_MB:
            misses.append(f"RSS over {RSS_TARGET_MB} MB by {rss - RSS_TARGET_MB:.0f} MB")
        verdict = f"MISSED {', '.join(misses)}" if misses else "met"
        failed = "" if status == 0 else f"  (exit {status}: see {log})"
        print(
            f"{label:<58} {shown_floor} {seconds:7.1f}s {ratio} {rss:7.0f}MB "
            f"<{TARGETS[key]:>4.0f}s {verdict}{failed}"
        )
    print(f"floor peak RSS: {max(f[1] for f in floors.values()):.0f} MB; log: {log}")
    print('why the targets are missed, step by step: docs/performance.md, "Fast loads"')
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

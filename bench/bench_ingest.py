"""Ingest and whole-load throughput, printed as figures (not a test: nothing is asserted).

    .venv/bin/python bench/bench_ingest.py [--rows 1000000] [--skip-load]

1. the demo return set (every area and live indicator, ~1,200 CSV/XLSX files): ingest only;
2. one large CSV (neighbourhood-level scale, default 1,000,000 rows): ingest only;
3. the whole nightly_load job (ingest + dbt build + publish) on the demo set.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.ingest.load import run_ingest  # noqa: E402
from pipelines.settings import REPO_ROOT  # noqa: E402

SEEDS = REPO_ROOT / "data" / "seeds"


def _ingest(raw: Path, db: Path) -> tuple[float, object]:
    start = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        result = run_ingest(con, raw, SEEDS)
    return time.perf_counter() - start, result


def _line(label: str, seconds: float, files: int, rows: int) -> None:
    print(
        f"{label:<38} {seconds:8.2f} s  {files:>6,} files  {rows:>10,} rows  "
        f"{rows / seconds:>10,.0f} rows/s  {files / seconds:>8,.0f} files/s"
    )


def bench_demo(work: Path) -> Path:
    from pipelines.demo.generate import generate_demo_returns

    raw = work / "demo"
    start = time.perf_counter()
    generate_demo_returns(raw, SEEDS)
    print(f"{'generate demo set':<38} {time.perf_counter() - start:8.2f} s")
    seconds, result = _ingest(raw, work / "demo.duckdb")
    _line(
        "ingest demo set", seconds, len(result.files), result.rows_accepted + result.rows_rejected
    )
    return raw


def bench_large_csv(work: Path, rows: int) -> None:
    raw = work / "large"
    raw.mkdir()
    path = raw / "neighbourhoods.csv"
    # Every live financial-year percentage indicator x every area x its 13 years, repeated
    # up to `rows` (repeats are exact copies, as in a file that was appended to twice).
    with duckdb.connect() as con:
        con.execute(
            f"""
            create table keys as
            select row_number() over (order by a.area_code, i.ni_code, p.period_id) - 1 as k,
                   a.area_code, i.ni_code, p.label as period
            from read_csv('{SEEDS / "areas.csv"}', all_varchar = true) a
            cross join read_csv('{SEEDS / "national_indicators.csv"}', all_varchar = true) i
            join read_csv('{SEEDS / "periods.csv"}', all_varchar = true) p
                on p.period_type = 'financial_year'
                and p.financial_year >= coalesce(a.valid_from_period, '')
                and p.financial_year <= coalesce(a.valid_to_period, '9999')
            where i.period_type = 'financial_year' and i.is_live = 'true'
              and i.valid_min = '0' and i.valid_max = '100'
            """  # noqa: S608
        )
        (key_count,) = con.execute("select count(*) from keys").fetchone()
        con.execute(
            f"""
            copy (
                select area_code, ni_code as indicator, period,
                       round(5 + (hash(area_code, ni_code, period) % 900) / 10.0, 1) as value
                from range($rows) r(i)
                join keys on keys.k = r.i % $key_count
                order by r.i
            ) to '{path}' (header, delimiter ',')
            """,  # noqa: S608
            {"rows": rows, "key_count": key_count},
        )
    seconds, result = _ingest(raw, work / "large.duckdb")
    _line(
        f"ingest one CSV of {rows:,} rows", seconds, 1, result.rows_accepted + result.rows_rejected
    )


def bench_load(raw: Path, work: Path) -> None:
    import dagster as dg

    from pipelines.definitions import build_definitions
    from pipelines.resources import WarehouseResource

    resource = WarehouseResource(
        raw_dir=str(raw), warehouse=str(work / "wh" / "ni.duckdb"), seeds_dir=str(SEEDS)
    )
    job = build_definitions(resource).resolve_job_def("nightly_load")
    for label in ("whole nightly load, demo set", "second load, nothing new"):
        start = time.perf_counter()
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        assert result.success
        print(f"{label:<38} {time.perf_counter() - start:8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-load", action="store_true", help="ingest figures only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="niw-bench-") as tmp:
        work = Path(tmp)
        raw = bench_demo(work)
        bench_large_csv(work, args.rows)
        if not args.skip_load:
            bench_load(raw, work)


if __name__ == "__main__":
    main()

"""What building a release's offline site costs, printed as figures (nothing asserted).

    .venv/bin/python bench/bench_site.py [WAREHOUSE] [--workers N] [--keep DIR]

Copies the warehouse file (default data/warehouse/ni.duckdb) to a temporary file first (loads
swap the original), exposes each table the site reads by its bare name (from the
`publication` schema when the warehouse has one, else `marts`) and builds the site of a
made-up release into a temporary folder, or into DIR with --keep. Prints pages, files (pages,
CSV files, scripts), seconds and MB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.release.site import build_site  # noqa: E402

TABLES = (
    "caa_area_performance",
    "fct_indicator_values",
    "fct_group_values",
    "fct_laa_target_progress",
    "dim_area",
    "dim_indicator",
    "dim_period",
    "dim_maa",
    "bridge_maa_area",
)
# Read by the site when the warehouse has them (statistical neighbours); skipped otherwise.
OPTIONAL_TABLES = ("dim_comparator_group", "bridge_comparator_area")
RELEASE = {
    "release_id": "bench",
    "created": "2011-07-01T00:00:00+00:00",
    "as_of": "2011-07-01",
    "source_load": "bench",
}


def _expose_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES + OPTIONAL_TABLES:
        schemas = {
            row[0]
            for row in con.execute(
                "select table_schema from information_schema.tables "
                "where table_catalog = 'wh' and table_name = ?",
                [table],
            ).fetchall()
        }
        schema = next((s for s in ("publication", "marts") if s in schemas), None)
        if schema is None and table in OPTIONAL_TABLES:
            print(f"(no {table}: the site is built without it)")
            continue
        if schema is None:
            raise SystemExit(f"the warehouse has no table {table} in publication or marts")
        con.execute(f"create view {table} as select * from wh.{schema}.{table}")  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", nargs="?", default=str(REPO / "data/warehouse/ni.duckdb"))
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    parser.add_argument("--keep", type=Path, help="build the site here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="niw-bench-site-") as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(args.warehouse, copy)
        site_dir = args.keep or Path(tmp) / "site"
        con = duckdb.connect()
        con.execute(f"attach '{copy}' as wh (read_only)")
        _expose_tables(con)
        start = time.perf_counter()
        pages = build_site(con, site_dir, RELEASE, progress=print, workers=args.workers)
        seconds = time.perf_counter() - start
        con.close()
        files = [p for p in site_dir.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(
            f"{pages:,} pages  {len(files):,} files  {seconds:.1f} s  {size / 1e6:.1f} MB  ({site_dir})"
        )


if __name__ == "__main__":
    main()

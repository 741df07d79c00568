"""The floor for the WPLS feed: the feed's core work in one plain DuckDB script.

    .venv/bin/python bench/floor_feeds.py RAW_DIR STORE DB            # every feed file
    .venv/bin/python bench/floor_feeds.py RAW_DIR STORE DB --quarter Q  # one more quarter

No Dagster, dbt, checks, ledger or release: what a hand-written script needs to do the same
core work as the feed step of a load, to measure the project's framework cost against.

Every file:
- reads every claimant and population file under RAW_DIR/feeds/wpls/ in one read_parquet
  each;
- keeps the rows of a known LSOA with a valid quarter, client group and count;
- writes them hive-partitioned by quarter into STORE;
- computes every LSOA's rate, the qualifying neighbourhoods and every area's NI 152 and
  NI 153 with pipelines/feeds/derive.py's SQL (plain DuckDB), into DB.

With `--quarter`, the same for that quarter's file alone: the rows written to STORE, its
rates and its area figures, the neighbourhoods read back from DB. Prints its own wall time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.feeds.contract import CLIENT_GROUPS  # noqa: E402
from pipelines.feeds.derive import (  # noqa: E402
    derive_area_values,
    derive_lsoa_rates,
    derive_neighbourhoods,
)

SEEDS = REPO / "data" / "seeds"


def main(argv: list[str]) -> None:
    raw, store, db = Path(argv[0]), Path(argv[1]), Path(argv[2])
    quarter = argv[4] if len(argv) > 4 and argv[3] == "--quarter" else None
    started = time.perf_counter()
    folder = raw / "feeds" / "wpls"
    claimants = (
        [str(folder / "claimants" / f"wpls_claimants_{quarter}.parquet")]
        if quarter
        else sorted(str(p) for p in (folder / "claimants").glob("*.parquet"))
    )
    con = duckdb.connect(str(db))
    con.execute(
        "create or replace temp table lookup as select lsoa_code from read_csv(?)",
        [str(SEEDS / "lsoa_area_lookup.csv")],
    )
    con.execute(
        """
        create or replace temp table feed_population as
        select p.lsoa_code, cast(p.year as integer) as year, p.working_age_population
        from read_parquet(?) as p semi join lookup using (lsoa_code)
        where p.working_age_population >= 0
        """,
        [str(folder / "population" / "*.parquet")],
    )
    con.execute(
        """
        create or replace temp table feed_claimants as
        select c.lsoa_code, c.quarter, c.client_group, sum(c.claimants) as claimants
        from read_parquet(?, union_by_name = true) as c semi join lookup using (lsoa_code)
        where regexp_full_match(c.quarter, '[0-9]{4}-(02|05|08|11)')
            and c.client_group in ? and c.claimants >= 0
        group by all
        """,
        [claimants, list(CLIENT_GROUPS)],
    )
    target = str(store).replace("'", "''")
    con.execute(
        f"copy feed_claimants to '{target}' (format parquet, partition_by (quarter), "
        "overwrite_or_ignore true)"
    )
    derive_lsoa_rates(con)
    if quarter:
        neighbourhoods = "ni153"
    else:
        derive_neighbourhoods(con, SEEDS, "lsoa_rates")
        con.execute("create or replace table ni153 as select * from ni153_neighbourhoods")
        neighbourhoods = "ni153"
    derive_area_values(con, SEEDS, "lsoa_rates", neighbourhoods)
    con.execute("create table if not exists figures as select * from derived_values limit 0")
    con.execute("insert into figures select * from derived_values")
    rows = con.execute("select count(*) from feed_claimants").fetchone()[0]
    con.close()
    print(f"{time.perf_counter() - started:.2f} s, {rows:,} keys")


if __name__ == "__main__":
    main(sys.argv[1:])

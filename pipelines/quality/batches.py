"""The batches the suites run on: DuckDB queries over a load's build warehouse, as pandas.

Reference data comes from the seed files (data/seeds), not from tables dbt built, so a fault
in the dbt models cannot hide itself from the checks. The seeds are read here on purpose
apart from ingest's own reading of them (pipelines/ingest/load.py), so that a fault in that
reading is not repeated by the check that guards it. Only the batch a suite needs is pulled
into pandas; everything else stays in DuckDB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .suites import Suite

REFERENCE_SQL = {
    "national_indicators": """
        create or replace temp table ref_indicators as
        select ni_code, cast(is_live as boolean) as is_live, period_type, aggregation,
               cast(multiplier as double) as multiplier,
               cast(nullif(valid_min, '') as double) as valid_min,
               cast(nullif(valid_max, '') as double) as valid_max
        from read_csv($path, header = true, all_varchar = true)
    """,
    "areas": """
        create or replace temp table ref_areas as
        select area_code, region_code, nullif(valid_from_period, '') as valid_from_period,
               nullif(valid_to_period, '') as valid_to_period
        from read_csv($path, header = true, all_varchar = true)
    """,
    "periods": """
        create or replace temp table ref_periods as
        select period_id, period_type, financial_year, cast(sort_key as integer) as sort_key
        from read_csv($path, header = true, all_varchar = true)
    """,
    "maa_members": """
        create or replace temp table ref_maa_members as
        select maa_code, area_code, member_tier
        from read_csv($path, header = true, all_varchar = true)
    """,
}

# England is every area; a region its areas; an MAA its top-tier members (contract §2).
GROUP_MEMBERS_SQL = """
    create or replace temp table ref_group_members as
    select 'england' as group_type, 'E92000001' as group_code, area_code from ref_areas
    union all
    select 'region', region_code, area_code from ref_areas
    union all
    select 'maa', maa_code, area_code from ref_maa_members
    where member_tier = 'top_tier' and nullif(area_code, '') is not null
"""


# Which area existed in which period: the period's reporting year within the area's
# validity (docs/decisions.md), computed once for every suite that needs it.
AREA_PERIODS_SQL = """
    create or replace temp table ref_area_periods as
    select a.area_code, p.period_id
    from ref_areas as a
    inner join ref_periods as p
        on (a.valid_from_period is null or p.financial_year >= a.valid_from_period)
        and (a.valid_to_period is null or p.financial_year <= a.valid_to_period)
"""


def load_reference(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> dict[str, Any]:
    """Create the ref_* temp tables from the seeds; return the suites' parameters."""
    for seed, statement in REFERENCE_SQL.items():
        path = seeds_dir / f"{seed}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"reference seed {path} is missing")
        con.execute(statement, {"path": str(path)})
    con.execute(GROUP_MEMBERS_SQL)
    con.execute(AREA_PERIODS_SQL)

    def column(sql: str) -> list[str]:
        return [value for (value,) in con.execute(sql).fetchall()]

    return {
        "area_codes": column("select area_code from ref_areas order by 1"),
        "live_ni_codes": column("select ni_code from ref_indicators where is_live order by 1"),
        "period_ids": column("select period_id from ref_periods order by 1"),
        "group_codes": column("select distinct group_code from ref_group_members order by 1"),
    }


def read_batch(con: duckdb.DuckDBPyConnection, suite: Suite, load_id: str) -> pd.DataFrame:
    """Run the suite's batch query for this load."""
    params = {"load_id": load_id} if "$load_id" in suite.batch_sql else {}
    try:
        return con.execute(suite.batch_sql, params).df()
    except duckdb.Error as exc:
        raise RuntimeError(
            f"the batch query of suite {suite.name} (expectations/{suite.definition['meta']['batch']}) "
            f"failed: {exc}"
        ) from exc

"""The floor: the contract's core work on standard-header CSV returns in plain DuckDB.

    .venv/bin/python bench/floor.py full RAW_DIR DB      # every file, into an empty DB
    .venv/bin/python bench/floor.py one FILE DB          # one more file into that DB

No Dagster, dbt, checks, release or site: what a hand-written script needs to do the same
core work as a load, to measure the project's framework cost against. `full` reads every
return (one `read_csv` over the file list: the files share one header), judges each row by the
contract's first reasons (unknown area or indicator, retired indicator, bad period, area not
in the period, bad number, out of range, conflicting duplicate), keeps every accepted version
and the rejected rows, takes each key's latest version as current, ranks every
(indicator, period) by polarity, and sums numerators and denominators for England and each
region. `one` appends one file as a later load and recomputes only the keys and the
(indicator, period) slices it touches. Prints its own wall time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"

REFERENCE = """
create or replace table ref_ind as
select ni_code, cast(ni_number as integer) as ni_number, polarity, period_type,
       cast(multiplier as double) as multiplier, cast(is_live as boolean) as is_live,
       cast(nullif(valid_min, '') as double) as valid_min,
       cast(nullif(valid_max, '') as double) as valid_max
from read_csv('{seeds}/national_indicators.csv', header = true, all_varchar = true);
create or replace table ref_area as
select area_code, region_code, nullif(valid_from_period, '') as valid_from,
       nullif(valid_to_period, '') as valid_to
from read_csv('{seeds}/areas.csv', header = true, all_varchar = true);
create or replace table ref_period as
select period_id, period_type, financial_year
from read_csv('{seeds}/periods.csv', header = true, all_varchar = true);
create table if not exists versions (
    load_seq integer, path varchar, line_number bigint, area_code varchar, ni_code varchar,
    period_id varchar, value double, numerator double, denominator double, status varchar
);
create table if not exists rejected (
    load_seq integer, path varchar, line_number bigint, reason varchar
);
"""

# Rows of the files in `incoming` judged by the contract's row reasons (first that applies).
JUDGE = """
create or replace temp table judged as
with rows as (
    select filename as path, line_number, upper(trim(area_code)) as area_code,
           'NI ' || regexp_extract(indicator, '(\\d+)\\s*$', 1) as ni_code,
           trim(period) as period, try_cast(replace(value, ',', '') as double) as value,
           value as value_text,
           try_cast(replace(numerator, ',', '') as double) as numerator,
           try_cast(replace(denominator, ',', '') as double) as denominator,
           lower(coalesce(nullif(trim(status), ''), 'provisional')) as status
    from incoming
),
typed as (
    select rows.*, ind.ni_code as known_ni, ind.is_live, ind.period_type, ind.valid_min, ind.multiplier,
           ind.valid_max, area.area_code as known_area, area.valid_from, area.valid_to,
           case ind.period_type
               when 'financial_year' then replace(rows.period, '/', '-')
               when 'academic_year' then 'AY' || replace(rows.period, '/', '-')
               when 'quarter' then replace(split_part(rows.period, ' ', 1), '/', '-')
                   || split_part(rows.period, ' ', 2)
               when 'survey' then 'PS' || rows.period
               else rows.period
           end as period_id
    from rows
    left join ref_ind as ind on rows.ni_code = ind.ni_code
    left join ref_area as area on rows.area_code = area.area_code
),
reasoned as (
    select typed.* replace (
        coalesce(value, numerator / denominator * multiplier) as value
    ), case
        when known_area is null then 'UNKNOWN_AREA'
        when known_ni is null then 'UNKNOWN_INDICATOR'
        when not is_live then 'RETIRED_INDICATOR'
        when p.period_id is null or p.period_type <> typed.period_type then 'BAD_PERIOD'
        when (valid_from is not null and p.financial_year < valid_from)
            or (valid_to is not null and p.financial_year > valid_to) then 'AREA_NOT_IN_PERIOD'
        when value is null and nullif(trim(value_text), '') is not null then 'BAD_NUMBER'
        when value is null and denominator > 0 then null  -- derived below
        when value is null then 'MISSING_VALUE'
        when value < valid_min or value > valid_max then 'OUT_OF_RANGE'
    end as reason
    from typed left join ref_period as p on typed.period_id = p.period_id
)
select *, case
    when reason is null and count(distinct value) over (
        partition by path, area_code, ni_code, period_id, reason is null
    ) > 1 then 'CONFLICTING_DUPLICATE' else reason
end as final_reason
from reasoned
"""

APPEND = (
    """
insert into versions
select $seq, path, line_number, area_code, ni_code, period_id, value, numerator, denominator,
       status
from judged where final_reason is null
""",
    """
insert into rejected select $seq, path, line_number, final_reason from judged
where final_reason is not null
""",
)

CURRENT = """
create or replace {table} as
select * exclude (n) from (
    select *, row_number() over (
        partition by area_code, ni_code, period_id
        order by load_seq desc, path desc, line_number desc
    ) as n
    from versions {where}
) where n = 1
"""

MARTS = """
create or replace table {ranks} as
select c.area_code, c.ni_code, c.period_id, c.value,
       rank() over (
           partition by c.ni_code, c.period_id
           order by case when i.polarity = 'lower_is_better' then c.value else -c.value end
       ) as rank_in_england
from current_values as c join ref_ind as i using (ni_code) {where};
create or replace table {groups} as
select c.ni_code, c.period_id, coalesce(a.region_code, 'E92000001') as group_code,
       sum(c.numerator) / sum(c.denominator) * any_value(i.multiplier) as value,
       count(*) as areas
from current_values as c
join ref_ind as i using (ni_code)
join ref_area as a using (area_code)
{where}
group by grouping sets ((c.ni_code, c.period_id, a.region_code), (c.ni_code, c.period_id))
"""


def _read(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    columns = (
        "area_code indicator period value numerator denominator ci_lower ci_upper status"
    ).split()
    spec = ", ".join(f"'{c}': 'varchar'" for c in columns)
    query = (
        "create or replace temp table incoming as select *, row_number() over "  # noqa: S608
        "(partition by filename) + 1 as line_number from read_csv(?, header = true, "
        f"columns = {{{spec}}}, filename = true)"
    )
    con.execute(query, [files])


def full(raw: Path, db: Path) -> None:
    files = sorted(str(p) for p in raw.rglob("*.csv"))
    with duckdb.connect(str(db)) as con:
        con.execute(REFERENCE.format(seeds=SEEDS))
        _read(con, files)
        con.execute(JUDGE)
        for statement in APPEND:
            con.execute(statement, {"seq": 1})
        con.execute(CURRENT.format(table="table current_values", where=""))
        con.execute(MARTS.format(ranks="ranks", groups="group_values", where=""))


def one(path: Path, db: Path) -> None:
    slice_filter = (
        "where (c.ni_code, c.period_id) in (select distinct ni_code, period_id from judged "
        "where final_reason is null)"
    )
    with duckdb.connect(str(db)) as con:
        seq = con.execute("select coalesce(max(load_seq), 0) + 1 from versions").fetchone()[0]
        _read(con, [str(path)])
        con.execute(JUDGE)
        for statement in APPEND:
            con.execute(statement, {"seq": seq})
        # current values: only the keys this file touched are recomputed
        con.execute(
            CURRENT.format(
                table="temp table changed",
                where="where (area_code, ni_code, period_id) in (select area_code, ni_code, "
                "period_id from judged where final_reason is null)",
            )
        )
        con.execute(
            "delete from current_values where (area_code, ni_code, period_id) in "
            "(select area_code, ni_code, period_id from changed); "
            "insert into current_values select * from changed"
        )
        # ranks and group sums: only the (indicator, period) slices this file touched
        con.execute(MARTS.format(ranks="new_ranks", groups="new_groups", where=slice_filter))
        for table, fresh in (("ranks", "new_ranks"), ("group_values", "new_groups")):
            slices = f"(select ni_code, period_id from {fresh})"  # noqa: S608
            con.execute(f"delete from {table} where (ni_code, period_id) in {slices}")  # noqa: S608
            con.execute(f"insert into {table} select * from {fresh}")  # noqa: S608
            con.execute(f"drop table {fresh}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("full", "one"):
        sys.exit(__doc__)
    started = time.perf_counter()
    (full if sys.argv[1] == "full" else one)(Path(sys.argv[2]), Path(sys.argv[3]))
    print(f"floor {sys.argv[1]}: {time.perf_counter() - started:.2f} s")

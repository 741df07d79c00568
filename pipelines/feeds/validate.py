"""The rows of one WPLS feed file judged against the feed contract (issue 14), in one DuckDB pass:
what is accepted (summed over any sex / age band breakdown) and what is quarantined, each row
with its reason, as returns are (contract §1). Not yet wired into loads.

A claimant file (`lsoa_code`, `quarter`, `client_group`, `claimants`, optional `sex`,
`age_band`) and a population file (`lsoa_code`, `year`, `working_age_population`), CSV or
Parquet. Row reasons, first that applies:
  UNKNOWN_LSOA           lsoa_code not in the lookup seed (after trimming and upper-casing)
  BAD_QUARTER            quarter not YYYY-MM with month 02, 05, 08 or 11 (claimants)
  BAD_YEAR               year not a four-digit year (population)
  UNKNOWN_CLIENT_GROUP   client_group not one of the seven (claimants)
  BAD_COUNT              the count is missing, negative or not a whole number
  DUPLICATE_ROW          the same key (and breakdown cell) again in the file: the first stands
  ABOVE_POPULATION       claimants above the LSOA's working-age population of that year (or the
                         latest earlier year known); unchecked when no population is known
Line numbers are as a person counts them: the header is line 1 of a CSV; a Parquet file's
first row is line 1. A CSV's are DuckDB's row order (insertion order is kept), so a quoted cell
that spans lines shifts the numbers after it: feeds are machine-written, and the returns path
(which counts real lines) is not used for files of millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .contract import CLIENT_GROUPS, REFERENCE_MONTHS
from .derive import join_population

CLAIMANT_COLUMNS = ("lsoa_code", "quarter", "client_group", "claimants")
POPULATION_COLUMNS = ("lsoa_code", "year", "working_age_population")
BREAKDOWN_COLUMNS = ("sex", "age_band")


class MissingColumns(ValueError):
    """A feed file without the columns of either kind of feed file."""


@dataclass(frozen=True)
class Judged:
    kind: str  # claimants | population
    rows_read: int
    rows_accepted: int
    rows_rejected: int


def _source(path: Path) -> str:
    """A DuckDB table function reading the file with every column as text, plus a line number."""
    quoted = str(path).replace("'", "''")  # the one value in these strings: quoted
    if path.suffix.lower() == ".parquet":
        return (
            "(select * exclude (file_row_number), file_row_number + 1 as line_number "  # noqa: S608
            f"from read_parquet('{quoted}', file_row_number = true))"
        )
    return (
        f"(select *, row_number() over () + 1 as line_number from read_csv('{quoted}', "  # noqa: S608
        "all_varchar = true, header = true))"
    )


def judge_feed_file(con: duckdb.DuckDBPyConnection, path: Path, seeds_dir: Path) -> Judged:
    """Judge path's rows; leave them on con as temp tables `feed_accepted` (normalised: one row
    per key) and `feed_rejected` (line_number, raw JSON, reason_code, message)."""
    source = _source(path)
    names = [
        name
        for (name,) in con.execute(
            f"select column_name from (describe select * from {source})"  # noqa: S608
        ).fetchall()
        if name != "line_number"
    ]
    columns = {name.lower() for name in names}
    # the lookup's codes, read once per connection (a load judges every file on one)
    con.execute(
        "create temp table if not exists feed_lookup as "
        "select lsoa_code from read_csv($lookup, all_varchar = true)",
        {"lookup": str(seeds_dir / "lsoa_area_lookup.csv")},
    )
    if set(CLAIMANT_COLUMNS) <= columns:
        kind, key, count = "claimants", ("quarter", "client_group"), "claimants"
        breakdown = [c for c in BREAKDOWN_COLUMNS if c in columns]
    elif set(POPULATION_COLUMNS) <= columns:
        kind, key, count, breakdown = "population", ("year",), "working_age_population", []
    else:
        raise MissingColumns(
            f"{path.name}: neither a claimant file ({', '.join(CLAIMANT_COLUMNS)}) nor a "
            f"population file ({', '.join(POPULATION_COLUMNS)}); columns: "
            + ", ".join(sorted(columns))
        )
    cells = "".join(f", cast({c} as varchar) as {c}" for c in breakdown)
    key_text = ", ".join(f"cast({k} as varchar) as {k}" for k in key)
    months = "|".join(f"{m:02d}" for m in REFERENCE_MONTHS)
    checks = {
        "claimants": f"""
            when not regexp_full_match(coalesce(quarter, ''), '[0-9]{{4}}-({months})')
                then 'BAD_QUARTER'
            when client_group is null or client_group not in $groups
                then 'UNKNOWN_CLIENT_GROUP'
        """,
        "population": """
            when not regexp_full_match(coalesce(year, ''), '[0-9]{4}') then 'BAD_YEAR'
        """,
    }[kind]
    con.execute(
        f"""
        create or replace temp table feed_judged as
        with raw as (
            select line_number, {_raw_cells(names)},
                upper(trim(cast(lsoa_code as varchar))) as lsoa_code, {key_text}{cells},
                trim(cast({count} as varchar)) as count_text
            from {source}
        ),
        lookup as (select lsoa_code from feed_lookup),
        typed as (
            select raw.*, try_cast(raw.count_text as double) as count_number,
                row_number() over (
                    partition by raw.lsoa_code, {", ".join((*key, *breakdown))}
                    order by raw.line_number
                ) as copy_number,
                lookup.lsoa_code is not null as known_lsoa
            from raw left join lookup on raw.lsoa_code = lookup.lsoa_code
        )
        select *,
            case
                when not known_lsoa then 'UNKNOWN_LSOA'
                {checks}
                when count_number is null or count_number < 0
                    or count_number <> floor(count_number) then 'BAD_COUNT'
                when copy_number > 1 then 'DUPLICATE_ROW'
            end as reason_code
        from typed
        """,  # noqa: S608 (column names of the contract; the path is quoted)
        {
            **({"groups": list(CLIENT_GROUPS)} if kind == "claimants" else {}),
        },
    )
    if kind == "claimants":
        _above_population(con)
    messages = {
        "UNKNOWN_LSOA": "lsoa_code is not a 2001 LSOA of the lookup seed",
        "BAD_QUARTER": "quarter is not YYYY-MM with month 02, 05, 08 or 11",
        "BAD_YEAR": "year is not a four-digit year",
        "UNKNOWN_CLIENT_GROUP": "client_group is not one of the seven WPLS client groups",
        "BAD_COUNT": f"{count} is missing, negative or not a whole number",
        "DUPLICATE_ROW": "the same key again in this file: the first row stands",
        "ABOVE_POPULATION": "claimants exceed the LSOA's working-age population",
    }
    con.execute("create or replace temp table feed_messages (reason_code varchar, message varchar)")
    con.executemany("insert into feed_messages values (?, ?)", list(messages.items()))
    con.execute(
        f"""
        create or replace temp table feed_rejected as
        select feed_judged.line_number, {_json_of(names)} as raw, feed_judged.reason_code,
            feed_messages.message, feed_judged.lsoa_code
        from feed_judged join feed_messages using (reason_code)
        order by feed_judged.line_number
        """,  # noqa: S608 (the file's column names, quoted)
    )
    group_key = ", ".join(("lsoa_code", *key))
    typed_key = ", ".join(
        ("lsoa_code", *(f"cast({k} as integer) as {k}" if k == "year" else k for k in key))
    )
    con.execute(
        f"""
        create or replace temp table feed_accepted as
        select {typed_key}, cast(sum(count_number) as bigint) as {count},
            min(line_number) as first_line
        from feed_judged where reason_code is null
        group by {group_key}
        order by {group_key}
        """  # noqa: S608 (the contract's column names)
    )
    read, rejected = con.execute("select count(*), count(reason_code) from feed_judged").fetchone()
    return Judged(kind, read, read - rejected, rejected)


def _raw_cells(names: list[str]) -> str:
    """SQL keeping each cell of a row as text, as `raw__1`, `raw__2`, ... (JSON is built for
    the rejected rows only: `_json_of`; building it for every row cost a tenth of a second a
    national quarter)."""
    cells = []
    for number, name in enumerate(names, start=1):
        column = name.replace('"', '""')
        cells.append(f'cast("{column}" as varchar) as raw__{number}')
    return ", ".join(cells)


def _json_of(names: list[str]) -> str:
    """SQL for a JSON object of a row's cells as text (`_raw_cells`), keyed by the file's own
    column names."""
    pairs = []
    for number, name in enumerate(names, start=1):
        label = name.replace("'", "''")
        pairs.append(f"'{label}', feed_judged.raw__{number}")
    return f"json_object({', '.join(pairs)})"


def _above_population(con: duckdb.DuckDBPyConnection) -> None:
    """Mark claimant rows above the LSOA's known population (table feed_population, if any)."""
    known = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'feed_population'"
    ).fetchone()[0]
    if not known:
        return
    con.execute(
        f"""
        update feed_judged set reason_code = 'ABOVE_POPULATION'
        from (
            -- the population of the quarter's year, or of the latest earlier year known
            select judged.line_number
            from (
                select line_number, lsoa_code, count_number,
                    cast(left(quarter, 4) as integer) as year
                from feed_judged where reason_code is null
            ) as judged
            {join_population("judged", "judged.year")}
            where judged.count_number > population.working_age_population
        ) as above
        where feed_judged.line_number = above.line_number
        """  # noqa: S608 (our names)
    )

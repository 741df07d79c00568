"""A deterministic, illustrative WPLS feed: claimant counts and working-age population per 2001
LSOA (the departmental feed NI 152 and NI 153 are derived from; issue 14).

    niw demo --feeds SCALE [--out DIR]

writes, under DIR/feeds/wpls/ (DIR: NIW_RAW_DIR by default):
  claimants/wpls_claimants_YYYY-MM.parquet   one file a quarter (reference months 02, 05, 08,
                                             11): lsoa_code, quarter, client_group, claimants
                                             (at scale 10, also sex and age_band);
  population/wpls_population_YYYY.parquet    one file a mid-year: lsoa_code, year,
                                             working_age_population.
Scale 1 is every LSOA of the lookup seed (32,482) over the 52 quarters Feb 1999 - Nov 2011 and
the 7 client groups: about 11.8 million claimant rows. Scale 0.1 takes every tenth LSOA (in
code order, so every area keeps some); scale 10 splits each count by sex and five age bands
(about 118 million rows).

Every figure is made up. An LSOA's out-of-work rate is lognormal around 9 %, higher in the
demo's more deprived areas (pipelines/demo/values.py): most LSOAs lie between 5 and 20 % and a
tail lies above 25 %. Rates drift down to 2008, rise with the 2008-09 recession and ease after.
Randomness comes from MD5 of names (the same bytes on every machine and DuckDB version), and
rows are written in key order, so the same arguments always give the same files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..demo.reference import read_areas
from ..demo.values import area_profile
from .contract import CLIENT_GROUPS, REFERENCE_MONTHS

FEED_DIR = Path("feeds") / "wpls"
# Each client group's share of an LSOA's main out-of-work claimants (the first four share them;
# carers, disabled and bereaved are counted on top).
GROUP_SHARES = {
    "job_seekers": 0.26,
    "incapacity_benefits": 0.52,
    "lone_parents": 0.16,
    "others_on_income_related": 0.06,
    "carers": 0.07,
    "disabled": 0.04,
    "bereaved": 0.01,
}
SEXES = (("female", 0.47), ("male", 0.53))
AGE_BANDS = (("16-24", 0.17), ("25-34", 0.22), ("35-44", 0.24), ("45-54", 0.22), ("55-64", 0.15))
FIRST_QUARTER, LAST_QUARTER = "1999-02", "2011-11"
DEMO_QUARTERS = ("2006-05", "2011-02")  # what the default demo set carries (the baseline on)


@dataclass(frozen=True)
class FeedSummary:
    folder: Path
    lsoas: int
    quarters: int
    claimant_rows: int
    population_rows: int
    files: int

    def describe(self) -> str:
        return (
            f"WPLS feed written to {self.folder}: {self.files} files, {self.lsoas:,} LSOAs x "
            f"{self.quarters} quarters, {self.claimant_rows:,} claimant rows, "
            f"{self.population_rows:,} population rows (illustrative)"
        )


def quarters_between(first: str, last: str) -> list[str]:
    """The reference months from first to last, YYYY-MM, every third month."""
    year, month = map(int, first.split("-"))
    if month not in REFERENCE_MONTHS:
        raise ValueError(f"{first} is not a WPLS reference month (02, 05, 08 or 11)")
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
    return months


def _uniform(key_sql: str, part: int) -> str:
    """SQL for a uniform (0, 1) drawn from the MD5 of key_sql (part 0 or 1: two per key)."""
    return f"((('0x' || substr(md5({key_sql}), {1 + 12 * part}, 12))::bigint + 0.5) / 2^48)"


def _normal(key_sql: str) -> str:
    """SQL for a standard normal from two uniforms of one key (Box-Muller)."""
    return f"(sqrt(-2 * ln({_uniform(key_sql, 0)})) * cos(2 * pi() * {_uniform(key_sql, 1)}))"


def generate_wpls_feed(
    out: Path,
    seeds_dir: Path,
    *,
    scale: float = 1.0,
    first: str = FIRST_QUARTER,
    last: str = LAST_QUARTER,
    seed: int = 2008,
    breakdown: bool | None = None,
    areas: Iterable[str] | None = None,
) -> FeedSummary:
    """Write the feed at this scale (0 < scale <= 1: that share of the LSOAs; 10: every LSOA,
    counts split by sex and age band) for the quarters first..last. `breakdown` splits the
    counts by sex and age band at any scale (a small 10x, for tests). `areas` keeps only the
    LSOAs that lie in one of these areas before or from April 2009 (a demo of a few areas)."""
    if not (0 < scale <= 1 or scale == 10):
        raise ValueError(f"scale must be in (0, 1] or 10, not {scale}")
    if breakdown is None:
        breakdown = scale == 10
    kept = sorted(areas) if areas is not None else None  # before `areas` names the seed's
    quarters = quarters_between(first, last)
    folder = out / FEED_DIR
    (folder / "claimants").mkdir(parents=True, exist_ok=True)
    (folder / "population").mkdir(parents=True, exist_ok=True)
    areas = read_areas(seeds_dir)
    deprivation = [(a.area_code, area_profile(a, seed).deprivation) for a in areas]
    con = duckdb.connect()
    try:
        con.execute("create table area_context (area_code varchar, deprivation double)")
        con.executemany("insert into area_context values (?, ?)", deprivation)
        lookup = seeds_dir / "lsoa_area_lookup.csv"
        share = 1.0 if scale == 10 else scale
        con.execute(
            f"""
            create table lsoas as
            select lookup.lsoa_code,
                exp(ln(0.09) + 0.35 * coalesce(area_context.deprivation, 0)
                    + 0.55 * {_normal(f"'{seed}|rate|' || lookup.lsoa_code")}) as base_rate,
                950 * exp(0.25 * {_normal(f"'{seed}|population|' || lookup.lsoa_code")})
                    as base_population
            from read_csv(?, all_varchar = true) as lookup
            left join area_context on lookup.area_code_before_2009 = area_context.area_code
            where ?::varchar[] is null or list_contains(?, lookup.area_code_before_2009)
                or list_contains(?, lookup.area_code_from_2009)
            qualify floor(row_number() over (order by lookup.lsoa_code) * ?)
                > floor((row_number() over (order by lookup.lsoa_code) - 1) * ?)
            """,  # noqa: S608 (numbers and names of this module, no input text)
            [str(lookup), kept, kept, kept, share, share],
        )
        lsoas = con.execute("select count(*) from lsoas").fetchone()[0]
        years = sorted({int(q[:4]) for q in quarters})
        population_rows = 0
        for year in years:
            population_rows += _copy(
                con,
                f"""
                select lsoa_code, {year} as year,
                    cast(round(base_population * (1 + 0.006 * ({year} - 2001))) as bigint)
                        as working_age_population
                from lsoas order by lsoa_code
                """,  # noqa: S608 (a year number)
                folder / "population" / f"wpls_population_{year}.parquet",
            )
        groups = ", ".join(f"('{g}', {GROUP_SHARES[g]}, {i})" for i, g in enumerate(CLIENT_GROUPS))
        cells = [("", "", 1.0)]
        if breakdown:
            cells = [(sex, band, ws * wa) for sex, ws in SEXES for band, wa in AGE_BANDS]
        cell_values = ", ".join(f"('{sex}', '{band}', {w})" for sex, band, w in cells)
        breakdown_columns = ", cells.sex, cells.age_band" if breakdown else ""
        claimant_rows = 0
        for quarter in quarters:
            claimant_rows += _copy(
                con,
                f"""
                with main_totals as (
                    select lsoa_code,
                        round(base_population * (1 + 0.006 * ({quarter[:4]} - 2001))
                            * least(0.8, base_rate * {_time_factor(quarter)}
                                * exp(0.05 * {_normal(f"'{seed}|{quarter}|' || lsoa_code")})))
                            as main_claimants
                    from lsoas
                ),
                groups (client_group, share, position) as (values {groups}),
                cells (sex, age_band, weight) as (values {cell_values})
                select main_totals.lsoa_code, '{quarter}' as quarter, groups.client_group
                    {breakdown_columns},
                    cast(floor(main_totals.main_claimants * groups.share * cells.weight)
                        as bigint) as claimants
                from main_totals cross join groups cross join cells
                order by main_totals.lsoa_code, groups.position, cells.sex, cells.age_band
                """,  # noqa: S608 (quarters checked by quarters_between, this module's constants)
                folder / "claimants" / f"wpls_claimants_{quarter}.parquet",
            )
    finally:
        con.close()
    return FeedSummary(
        folder, lsoas, len(quarters), claimant_rows, population_rows, len(quarters) + len(years)
    )


def _time_factor(quarter: str) -> str:
    """The national level of worklessness in a quarter, relative to its 1999-2011 mean."""
    year, month = map(int, quarter.split("-"))
    t = year + (month - 1) / 12
    level = 1.12 - 0.025 * (min(t, 2008.5) - 1999)  # a slow fall to mid-2008
    if t > 2008.5:
        level += min(0.16, 0.16 * (t - 2008.5) / 1.25)  # the recession's rise, to late 2009
    if t > 2010.5:
        level -= min(0.06, 0.06 * (t - 2010.5))  # and a partial easing
    return f"{level:.6f}"


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write query's rows to path as Parquet (through a temporary name); rows written."""
    partial = path.with_name(path.name + ".partial")
    target = str(partial).replace("'", "''")
    (rows,) = con.execute(f"copy ({query}) to '{target}' (format parquet)").fetchone()
    partial.replace(path)
    return rows

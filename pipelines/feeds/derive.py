"""NI 152 and NI 153 derived from the WPLS neighbourhood feed, by the rules of issue 14, in one
set of DuckDB statements (statistical_methods.md, "NI 153 and NI 152").

Input: two relations on the connection, each holding one row per key (current, validated):
  feed_claimants    lsoa_code, quarter ('YYYY-MM', reference month 02/05/08/11), client_group,
                    claimants (already summed over any sex / age band breakdown)
  feed_population   lsoa_code, year, working_age_population
and the seeds folder (lsoa_area_lookup.csv, periods.csv, national_indicators.csv).

The rules, so that anyone can recompute the figures from the files:
  - main claimants: job_seekers + incapacity_benefits + lone_parents + others_on_income_related
    (carers, disabled and bereaved are not counted);
  - an LSOA's population in a quarter is that of the reference month's calendar year, or of
    the latest earlier year the feed has when that year is missing; an LSOA with no population
    up to that year, or no claimant rows in the quarter, takes no part in that quarter;
  - an LSOA's rate = main claimants / population x 100;
  - qualifying (NI 153's worst neighbourhoods, fixed once): the mean of its rates in 2006-05,
    2006-08, 2006-11 and 2007-02 is >= 25; an LSOA without all four rates does not qualify
    (its baseline is incomplete, and says so);
  - the quarter's period: May -> Q1, August -> Q2, November -> Q3 of the financial year that
    starts that year, February -> Q4 of the one before (2007-02 is 2006-07Q4, 2008-05 is
    2008-09Q1); a quarter whose period is not in periods.csv (after 2010-11Q4) is not derived;
  - the LSOA's area: its area before April 2009 for periods before 2009-10, from April 2009 after;
  - an area's NI 152 = sum of main claimants over its LSOAs / sum of their populations x the
    indicator's multiplier (100), as a ratio of sums; NI 153 the same over its qualifying LSOAs;
    an area with no qualifying LSOA has no NI 153 value (`derived_without`, with the reason).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .contract import MAIN_GROUPS

BASELINE_QUARTERS = ("2006-05", "2006-08", "2006-11", "2007-02")
QUALIFYING_RATE = 25.0


def period_of_quarter(quarter: str) -> str:
    """The financial-quarter period id of a WPLS reference month: 2007-02 -> 2006-07Q4."""
    year, month = int(quarter[:4]), int(quarter[5:7])
    number = {5: 1, 8: 2, 11: 3, 2: 4}[month]
    start = year if month != 2 else year - 1
    return f"{start}-{(start + 1) % 100:02d}Q{number}"


def derive(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> None:
    """Create (replace) on con the tables
    lsoa_rates          lsoa_code, quarter, main_claimants, working_age_population,
                        population_year, rate
    ni153_neighbourhoods lsoa_code, area_code_before_2009, area_code_from_2009,
                        baseline_rate (null when incomplete), baseline_quarters, qualifying
    derived_values      area_code, ni_code, period_id, quarter, numerator, denominator, value,
                        lsoas (how many LSOAs the figure is over)
    derived_without     area_code, ni_code, period_id, quarter, reason
    from feed_claimants and feed_population: the three steps below, over the whole feed. A
    load (pipelines/feeds/load.py) runs them on the quarters it touched instead.
    """
    derive_lsoa_rates(con)
    derive_neighbourhoods(con, seeds_dir, "lsoa_rates")
    derive_area_values(con, seeds_dir, "lsoa_rates", "ni153_neighbourhoods")


def _params(seeds_dir: Path) -> dict:
    return {
        "lookup": str(seeds_dir / "lsoa_area_lookup.csv"),
        "periods": str(seeds_dir / "periods.csv"),
        "indicators": str(seeds_dir / "national_indicators.csv"),
        "main": list(MAIN_GROUPS),
        "baseline": list(BASELINE_QUARTERS),
        "qualifying": QUALIFYING_RATE,
    }


def join_population(rows: str, year: str) -> str:
    """SQL joining the relation `rows` (with lsoa_code) to its LSOA's row of feed_population
    (as `population`) for the calendar year `year` (an SQL expression over `rows`), or for the
    latest earlier year the feed has: the one statement of that rule, for the rates here and
    the ABOVE_POPULATION check of the row rules (validate.py)."""
    return (
        "asof inner join feed_population as population "
        f"on {rows}.lsoa_code = population.lsoa_code and {year} >= population.year"
    )


def derive_lsoa_rates(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table lsoa_rates: each LSOA's rate in each quarter of feed_claimants."""
    con.execute(
        f"""
        create or replace temp table lsoa_rates as
        with main as (
            select lsoa_code, quarter, sum(claimants) as main_claimants,
                cast(left(quarter, 4) as integer) as year
            from feed_claimants
            where client_group in $main
            group by lsoa_code, quarter
        )
        select main.lsoa_code, main.quarter, main.main_claimants,
            population.working_age_population, population.year as population_year,
            main.main_claimants * 100.0 / population.working_age_population as rate
        from main
        {join_population("main", "main.year")}
        where population.working_age_population > 0
        """,  # noqa: S608 (our names)
        {"main": list(MAIN_GROUPS)},
    )


def derive_neighbourhoods(con: duckdb.DuckDBPyConnection, seeds_dir: Path, rates: str) -> None:
    """Temp table ni153_neighbourhoods: every LSOA of the lookup seed, its baseline rate from
    the relation `rates` (lsoa_code, quarter, rate) and whether it qualifies."""
    params = _params(seeds_dir)
    con.execute(
        f"""
        create or replace temp table ni153_neighbourhoods as
        with lookup as (
            select lsoa_code, area_code_before_2009, area_code_from_2009
            from read_csv($lookup, all_varchar = true)
        ),
        baseline as (
            select lsoa_code, count(*) as quarters, sum(rate order by quarter) / 4 as mean_rate
            from {rates}
            where quarter in $baseline
            group by lsoa_code
        )
        select lookup.lsoa_code, lookup.area_code_before_2009, lookup.area_code_from_2009,
            case when baseline.quarters = 4 then baseline.mean_rate end as baseline_rate,
            coalesce(baseline.quarters, 0) as baseline_quarters,
            coalesce(baseline.quarters = 4 and baseline.mean_rate >= $qualifying, false)
                as qualifying
        from lookup
        left join baseline on lookup.lsoa_code = baseline.lsoa_code
        """,  # noqa: S608 (a table name of ours)
        {k: params[k] for k in ("lookup", "baseline", "qualifying")},
    )


def derive_area_values(
    con: duckdb.DuckDBPyConnection, seeds_dir: Path, rates: str, neighbourhoods: str
) -> None:
    """Temp tables derived_values and derived_without: NI 152 and NI 153 of every area in every
    quarter of the relation `rates`, over the LSOAs and qualifying flags of `neighbourhoods`."""
    params = _params(seeds_dir)
    quarters = [q for (q,) in con.execute(f"select distinct quarter from {rates}").fetchall()]  # noqa: S608
    con.execute("create or replace temp table quarter_periods (quarter varchar, period_id varchar)")
    con.executemany(
        "insert into quarter_periods values (?, ?)", [(q, period_of_quarter(q)) for q in quarters]
    )
    con.execute(
        f"""
        create or replace temp table derived_figures as
        with periods as (
            select period_id, financial_year from read_csv($periods, all_varchar = true)
            where period_type = 'quarter'
        ),
        placed as (
            select
                case when periods.financial_year < '2009-10'
                    then ni153_neighbourhoods.area_code_before_2009
                    else ni153_neighbourhoods.area_code_from_2009
                end as area_code,
                periods.period_id, lsoa_rates.quarter, lsoa_rates.main_claimants,
                lsoa_rates.working_age_population, ni153_neighbourhoods.qualifying
            from {rates} as lsoa_rates
            inner join quarter_periods on lsoa_rates.quarter = quarter_periods.quarter
            inner join periods on quarter_periods.period_id = periods.period_id
            inner join {neighbourhoods} as ni153_neighbourhoods
                on lsoa_rates.lsoa_code = ni153_neighbourhoods.lsoa_code
        ),
        indicators as (
            select ni_code, cast(multiplier as double) as multiplier
            from read_csv($indicators, all_varchar = true)
            where ni_code in ('NI 152', 'NI 153')
        ),
        sums as (
            select area_code, 'NI 152' as ni_code, period_id, quarter,
                sum(main_claimants) as numerator, sum(working_age_population) as denominator,
                count(*) as lsoas
            from placed group by area_code, period_id, quarter
            union all
            select area_code, 'NI 153', period_id, quarter,
                sum(main_claimants) filter (where qualifying),
                sum(working_age_population) filter (where qualifying),
                count(*) filter (where qualifying)
            from placed group by area_code, period_id, quarter
        )
        select sums.area_code, sums.ni_code, sums.period_id, sums.quarter,
            cast(sums.numerator as double) as numerator,
            cast(sums.denominator as double) as denominator,
            -- as ingest derives a value from its parts (validate.sql): numerator x multiplier
            -- / denominator, in doubles
            cast(sums.numerator as double) * indicators.multiplier
                / cast(sums.denominator as double) as value,
            sums.lsoas
        from sums
        inner join indicators on sums.ni_code = indicators.ni_code
        """,  # noqa: S608 (table names of ours)
        {k: params[k] for k in ("periods", "indicators")},
    )
    con.execute(
        """
        create or replace temp table derived_values as
        select * from derived_figures where lsoas > 0 and numerator <= denominator
        """
    )
    con.execute(
        """
        create or replace temp table derived_without as
        select area_code, ni_code, period_id, quarter,
            'no qualifying neighbourhood: none of the area''s LSOAs averaged an out-of-work '
            || 'rate of 25 % or more from May 2006 to February 2007' as reason
        from derived_figures where lsoas = 0
        union all
        select area_code, ni_code, period_id, quarter,
            'the main-group claimants (' || numerator || ') exceed the working-age population ('
            || denominator || '): a rate above 100 % is not a value' as reason
        from derived_figures where lsoas > 0 and numerator > denominator
        """
    )

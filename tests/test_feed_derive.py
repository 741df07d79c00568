"""NI 152 and NI 153 derived from neighbourhood data (pipelines/feeds/derive.py), checked
against the rules computed here in plain Python from the same feed rows, on a generated feed
of a few hundred LSOAs, and on hand-made rows for each rule's edge."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from feed_oracle import expected, lsoa_lookup

from pipelines.feeds.contract import MAIN_GROUPS
from pipelines.feeds.derive import BASELINE_QUARTERS, derive, period_of_quarter
from pipelines.feeds.generate import generate_wpls_feed

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"


def _load(con: duckdb.DuckDBPyConnection, claimants: list[tuple], population: list[tuple]):
    con.execute(
        "create or replace table feed_claimants "
        "(lsoa_code varchar, quarter varchar, client_group varchar, claimants bigint)"
    )
    con.execute(
        "create or replace table feed_population "
        "(lsoa_code varchar, year integer, working_age_population bigint)"
    )
    con.executemany("insert into feed_claimants values (?, ?, ?, ?)", claimants)
    con.executemany("insert into feed_population values (?, ?, ?)", population)


def derived(con: duckdb.DuckDBPyConnection) -> tuple[set, dict, set]:
    qualifying = {
        lsoa for (lsoa,) in con.execute("select lsoa_code from ni153_neighbourhoods where qualifying").fetchall()
    }  # fmt: skip
    figures = {
        (a, ni, p): (n, d, v)
        for a, ni, p, n, d, v in con.execute(
            "select area_code, ni_code, period_id, numerator, denominator, value "
            "from derived_values"
        ).fetchall()
    }
    without = set(con.execute("select area_code, period_id from derived_without").fetchall())
    return qualifying, figures, without


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("feed")
    generate_wpls_feed(out, SEEDS, scale=0.02, first="2006-02", last="2011-02")
    return out / "feeds" / "wpls"


def test_a_generated_feed_gives_exactly_the_figures_of_the_rules(feed):
    con = duckdb.connect()
    con.execute(
        "create table feed_claimants as select lsoa_code, quarter, client_group, claimants "
        "from read_parquet(?)",
        [str(feed / "claimants" / "*.parquet")],
    )
    con.execute(
        "create table feed_population as select lsoa_code, year, working_age_population "
        "from read_parquet(?)",
        [str(feed / "population" / "*.parquet")],
    )
    claimants = con.execute("select * from feed_claimants").fetchall()
    population = con.execute("select * from feed_population").fetchall()
    derive(con, SEEDS)
    qualifying, figures, without = expected(claimants, population)
    got_qualifying, got_figures, got_without = derived(con)
    assert 5 < len(qualifying) < 100  # a tail of a few hundred LSOAs qualifies
    assert got_qualifying == qualifying
    assert got_figures.keys() == figures.keys()
    differ = [k for k in figures if got_figures[k] != figures[k]]  # exact: same doubles
    assert not differ, differ[:3]
    assert got_without == without
    # 2006-02 .. 2011-02 is 2005-06Q4 .. 2010-11Q4: 21 quarters, 150 areas before 2009-10
    periods = {p for _, ni, p in figures if ni == "NI 152"}
    assert len(periods) == 21 and {"2005-06Q4", "2006-07Q4", "2010-11Q4"} <= periods


def test_each_rule_at_its_edge():
    lookup = lsoa_lookup()
    bedfordshire = sorted(c for c, (before, _) in lookup.items() if before == "E10000001")
    one, two = bedfordshire[0], bedfordshire[-1]  # Bedford, Central Bedfordshire from 2009
    assert lookup[one][1] == "E06000055" and lookup[two][1] == "E06000056"
    main = MAIN_GROUPS[0]
    claimants = [(one, q, main, 300) for q in BASELINE_QUARTERS]  # 30 %: qualifies
    claimants += [(one, q, "carers", 900) for q in BASELINE_QUARTERS]  # not a main group
    claimants += [(two, q, main, 300) for q in BASELINE_QUARTERS[1:]]  # 3 of 4: no baseline
    claimants += [(one, "2009-05", main, 100), (two, "2009-05", main, 50)]
    population = [(one, 2006, 1000), (one, 2007, 1000), (two, 2006, 1000)]  # two: no 2007+
    con = duckdb.connect()
    _load(con, claimants, population)
    derive(con, SEEDS)
    qualifying = dict(con.execute("select lsoa_code, qualifying from ni153_neighbourhoods where lsoa_code in (?, ?)", [one, two]).fetchall())  # fmt: skip
    assert qualifying == {one: True, two: False}
    rows = {
        (a, ni, p): (n, d)
        for a, ni, p, n, d in con.execute(
            "select area_code, ni_code, period_id, numerator, denominator from derived_values"
        ).fetchall()
    }
    # 2007-02 is 2006-07Q4, before 2009-10: both LSOAs count for Bedfordshire (two's 2007
    # population is the 2006 figure, the latest earlier year); NI 153 over `one` only
    assert rows[("E10000001", "NI 152", "2006-07Q4")] == (600.0, 2000.0)
    assert rows[("E10000001", "NI 153", "2006-07Q4")] == (300.0, 1000.0)
    # 2009-05 is 2009-10Q1: each LSOA in its successor; Central Bedfordshire has no NI 153
    assert rows[("E06000055", "NI 152", "2009-10Q1")] == (100.0, 1000.0)
    assert rows[("E06000056", "NI 152", "2009-10Q1")] == (50.0, 1000.0)
    assert ("E06000056", "NI 153", "2009-10Q1") not in rows
    reason = con.execute(
        "select reason from derived_without where area_code = 'E06000056'"
    ).fetchone()[0]
    assert "no qualifying neighbourhood" in reason


def test_reference_months_give_the_financial_quarter():
    assert period_of_quarter("2007-02") == "2006-07Q4"
    assert period_of_quarter("2008-05") == "2008-09Q1"
    assert period_of_quarter("2008-08") == "2008-09Q2"
    assert period_of_quarter("2008-11") == "2008-09Q3"
    assert period_of_quarter("1999-02") == "1998-99Q4"

"""The illustrative WPLS feed generator (`niw demo --feeds`), at small scale: deterministic,
complete, realistic, and kept apart from the returns a load reads."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from pipelines.feeds.contract import CLIENT_GROUPS
from pipelines.feeds.generate import generate_wpls_feed, quarters_between
from pipelines.ingest.discover import list_ignored, list_return_files

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"
MAIN = ["job_seekers", "incapacity_benefits", "lone_parents", "others_on_income_related"]


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("feed")
    summary = generate_wpls_feed(out, SEEDS, scale=0.05, first="2006-05", last="2011-02")
    assert summary.quarters == 20 and summary.lsoas == 1_624  # every 20th of 32,482
    assert summary.claimant_rows == 1_624 * 20 * len(CLIENT_GROUPS)
    return out / "feeds" / "wpls"


def test_the_same_arguments_write_the_same_bytes(feed, tmp_path):
    generate_wpls_feed(tmp_path, SEEDS, scale=0.05, first="2006-05", last="2011-02")
    assert _digests(tmp_path / "feeds" / "wpls") == _digests(feed)


def test_every_lsoa_has_every_quarter_group_and_a_population(feed):
    con = duckdb.connect()
    claimants, population = [str(feed / "claimants" / "*.parquet")], [str(feed / "population" / "*.parquet")]  # fmt: skip
    assert con.execute(
        "select count(distinct lsoa_code), count(distinct quarter), "
        "count(distinct client_group), min(claimants) >= 0 from read_parquet(?)",
        claimants,
    ).fetchone() == (1_624, 20, 7, True)
    listed = con.execute(
        "select distinct quarter from read_parquet(?) order by 1", claimants
    ).fetchall()
    assert [q for (q,) in listed] == quarters_between("2006-05", "2011-02")
    assert con.execute(
        "select count(*), count(distinct (lsoa_code, year)), min(year), max(year), "
        "min(working_age_population) > 0 from read_parquet(?)",
        population,
    ).fetchone() == (1_624 * 6, 1_624 * 6, 2006, 2011, True)


def test_rates_are_realistic_most_lsoas_5_to_20_percent_and_a_tail_above_25(feed):
    con = duckdb.connect()
    share_5_20, share_25, england = con.execute(
        """
        with rates as (
            select c.lsoa_code, c.quarter,
                100.0 * sum(c.claimants) / any_value(p.working_age_population) as rate,
                sum(c.claimants) as main, any_value(p.working_age_population) as people
            from read_parquet(?) as c
            join read_parquet(?) as p
                on c.lsoa_code = p.lsoa_code and p.year = cast(left(c.quarter, 4) as integer)
            where c.client_group in ?
            group by all
        )
        select avg((rate between 5 and 20)::int), avg((rate >= 25)::int),
            100.0 * sum(main) / sum(people)
        from rates
        """,
        [str(feed / "claimants" / "*.parquet"), str(feed / "population" / "*.parquet"), MAIN],
    ).fetchone()
    assert share_5_20 > 0.55 and 0.01 < share_25 < 0.15, (share_5_20, share_25)
    assert 7 < england < 14, england


def test_a_scale_outside_the_documented_ones_is_refused(tmp_path):
    with pytest.raises(ValueError, match="scale must be"):
        generate_wpls_feed(tmp_path, SEEDS, scale=2)
    with pytest.raises(ValueError, match="not a WPLS reference month"):
        generate_wpls_feed(tmp_path, SEEDS, scale=0.01, first="2006-04")


def test_the_returns_skip_the_feeds_folder_and_an_unknown_feed_is_listed_as_ignored(feed):
    raw = feed.parent.parent
    (raw / "a_return.csv").write_text("area_code,indicator,period,value\n", encoding="utf-8")
    (raw / "feeds" / "hmrc").mkdir()
    assert [f.path for f in list_return_files(raw)] == ["a_return.csv"]
    assert list_ignored(raw) == [("feeds/hmrc", "not a departmental feed this version loads (only feeds/wpls/ is)")]  # fmt: skip


def test_the_10x_breakdown_splits_each_count_by_sex_and_five_age_bands(tmp_path):
    summary = generate_wpls_feed(
        tmp_path, SEEDS, scale=0.01, first="2008-05", last="2008-08", breakdown=True
    )
    assert summary.claimant_rows == summary.lsoas * 2 * 7 * 10
    con = duckdb.connect()
    cells = con.execute(
        "select count(distinct sex), count(distinct age_band), min(claimants) >= 0 "
        "from read_parquet(?)",
        [str(tmp_path / "feeds" / "wpls" / "claimants" / "*.parquet")],
    ).fetchone()
    assert cells == (2, 5, True)

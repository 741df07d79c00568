"""The WPLS neighbourhood feed through the real nightly load (issue 14): files taken up,
rows stored as Parquet, NI 152 and NI 153 derived into the ledger and on through dbt.

A feed of every 50th LSOA (~650) for 2006-05 .. 2010-02 plus a file of bad rows is loaded;
then a new quarter and a revision of one row; then the same files again from empty. Figures
are checked against the rules written again in Python (tests/feed_oracle.py) on the rows
the feed files hold.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from feed_oracle import expected
from harness import SEEDS, NightlyLoad

from pipelines.feeds.generate import generate_wpls_feed
from pipelines.feeds.load import feed_store, new_feed_files, referenced_load_ids, remove_orphans
from pipelines.ingest.ledger import files_seen
from pipelines.settings import REPO_ROOT
from pipelines.warehouse.build_file import generations_dir, rollback
from pipelines.warehouse.quiet_night import pending_work

SCALE = 0.02
AS_OF = "2026-11-30"
RETURN = "area_code,indicator,period,value,status\nE08000016,NI 117,2008-09,7.1,final\n"
BAD_ROWS = "feeds/wpls/claimants/zz_bad_rows.csv"
REVISION = "feeds/wpls/claimants/zz_revision_2007-05.csv"


def _stored_rows(raw: Path) -> tuple[list[tuple], list[tuple]]:
    """(claimant rows, population rows) the generated Parquet files of raw hold."""
    con = duckdb.connect()
    folder = raw / "feeds" / "wpls"
    claimants = con.execute(
        "select lsoa_code, quarter, client_group, claimants from read_parquet(?)",
        [str(folder / "claimants" / "*.parquet")],
    ).fetchall()
    population = con.execute(
        "select lsoa_code, year, working_age_population from read_parquet(?)",
        [str(folder / "population" / "*.parquet")],
    ).fetchall()
    return claimants, population


def _outside_feed(population: list[tuple]) -> str:
    """An LSOA of the lookup the feed does not cover (so a row for it changes no figure)."""
    covered = {lsoa for lsoa, _, _ in population}
    return next(f"E01{n:06d}" for n in range(1, 40_000) if f"E01{n:06d}" not in covered)


def _figures(load: NightlyLoad) -> dict[tuple, tuple]:
    return {
        (a, ni, p): (n, d, v)
        for a, ni, p, n, d, v in load.query(
            "select area_code, ni_code, period_id, numerator, denominator, value "
            "from marts.fct_indicator_values where ni_code in ('NI 152', 'NI 153')"
        )
    }


@pytest.fixture(scope="module")
def first(make_nightly_load: Callable[..., NightlyLoad]) -> NightlyLoad:
    """The first load: the feed, a file of bad rows and one return."""
    load = make_nightly_load("feed-first", as_of=AS_OF)
    generate_wpls_feed(load.raw, SEEDS, scale=SCALE, first="2006-05", last="2010-02")
    _, population = _stored_rows(load.raw)
    lsoa, outside = population[0][0], _outside_feed(population)
    load.write(
        BAD_ROWS,
        "lsoa_code,quarter,client_group,claimants\n"
        f"E0199999X,2008-05,job_seekers,3\n"  # line 2: UNKNOWN_LSOA
        f"{lsoa},2008-04,job_seekers,3\n"  # 3: BAD_QUARTER (April is no reference month)
        f"{lsoa},2008-05,students,3\n"  # 4: UNKNOWN_CLIENT_GROUP
        f"{lsoa},2008-05,lone_parents,-1\n"  # 5: BAD_COUNT
        f"{lsoa},2008-05,carers,2.5\n"  # 6: BAD_COUNT (each key once: not a duplicate)
        f"{lsoa},2008-05,job_seekers,999999\n"  # 7: ABOVE_POPULATION
        f"{outside},2008-05,carers,4\n"  # 8: accepted (an LSOA without population: no rate)
        f"{outside},2008-05,carers,5\n",  # 9: DUPLICATE_ROW
    )
    load.write("2008-09/barnsley.csv", RETURN)
    result = load.run()
    assert result.success, result.all_events
    return load


@dataclass
class Second:
    """The second load, killed once (kill -9) after it had stored feed rows, then run again."""

    load: NightlyLoad
    live_before: str  # the live file's SHA-256 before the killed load
    listed_before: set[str]  # the stored files its ledger listed
    leftovers: set[str]  # what the killed load had stored, unlisted
    after_kill: tuple[str, set[str], list[tuple]]  # sha, listed files, 2010-05 rates then
    summary: str  # the stdout of the `niw run` that then loaded


@pytest.fixture(scope="module")
def second(first: NightlyLoad, tmp_path_factory) -> Second:
    """The next load on a copy: a new quarter (2010-05) and one revised row of 2007-05 (outside
    the comparator baseline years, so no other indicator need be recomputed). `niw run` is
    killed with kill -9 once it has stored feed rows that no ledger lists yet; a second
    `niw run` then loads the files."""
    load = first.copy(tmp_path_factory.mktemp("feed") / "second")
    generate_wpls_feed(load.raw / "new", SEEDS, scale=SCALE, first="2010-05", last="2010-05")
    new = load.raw / "new" / "feeds" / "wpls" / "claimants" / "wpls_claimants_2010-05.parquet"
    new.rename(load.raw / "feeds" / "wpls" / "claimants" / new.name)
    (load.raw / "new").rename(load.root / "new_unused")  # its population repeats the 2010 file
    claimants, _ = _stored_rows(load.raw)
    lsoa, _, group, count = next(
        r for r in claimants if r[1] == "2007-05" and r[2] == "job_seekers" and r[3] > 10
    )
    load.write(REVISION, f"lsoa_code,quarter,client_group,claimants\n{lsoa},2007-05,{group},{count - 10}\n")  # fmt: skip
    assert pending_work(load.settings()) == "2 new or changed files under the raw folder"

    store = feed_store(load.warehouse)
    live_before = load.sha256()
    listed_before = _listed(load)
    running = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run"],
        env={**os.environ, **load.env()},
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so kill -9 reaches its children too
    )
    deadline, leftovers = time.monotonic() + 300, set()
    while time.monotonic() < deadline and not leftovers and running.poll() is None:
        leftovers = _on_disk(store) - listed_before
        time.sleep(0.02)
    os.killpg(running.pid, signal.SIGKILL)
    running.wait()
    after_kill = (
        load.sha256(),
        _listed(load),
        load.query("select * from marts.lsoa_quarter_rates where quarter = '2010-05'"),
    )
    again = load.niw("run", timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    return Second(load, live_before, listed_before, leftovers, after_kill, again.stdout)


def _listed(load: NightlyLoad) -> set[str]:
    return {p for (p,) in load.query("select stored_path from ingest.feed_stored")}


def _on_disk(store: Path) -> set[str]:
    return {p.relative_to(store).as_posix() for p in store.rglob("*.parquet")}


def _revised(load: NightlyLoad) -> tuple[list[tuple], list[tuple]]:
    """The feed rows as the second load's files make them current (the revision applied)."""
    claimants, population = _stored_rows(load.raw)
    revision = (load.raw / REVISION).read_text().splitlines()[1].split(",")
    key = tuple(revision[:3])
    claimants = [r if r[:3] != key else (*key, int(revision[3])) for r in claimants]
    return claimants, population


def test_ni152_and_ni153_are_the_rules_applied_to_the_feed_rows(first: NightlyLoad) -> None:
    qualifying, figures, without = expected(*_stored_rows(first.raw))
    assert _figures(first) == figures  # exact: the same doubles, every area and quarter
    assert {p for _, ni, p in figures if ni == "NI 152"} >= {"2006-07Q1", "2009-10Q2"}
    published = {
        lsoa
        for (lsoa,) in first.query(
            "select lsoa_code from marts.ni153_neighbourhoods where is_qualifying"
        )
    }
    assert published == qualifying and 3 < len(qualifying) < 60
    # an area with none of them has no NI 153 value, and says why
    none = {a for (a,) in first.query("select area_code from marts.ni153_area_neighbourhoods where qualifying_lsoas = 0 and no_ni153_reason like 'no qualifying neighbourhood%'")}  # fmt: skip
    assert {a for a, _ in without} <= none
    # each value traces back to the feed file it came from
    sources = first.query(
        "select distinct source_file from marts.fct_indicator_values where ni_code = 'NI 152'"
    )
    quarters = ("2006-05", "2006-08", "2006-11", "2007-02", "2007-05", "2007-08", "2007-11")
    quarters += ("2008-02", "2008-08", "2008-11", "2009-02", "2009-05", "2009-08", "2009-11")
    quarters += ("2010-02",)
    # each quarter's figures name the last file of the load that touched the quarter: the
    # bad-rows file (one accepted row in 2008-05) sorts after that quarter's own file
    assert {s for (s,) in sources} == {
        f"feeds/wpls/claimants/wpls_claimants_{q}.parquet" for q in quarters
    } | {BAD_ROWS}


def test_bad_feed_rows_are_quarantined_with_their_reasons(first: NightlyLoad) -> None:
    rejected = first.query(
        "select line_number, reason_code from audit.feed_rejected_rows where path = ? order by 1",
        BAD_ROWS,
    )
    assert rejected == [
        (2, "UNKNOWN_LSOA"),
        (3, "BAD_QUARTER"),
        (4, "UNKNOWN_CLIENT_GROUP"),
        (5, "BAD_COUNT"),
        (6, "BAD_COUNT"),
        (7, "ABOVE_POPULATION"),
        (9, "DUPLICATE_ROW"),
    ]
    (row,) = first.query(
        "select outcome, kind, rows_read, rows_accepted, rows_rejected from audit.feed_files "
        "where path = ?",
        BAD_ROWS,
    )
    assert row == ("LOADED", "claimants", 8, 1, 7)


def test_the_feed_rows_live_as_partitioned_parquet_outside_the_warehouse_file(
    first: NightlyLoad,
) -> None:
    store = feed_store(first.warehouse)
    listed = {p for (p,) in first.query("select stored_path from ingest.feed_stored")}
    on_disk = {p.relative_to(store).as_posix() for p in store.rglob("*.parquet")}
    assert listed == on_disk
    assert "wpls/claimants/quarter=2008-05" in {str(Path(p).parent) for p in listed}
    # a reader that knows nothing of the warehouse reads them as hive partitions
    rows = (
        duckdb.connect()
        .execute(
            "select count(*) from read_parquet(?, hive_partitioning = true) where quarter = '2008-05'",
            [str(store / "wpls" / "claimants" / "*" / "*.parquet")],
        )
        .fetchone()[0]
    )
    stored = first.query(
        "select sum(rows) from ingest.feed_stored where kind = 'claimants' and part = '2008-05'"
    )
    assert rows == stored[0][0] > 0


def test_a_new_quarter_derives_that_quarter_alone(first: NightlyLoad, second: Second) -> None:
    load = second.load
    load_id = load.query("select load_id from ingest.loads order by load_seq desc limit 1")[0][0]
    quarters = load.query(
        "select distinct quarter from ingest.feed_lsoa_rates where load_id = ? order by 1", load_id
    )
    assert quarters == [("2007-05",), ("2010-05",)]  # the revised quarter and the new one
    changed = load.query("select ni_code, reason from intermediate.int_load_changes order by 1")
    assert changed in ([("NI 152", "values changed"), ("NI 153", "values changed")], [("NI 152", "values changed")]), changed[:3]  # fmt: skip
    # the first load's stored files are untouched: the new load only added its own
    before = {p for (p,) in first.query("select stored_path from ingest.feed_stored")}
    after = {p for (p,) in load.query("select stored_path from ingest.feed_stored")}
    assert before < after and all(load_id in p for p in after - before)


def test_a_revised_feed_row_changes_the_value_and_keeps_the_history(second: Second) -> None:
    load = second.load
    qualifying, figures, _ = expected(*_revised(load))
    assert _figures(load) == figures
    history = load.query(
        "select area_code, version_number, source_file, value "
        "from marts.fct_indicator_value_history "
        "where ni_code = 'NI 152' and period_id = '2007-08Q1' and area_code in ("
        "    select area_code from marts.fct_indicator_value_history "
        "    where ni_code = 'NI 152' and period_id = '2007-08Q1' and version_number = 2) "
        "order by area_code, version_number"
    )
    assert [(v, s) for _, v, s, _ in history] == [
        (1, "feeds/wpls/claimants/wpls_claimants_2007-05.parquet"),
        (2, REVISION),
    ]
    area = history[0][0]
    assert history[1][3] == figures[(area, "NI 152", "2007-08Q1")][2] != history[0][3]


def test_the_incremental_loads_equal_a_load_from_empty_of_the_same_files(
    second: Second, make_nightly_load: Callable[..., NightlyLoad]
) -> None:
    """Figures, judgements and neighbourhoods are the same; only the lineage differs (from
    empty, the revision is read with the row it revises, so there is one version, not two)."""
    empty = make_nightly_load("feed-from-empty", as_of=AS_OF)
    empty.raw.rmdir()
    os.symlink(second.load.raw, empty.raw)  # the same files
    assert empty.run().success
    queries = {
        "values": "select area_code, ni_code, period_id, value, numerator, denominator, status "
        "from marts.fct_indicator_values order by all",
        "judged": "select * from marts.caa_area_performance "
        "where ni_code in ('NI 152', 'NI 153') order by all",
        "neighbourhoods": "select * exclude (load_id) from marts.ni153_neighbourhoods order by all",
        "rates": "select * exclude (load_id) from marts.lsoa_quarter_rates order by all",
        "published": "select area_code, ni_code, period_id, value from "
        "publication.fct_indicator_values order by all",
    }
    for name, sql in queries.items():
        assert second.load.query(sql) == empty.query(sql), name


def test_a_load_killed_after_storing_feed_rows_damages_nothing(second: Second) -> None:
    """The killed load had stored the new quarter's rows: the live warehouse, the files its
    ledger lists and what analysts read stayed as they were; the next load removed the
    leftovers, loaded the files and said so."""
    assert second.leftovers, "the load finished or failed before it stored feed rows"
    sha, listed, rates = second.after_kill
    assert (sha, listed, rates) == (second.live_before, second.listed_before, [])
    now = _listed(second.load)
    assert _on_disk(feed_store(second.load.warehouse)) == now
    assert not (second.leftovers & now)
    assert "feed:  2 WPLS file(s) taken up (2 loaded)" in second.summary


def test_the_release_carries_the_qualifying_list_and_area_pages_count_them(
    first: NightlyLoad,
) -> None:
    release = first.latest()
    con = duckdb.connect()
    listed = con.execute(
        "select lsoa_code from read_parquet(?) where is_qualifying order by 1",
        [str(release / "data" / "ni153_neighbourhoods.parquet")],
    ).fetchall()
    assert listed == first.query(
        "select lsoa_code from marts.ni153_neighbourhoods where is_qualifying order by 1"
    )
    area, lsoas, qualifying = first.query(
        "select area_code, lsoas, qualifying_lsoas from marts.ni153_area_neighbourhoods "
        "order by qualifying_lsoas desc, area_code limit 1"
    )[0]
    page = (release / "site" / "areas" / f"{area}.html").read_text(encoding="utf-8")
    assert f"{qualifying} of its {lsoas} neighbourhoods (2001 LSOAs) qualify" in page


def test_a_rollback_keeps_the_feed_rows_of_the_generation_it_leaves(
    first: NightlyLoad, second: Second, tmp_path: Path
) -> None:
    """Rolled back to the first load: the second load's feed files are withdrawn (not taken
    up again), and its stored rows stay, as the generation kept by the rollback lists them."""
    load = second.load.copy(tmp_path / "rolled-back")
    first_id = first.query("select load_id from ingest.loads order by load_seq desc limit 1")[0][0]
    second_id = load.query("select load_id from ingest.loads order by load_seq desc limit 1")[0][0]
    rollback(load.warehouse, first_id, keep=5)
    assert _listed(load) == _listed(first)
    kept = referenced_load_ids(generations_dir(load.warehouse).glob("ni.*.duckdb"))
    assert second_id in kept
    store = feed_store(load.warehouse)
    with duckdb.connect() as con:
        con.execute(f"attach '{load.warehouse}' as live (read_only); use live")
        assert remove_orphans(con, store, kept) == 0
        assert new_feed_files(load.raw, files_seen(con)) == []  # withdrawn: not taken up again
    assert _on_disk(store) == _listed(second.load)


def test_the_blocking_ingest_suite_judges_the_derived_values_too(first: NightlyLoad) -> None:
    """Great Expectations' ingest_accepted_values suite (known area, area in period, value
    within the indicator's range, ...) ran over the returns' rows and the derived ones."""
    (checked,) = first.query(
        "select element_count from quality.check_results "
        "where suite = 'ingest_accepted_values' and rule = 'area_in_period'"
    )
    rows = first.query(
        "select (select count(*) from ingest.accepted_values) "
        "+ (select count(*) from ingest.derived_values)"
    )[0]
    assert checked == rows and rows[0] > 1_000

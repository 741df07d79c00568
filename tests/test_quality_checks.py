"""The Great Expectations quality gates in real nightly_load runs.

Each hard rule is broken on purpose, in the run's real build file, between the step that
wrote the data and the Great Expectations check that guards it (or by switching a validation
rule off); the test then shows which assets the blocked run materialised and that the
published warehouse is byte-for-byte what it was. Each anomaly is raised by returns written
for it, and the warning must name its area, indicator, old and new value.
"""

# ruff: noqa: S608  (the corruptions below are SQL built from this file's own constants)
from __future__ import annotations

import csv
import json
from pathlib import Path

import dagster as dg
import pytest
from harness import SEEDS, NightlyLoad

from pipelines.ingest import load as ingest_load
from pipelines.ingest.assets import LEDGER_TABLES
from pipelines.quality import checks
from pipelines.settings import REPO_ROOT

BARNSLEY, DONCASTER, ROTHERHAM, SHEFFIELD = "E08000016", "E08000017", "E08000018", "E08000019"
HARTLEPOOL = "E06000001"
HEADER = "area_code,indicator,period,value,numerator,denominator,status\n"
INGEST_KEYS = {f"ingest/{t}" for t in LEDGER_TABLES}  # returns' and the feed's ledger tables


def areas_in(financial_year: str) -> list[str]:
    with open(SEEDS / "areas.csv", newline="", encoding="utf-8") as f:
        return [
            row["area_code"]
            for row in csv.DictReader(f)
            if (not row["valid_from_period"] or row["valid_from_period"] <= financial_year)
            and (not row["valid_to_period"] or row["valid_to_period"] >= financial_year)
        ]


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def evaluation(result: dg.ExecuteInProcessResult, check_name: str):
    found = [e for e in result.get_asset_check_evaluations() if e.check_name == check_name]
    assert len(found) == 1, f"{check_name} ran {len(found)} times"
    return found[0]


def baseline_returns() -> str:
    """NI 117 (ratio, %) and NI 154 (sum) for every area in 2008/09, some 2007/08 values."""
    rows = []
    for n, area in enumerate(areas_in("2008-09")):
        rows.append(f"{area},NI 117,2008/09,,{60 + n % 40},{1000 + 10 * n},final")
        rows.append(f"{area},NI 154,2008/09,{300 + 7 * n},,,final")
    for area, value in ((BARNSLEY, 7.0), (DONCASTER, 8.0), (ROTHERHAM, 5.5), (SHEFFIELD, 6.0)):
        rows.append(f"{area},NI 117,2007/08,{value},,,final")
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def baseline(make_nightly_load) -> NightlyLoad:
    """A published warehouse from one clean load."""
    run = make_nightly_load("baseline")
    run.write("2008-09/all_areas.csv", baseline_returns())
    result = run.run()
    assert result.success
    run.result = result  # type: ignore[attr-defined]
    return run


def test_a_clean_load_passes_every_check(baseline: NightlyLoad) -> None:
    evaluations = baseline.result.get_asset_check_evaluations()  # type: ignore[attr-defined]
    names = {e.check_name for e in evaluations}
    suites = {p.stem for p in (REPO_ROOT / "expectations").glob("*.json")}
    assert suites <= names  # every suite ran
    # and every dbt test ran as a check too (a model's rules are one test: rules_<model>)
    from pipelines.warehouse.dbt import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    dbt_tests = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    assert len(dbt_tests) > 50 and dbt_tests <= names, sorted(dbt_tests - names)
    assert [e.check_name for e in evaluations if not e.passed] == []
    assert "warehouse/live" in materialized(baseline.result)  # type: ignore[attr-defined]
    index = baseline.quality / "data_docs" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert all(suite in html for suite in suites)  # Data Docs list every suite's validation
    assert baseline.query("select count(*) from quality.check_results where not success") == [(0,)]


ROUND2 = (
    HEADER
    + f"{BARNSLEY},NI 117,2008/09,,70,1000,final\n"
    + f"{BARNSLEY},NI 117,2009/10,,65,1000,provisional\n"
    + f"{DONCASTER},NI 154,2009/10,410,,,provisional\n"
    + f"{ROTHERHAM},NI 117,2009/10,n/a,,,\n"  # rejected: BAD_NUMBER
)
LATEST_LOAD = "(select max_by(load_id, load_seq) from ingest.loads)"

# (stage, corruption, check that must block, rule that must fail, text its examples show)
HARD_RULES = {
    "accepted value out of range": (
        "after_ingest",
        f"update ingest.accepted_values set value = 170 where load_id = {LATEST_LOAD} "
        f"and area_code = '{BARNSLEY}' and period_id = '2009-10'",
        "ingest_accepted_values",
        "value_at_most_valid_max",
        "value=170",
    ),
    "accepted value with an unknown area": (
        "after_ingest",
        f"update ingest.accepted_values set area_code = 'E99999999' where load_id = {LATEST_LOAD} "
        f"and area_code = '{DONCASTER}'",
        "ingest_accepted_values",
        "known_area",
        "E99999999",
    ),
    "rows read not accepted + rejected": (
        "after_ingest",
        f"delete from ingest.rejected_rows where load_id = {LATEST_LOAD}",
        "ingest_load_files",
        "rejected_rows_in_ledger",
        "round2.csv",
    ),
    "two current values for one key": (
        "after_dbt",
        "create or replace table marts.fct_indicator_values as "
        "select * from marts.fct_indicator_values union all "
        f"(select * from marts.fct_indicator_values where area_code = '{SHEFFIELD}' limit 1)",
        "fct_indicator_values",
        "one_current_value_per_key",
        SHEFFIELD,
    ),
    "current value out of range": (
        "after_dbt",
        f"update marts.fct_indicator_values set value = 101 where area_code = '{ROTHERHAM}' "
        "and ni_code = 'NI 117' and period_id = '2008-09'",
        "fct_indicator_values",
        "value_at_most_valid_max",
        ROTHERHAM,
    ),
    "current value with an unknown indicator": (
        "after_dbt",
        # a key column: the table is rebuilt, as a faulty model would build it (an UPDATE of
        # a primary key column is refused by DuckDB)
        "create or replace table marts.fct_indicator_values as select * replace ("
        f"case when area_code = '{ROTHERHAM}' and ni_code = 'NI 154' then 'NI 31' else ni_code "
        "end as ni_code) from marts.fct_indicator_values",
        "fct_indicator_values",
        "live_indicator",
        "NI 31",
    ),
    "group value disagrees with its members": (
        "after_dbt",
        "update marts.fct_group_values set value = value + 0.5 where group_type = 'region' "
        "and ni_code = 'NI 117' and period_id = '2008-09' and group_code = 'E12000003'",
        "fct_group_values",
        "value_matches_members",
        "E12000003",
    ),
    "rank outside 1..areas_ranked": (
        "after_dbt",
        "update marts.caa_area_performance set rank = areas_ranked + 1 "
        f"where area_code = '{SHEFFIELD}' and ni_code = 'NI 154'",
        "caa_area_performance",
        "rank_within_areas_ranked",
        SHEFFIELD,
    ),
}


def corrupting(stage: str, sql: str):
    """connect_for_checks that first corrupts the build file, at one stage only."""
    real = checks.connect_for_checks

    def connect(warehouse, run_id, asked_stage):
        con = real(warehouse, run_id, asked_stage)
        if asked_stage == stage:
            con.execute(sql)
        return con

    return connect


def published(run: NightlyLoad) -> tuple[str, str, list[str]]:
    """The live warehouse's bytes, the release latest points to, and every release folder."""
    return run.sha256(), run.latest().name, sorted(p.name for p in run.published.iterdir())


def corrupted_run(baseline: NightlyLoad, root: Path, stage: str, sql: str):
    """A copy of the baseline taking up ROUND2, its build file corrupted by `sql` at `stage`."""
    run = baseline.copy(root)
    run.write("2009-10/round2.csv", ROUND2)
    published_before = published(run)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "connect_for_checks", corrupting(stage, sql))
        result = run.run()
    return run, result, published_before


@pytest.fixture(scope="module")
def broken_after_dbt(baseline: NightlyLoad, tmp_path_factory):
    """One load whose built marts break every after_dbt rule at once: each rule's check must
    still name its own failure (one full dbt build, not one per rule)."""
    sql = ";\n".join(case[1] for case in HARD_RULES.values() if case[0] == "after_dbt")
    return corrupted_run(baseline, tmp_path_factory.mktemp("broken") / "run", "after_dbt", sql)


@pytest.mark.parametrize("case", sorted(HARD_RULES))
def test_a_broken_hard_rule_blocks_the_load(case, baseline: NightlyLoad, tmp_path, request) -> None:
    stage, sql, check_name, rule, example = HARD_RULES[case]
    if stage == "after_dbt":
        run, result, published_before = request.getfixturevalue("broken_after_dbt")
    else:  # ingest is blocked before dbt: seconds, one load per rule
        run, result, published_before = corrupted_run(baseline, tmp_path / "run", stage, sql)

    failed = evaluation(result, check_name)
    assert not failed.passed
    assert failed.severity == dg.AssetCheckSeverity.ERROR
    assert f"FAILED {rule}:" in failed.description
    assert example in failed.description  # the failing rows are shown, not just counted
    done = materialized(result)
    assert "warehouse/live" not in done
    if stage == "after_ingest":
        assert done == INGEST_KEYS  # dbt built nothing
    else:
        assert INGEST_KEYS | {"marts/fct_indicator_values", "marts/caa_area_performance"} <= done
    # the published marts are byte-for-byte as before, latest still points to the same
    # release, and no half-made release folder is left
    assert published(run) == published_before
    docs = list((run.quality / "data_docs" / "validations" / check_name).rglob("*.html"))
    assert len(docs) == 2  # the baseline's validation page and this (failed) one


def test_a_validation_rule_switched_off_is_caught_by_the_check(
    baseline: NightlyLoad, tmp_path, monkeypatch
) -> None:
    sql = (ingest_load.SQL_DIR / "validate.sql").read_text()
    out_of_range = "            when w.value_final < w.valid_min or w.value_final > w.valid_max then 'OUT_OF_RANGE'\n"
    assert out_of_range in sql
    patched = tmp_path / "sql"
    patched.mkdir()
    (patched / "validate.sql").write_text(sql.replace(out_of_range, ""))
    monkeypatch.setattr(ingest_load, "SQL_DIR", patched)
    run = baseline.copy(tmp_path / "run")
    run.write("2009-10/over.csv", HEADER + f"{SHEFFIELD},NI 117,2009/10,104.5,,,final\n")
    published_before = run.sha256()

    result = run.run()

    failed = evaluation(result, "ingest_accepted_values")
    assert not failed.passed
    assert "FAILED value_at_most_valid_max: 1 of 1 fail" in failed.description
    assert materialized(result) == INGEST_KEYS
    assert run.sha256() == published_before


# --- anomalies --------------------------------------------------------------------------

REPEATED = areas_in("2009-10")[10:22]  # twelve areas whose 2009/10 file repeats 2008/09


LONG_COMMENT = "see note " * 11_112  # 100,008 characters


def anomaly_returns() -> dict[str, str]:
    everyone_but_hartlepool = [a for a in areas_in("2008-09") if a != HARTLEPOOL]
    ni154 = {area: 200 + 3 * n for n, area in enumerate(everyone_but_hartlepool)}
    return {
        "2008-09/ni154.csv": HEADER
        + "".join(f"{area},NI 154,2008/09,{value},,,final\n" for area, value in ni154.items()),
        # NI 117 for Barnsley jumps from 5.0 to 60.0 (x12); Doncaster moves normally
        "2008-09/ni117.csv": HEADER
        + f"{BARNSLEY},NI 117,2007/08,5.0,,,final\n{BARNSLEY},NI 117,2008/09,60.0,,,final\n"
        + f"{DONCASTER},NI 117,2007/08,8.0,,,final\n{DONCASTER},NI 117,2008/09,7.5,,,final\n",
        # last year's NI 154 figures sent again as 2009/10
        "2009-10/ni154_repeat.csv": HEADER
        + "".join(f"{area},NI 154,2009/10,{ni154[area]},,,provisional\n" for area in REPEATED),
        # two of three rows rejected
        "2009-10/mostly_bad.csv": HEADER
        + f"{SHEFFIELD},NI 117,2009/10,n/a,,,\n{SHEFFIELD},NI 116,2009/10,abc,,,\n"
        + f"{SHEFFIELD},NI 154,2009/10,120,,,provisional\n",
        # a corrected NI 116 resent as a value alone: its numerator and denominator are dropped
        "2010-11/round1_ni116.csv": HEADER + f"{ROTHERHAM},NI 116,2010/11,,200,1000,final\n",
        "2010-11/round2_ni116.csv": HEADER + f"{ROTHERHAM},NI 116,2010/11,20.0,,,final\n",
        # a comment of 100,000 characters: kept cut to 4,000, and the file flagged
        "2010-11/long_comment.csv": "area_code,indicator,period,value,status,comment\n"
        + f"{BARNSLEY},NI 154,2010/11,300,final,{LONG_COMMENT}\n",
    }


@pytest.fixture(scope="module")
def anomalies(make_nightly_load) -> tuple[NightlyLoad, dg.ExecuteInProcessResult]:
    run = make_nightly_load("anomalies")
    for relative, text in anomaly_returns().items():
        run.write(relative, text)
    result = run.run()
    assert result.success  # anomalies warn; they never block
    return run, result


def warnings(run: NightlyLoad, rule: str) -> list[tuple]:
    return run.query(
        "select area_code, ni_code, period_id, path, previous_period_id, previous_value, value, "
        "message from quality.warnings where rule = ? order by area_code, period_id",
        rule,
    )


def test_anomalies_warn_but_publish(anomalies) -> None:
    run, result = anomalies
    assert "warehouse/live" in materialized(result)
    warning_suites = {
        "anomalies_value_changes", "anomalies_return_files", "anomalies_missing_returns",
        "anomalies_partial_resends",
    }  # fmt: skip
    for name in warning_suites:
        warned = evaluation(result, name)
        assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    blocking = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert {e.check_name for e in blocking} == warning_suites


def test_a_tenfold_jump_names_area_indicator_old_and_new_value(anomalies) -> None:
    run, result = anomalies
    (jump,) = warnings(run, "value_jump")
    assert jump[:3] == (BARNSLEY, "NI 117", "2008-09")
    assert jump[4:7] == ("2007-08", 5.0, 60.0)
    assert (
        jump[7]
        == f"NI 117 for {BARNSLEY} moved from 5.0 in 2007-08 to 60.0 in 2008-09: a factor of 12"
    )
    assert jump[7] in evaluation(result, "anomalies_value_changes").description


def test_last_years_data_sent_again_is_flagged_for_each_of_its_areas(anomalies) -> None:
    run, _ = anomalies
    repeated = warnings(run, "repeats_previous_period")
    assert {(area, period) for area, _, period, *_ in repeated} == {
        (a, "2009-10") for a in REPEATED
    }
    assert {row[3] for row in repeated} == {"2009-10/ni154_repeat.csv"}
    assert "12 of 12 values are the same as the previous period's" in repeated[0][7]


def test_a_mostly_rejected_file_is_flagged(anomalies) -> None:
    run, _ = anomalies
    flagged = warnings(run, "mostly_rejected")
    assert {(row[0], row[2], row[3]) for row in flagged} == {
        (SHEFFIELD, "2009-10", "2009-10/mostly_bad.csv")
    }
    assert "2 of 3 rows rejected" in flagged[0][7]


def test_an_area_that_sent_nothing_is_flagged_and_shows_in_return_quality(anomalies) -> None:
    run, _ = anomalies
    missing = warnings(run, "nothing_sent")
    assert [(row[0], row[2]) for row in missing] == [(HARTLEPOOL, "2008-09")]
    assert "Hartlepool (E06000001) has sent nothing for 2008-09" in missing[0][7]
    # who has not sent NI 154 for 2008/09? (the README's example query)
    assert run.query(
        "select area_code, indicators_received, warnings_raised from marts.area_return_quality "
        "where period_id = '2008-09' and list_contains(missing_ni_codes, 'NI 154')"
    ) == [(HARTLEPOOL, 0, 1)]


def test_a_failing_dbt_test_is_a_failed_check_and_blocks_publication(
    baseline: NightlyLoad, tmp_path, monkeypatch
) -> None:
    # ingest.loads is not covered by a Great Expectations suite, but a dbt test guards it
    sql = f"update ingest.loads set outcome = 'half_done' where load_id = {LATEST_LOAD}"
    run = baseline.copy(tmp_path / "run")
    run.write("2009-10/round2.csv", ROUND2)
    published_before = run.sha256()
    monkeypatch.setattr(checks, "connect_for_checks", corrupting("after_ingest", sql))

    result = run.run()

    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [
        (
            "staging/stg_ingest__loads",
            "rules_stg_ingest__loads",
        )
    ]
    # the run summary's dbt lines say which of the model's rules broke, on how many rows
    from pipelines.warehouse.dbt import dbt_failures, dbt_results_path

    said = dbt_failures(dbt_results_path(run.warehouse))
    assert len(said) == 1 and "rules_stg_ingest__loads" in said[0], said
    assert "rule=accepted values: outcome holds half_done, failing_rows=1" in said[0], said
    assert "warehouse/live" not in materialized(result)
    assert run.sha256() == published_before


def test_the_run_summary_says_which_expectation_blocked_on_what(
    baseline: NightlyLoad, tmp_path, monkeypatch, capsys
) -> None:
    from dataclasses import replace

    from pipelines.cli import run_load

    stage, sql, *_ = HARD_RULES["accepted value with an unknown area"]
    run = baseline.copy(tmp_path / "run")
    run.write("2009-10/round2.csv", ROUND2)
    monkeypatch.setattr(checks, "connect_for_checks", corrupting(stage, sql))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    settings = replace(run.settings(), publish_dir=tmp_path / "published")

    assert run_load(settings) == 1

    err = capsys.readouterr().err
    assert "LOAD FAILED: the published warehouse and the latest release were not changed." in err
    assert "BLOCKED by ingest_accepted_values on ingest/accepted_values:" in err
    assert "FAILED known_area: 1 of 3 fail" in err
    assert "area_code=E99999999" in err
    assert f"quality report: {run.quality / 'index.html'}" in err
    report = (run.quality / "index.html").read_text(encoding="utf-8")
    assert "BLOCKED" in report and "E99999999" in report


def test_a_resend_that_drops_numerator_and_denominator_is_flagged(anomalies) -> None:
    run, _ = anomalies
    (dropped,) = warnings(run, "dropped_parts")
    assert dropped[:4] == (ROTHERHAM, "NI 116", "2010-11", "2010-11/round2_ni116.csv")
    assert "without the numerator and denominator version 1 had (200.0 / 1000.0)" in dropped[7]
    # the current value indeed lost them: what the warning is about
    assert run.query(
        "select value, numerator, denominator from marts.fct_indicator_values "
        "where area_code = ? and ni_code = 'NI 116'",
        ROTHERHAM,
    ) == [(20.0, None, None)]


def test_an_oversized_comment_is_cut_kept_and_flagged(anomalies) -> None:
    run, _ = anomalies
    (comment,) = run.query(
        "select comment from marts.fct_indicator_values where area_code = ? and ni_code = 'NI 154' "
        "and period_id = '2010-11'",
        BARNSLEY,
    )[0]
    assert comment == LONG_COMMENT[:4000] + " [cut by NI Warehouse: 100,008 characters sent]"
    assert run.query(
        "select cells_cut from audit.load_files where path = '2010-11/long_comment.csv'"
    ) == [(1,)]
    (flagged,) = warnings(run, "cells_cut")
    assert flagged[:4] == (BARNSLEY, None, "2010-11", "2010-11/long_comment.csv")  # a file's
    assert "1 cells longer than 4,000 characters were cut" in flagged[7]


def mart_contents(run: NightlyLoad) -> dict[str, list[tuple]]:
    tables = run.query(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    )
    return {
        name: sorted(run.query(f"select * from marts.{name}"), key=repr)  # noqa: S608
        for (name,) in tables
    }


# The last test of the anomalies story: a night that brings nothing new (it changes the
# module's shared deployment, so it runs last, in file order).


def test_a_quiet_night_says_nothing_new_and_shows_the_warnings_still_open(anomalies) -> None:
    from pipelines.nightly import describe_quiet_night

    run, first = anomalies
    loaded_id = run.query("select load_id from audit.loads order by load_seq desc limit 1")[0][0]
    raised = run.query("select count(*) from audit.quality_warnings where load_id = ?", loaded_id)
    marts_before = mart_contents(run)
    latest_before = run.latest()
    quiet = run.run()
    assert quiet.success
    assert run.query("select outcome, files from audit.loads order by load_seq desc limit 1") == [
        ("nothing_new", 0)
    ]
    # nothing taken up, so no mart changed and the latest release stays
    assert mart_contents(run) == marts_before
    assert run.latest() == latest_before
    # audit.open_warnings: still the warnings of the last load that took files up
    assert run.query("select distinct load_id from audit.open_warnings") == [(loaded_id,)]
    assert run.query("select count(*) from audit.open_warnings") == raised
    assert raised[0][0] >= 5
    # the run summary says tonight brought nothing and lists what is still open
    lines = describe_quiet_night(run.warehouse)
    assert lines[0].startswith("  tonight:   nothing new")
    assert f"{raised[0][0]:,} warnings still open as of load {loaded_id}" in lines[1]
    # so does the quality report, with the jump warning among them
    report = (run.quality / "index.html").read_text(encoding="utf-8")
    assert "Tonight brought nothing new" in report and loaded_id in report
    assert f"NI 117 for {BARNSLEY} moved from 5.0 in 2007-08 to 60.0 in 2008-09" in report

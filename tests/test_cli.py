"""`niw run` (what `make run` calls) end to end in a subprocess, as a data team runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e  # `niw run` runs the job and dbt

BARNSLEY = "E08000016"


def niw(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def env(make_nightly_load) -> dict[str, str]:
    """The NIW_* variables of a deployment with one return and one file that is not one."""
    deployment = make_nightly_load("cli")
    deployment.write(
        "barnsley.csv",
        "Area Code,NI,Period,Value,Num,Den\n"
        f"{BARNSLEY},NI 117,2008/09,,75,1000\n"
        f"{BARNSLEY},NI 117,2009/10,oops,,\n",
    )
    deployment.write("notes.txt", "not a return")
    return deployment.env()


def test_run_loads_and_prints_an_actionable_summary(env) -> None:
    done = niw("run", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = done.stdout
    assert "files: 1 loaded, 0 already loaded, 1 rejected" in summary
    assert "rows:  1 accepted, 1 rejected" in summary
    assert "BAD_NUMBER" in summary
    assert "notes.txt: UNSUPPORTED_FORMAT" in summary
    assert env["NIW_WAREHOUSE"] in summary
    assert "quality:   5 of 5 blocking suites passed" in summary
    assert "rebuilt:   every model whole (the first build of this warehouse)" in summary
    report = Path(env["NIW_QUALITY_DIR"]) / "index.html"
    assert f"report:    {report}" in summary
    # The value has no status, so it is provisional: released nowhere, but a release is made.
    assert "(0 final values published as of" in summary
    assert f"{env['NIW_PUBLISH_DIR']}/latest/" in summary
    verified = niw("verify", env=env)
    assert verified.returncode == 0 and "OK, release" in verified.stdout
    html = report.read_text(encoding="utf-8")
    assert "passed, with warnings to look at before publishing" in html
    assert "notes.txt: rejected whole (UNSUPPORTED_FORMAT)" in html  # a mostly_rejected warning
    with duckdb.connect(env["NIW_WAREHOUSE"], read_only=True) as con:
        assert con.execute("select value from marts.fct_indicator_values").fetchall() == [(7.5,)]
    assert (Path(env["DAGSTER_HOME"]) / "dagster.yaml").exists()


def test_rejected_and_sql_commands_read_the_published_warehouse(env) -> None:
    rejected = niw("rejected", env=env)
    assert rejected.returncode == 0
    assert "barnsley.csv:3: BAD_NUMBER: value 'oops' is not a number" in rejected.stdout
    sql = niw("sql", "select count(*) as n from marts.dim_indicator where is_live", env=env)
    assert sql.returncode == 0 and "198" in sql.stdout
    bad = niw("sql", "select nonsense from nowhere", env=env)
    assert bad.returncode == 1 and "SQL error" in bad.stderr


def test_failed_load_exits_non_zero_and_says_nothing_was_published(env, tmp_path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()  # no reference data: the ingest step cannot run
    (Path(env["NIW_RAW_DIR"]) / "more.csv").write_text(
        f"area_code,indicator,period,value\n{BARNSLEY},NI 117,2010/11,6.5\n"
    )
    before = Path(env["NIW_WAREHOUSE"]).read_bytes()
    failed = niw("run", env={**env, "NIW_SEEDS_DIR": str(seeds)})
    assert failed.returncode == 1
    assert (
        "LOAD FAILED: the published warehouse and the latest release were not changed"
        in failed.stderr
    )
    assert Path(env["NIW_WAREHOUSE"]).read_bytes() == before


def test_the_next_load_recomputes_only_the_indicator_it_changed(env) -> None:
    # the file the failed load above could not take up: a new NI 117 value for Barnsley
    done = niw("run", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rebuilt:   incremental: 1 indicator (values changed) recomputed" in done.stdout
    with duckdb.connect(env["NIW_WAREHOUSE"], read_only=True) as con:
        assert con.execute(
            "select period_id, value, is_latest_period from marts.caa_area_performance "
            "order by period_id"
        ).fetchall() == [("2008-09", 7.5, False), ("2010-11", 6.5, True)]

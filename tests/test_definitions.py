"""The code location loads, with the asset graph, job, schedule and sensor the team relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from contract import CONTRACT_TABLES, asset_key

from pipelines.resources import WarehouseResource


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    """The code location as Dagster's tools load it: through the @dg.definitions function."""
    from pipelines.definitions import defs as load_defs

    return load_defs()


@pytest.mark.e2e  # a fresh interpreter importing dagster and dagster-dbt: ~8 s
def test_importing_the_code_location_changes_no_environment_and_reads_no_dbt_file() -> None:
    """Import does nothing: no PATH or os.environ change, no dbt parse (checked in a new process)."""
    script = (
        "import os, sys; before = dict(os.environ); "
        "import pipelines.definitions, pipelines.warehouse.dbt as d; "
        "assert dict(os.environ) == before, 'environment changed on import'; "
        "assert d.dbt_project.cache_info().currsize == 0, 'dbt project loaded on import'; "
        "print('clean')"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"


def test_asset_graph_runs_ingest_then_dbt_then_go_live(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    ledger = {f"ingest/{t}" for t in ("loads", "load_files", "rejected_rows", "accepted_values")}
    marts = {asset_key(table) for table in CONTRACT_TABLES}
    assert ledger | marts | {"warehouse/live"} <= keys
    # going live waits for every mart; the current-values mart descends from ingest
    go_live = graph.get(dg.AssetKey(["warehouse", "live"]))
    assert {dg.AssetKey(m.split("/")) for m in marts} <= set(go_live.parent_keys)
    ancestors, frontier = set(), [dg.AssetKey(["marts", "fct_indicator_values"])]
    while frontier:
        parents = set(graph.get(frontier.pop()).parent_keys) - ancestors
        ancestors |= parents
        frontier.extend(parents)
    assert dg.AssetKey(["ingest", "accepted_values"]) in ancestors


def test_quality_checks_guard_the_assets_and_hard_rules_block(
    defs: dg.Definitions, dbt_manifest: Path
) -> None:
    graph = defs.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name): k for k in graph.asset_check_keys}
    suites = {
        ("ingest/load_files", "ingest_load_files"): True,
        ("ingest/accepted_values", "ingest_accepted_values"): True,
        ("marts/fct_indicator_values", "fct_indicator_values"): True,
        ("marts/fct_group_values", "fct_group_values"): True,
        ("marts/caa_area_performance", "caa_area_performance"): True,
        ("marts/fct_indicator_values", "anomalies_value_changes"): False,
        ("ingest/load_files", "anomalies_return_files"): False,
        ("marts/area_return_quality", "anomalies_missing_returns"): False,
        ("marts/fct_indicator_value_history", "anomalies_partial_resends"): False,
    }
    for key, blocking in suites.items():
        assert key in checks, key
        assert graph.get_check_spec(checks[key]).blocking is blocking, key
    dbt_tests = [k for k in checks if k not in suites]
    # every dbt data test is an asset check too, one per test node in dbt's manifest
    manifest = json.loads(dbt_manifest.read_text())
    test_nodes = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(dbt_tests) == len(test_nodes) > 50  # a model's rules are one test (rules_<model>)


def test_job_schedule_and_sensor(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("nightly_load")
    assert job.name == "nightly_load"
    schedule = defs.resolve_schedule_def("nightly_load_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Europe/London")
    assert schedule.job_name == "nightly_load"
    sensor = defs.resolve_sensor_def("new_returns_sensor")
    assert sensor.job_name == "nightly_load"


def test_sensor_requests_a_run_only_when_returns_arrive_or_change(
    tmp_path: Path, dbt_manifest
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    resource = WarehouseResource(
        raw_dir=str(raw), warehouse=str(tmp_path / "wh.duckdb"), seeds_dir=str(tmp_path)
    )
    from pipelines.definitions import build_definitions

    sensor = build_definitions(resource).resolve_sensor_def("new_returns_sensor")
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor: str | None):
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"warehouse": resource}
        )
        return sensor.evaluate_tick(context)

    empty = tick(None)
    assert empty.run_requests == [] and "no return files" in empty.skip_message
    (raw / ".hidden.csv").write_text("x")
    assert tick(None).run_requests == []

    (raw / "barnsley.csv").write_text("area_code,indicator,period,value\n")
    first = tick(None)
    assert len(first.run_requests) == 1
    unchanged = tick(first.cursor)
    assert unchanged.run_requests == []

    time.sleep(0.01)
    (raw / "barnsley.csv").write_text(
        "area_code,indicator,period,value\nE08000016,NI 117,2008/09,7\n"
    )
    os.utime(raw / "barnsley.csv")
    changed = tick(first.cursor)
    assert len(changed.run_requests) == 1

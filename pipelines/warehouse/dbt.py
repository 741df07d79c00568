"""The dbt project as Dagster assets: seeds, staging, intermediate, marts, audit, publication.

Importing this module does nothing: the project is loaded through `dbt_project()` (cached),
its manifest is prepared by `prepare_dbt_manifest()` (called by `niw run`, `niw prepare` from
`make dev`, and the test setup), and the assets are made by `build_dbt_assets()` when the
Definitions are built. Each `dbt build` is told its build file and embargo date as vars
(profiles.yml reads `var('build_file')`), so nothing is passed through the environment and
two runs in one process cannot see each other's paths. dbt's results are read from the
run_results.json of the invocation, kept beside the warehouse for the run summary.

`dbt build` runs in this process (dbt's `dbtRunner`), not as a dbt subprocess: a process parses
the project once (about 10 s) and every later build in it reuses that parse, and dbt's
start-up (about 4 s) is not paid again. dbt reparses from scratch whenever a var or the
profile's path changes, so a subprocess per load paid the whole parse every time. Its result
events become Dagster events through dagster-dbt's own translation (DbtCoreCliEventMessage),
exactly as when dagster-dbt reads a dbt subprocess's JSON log.
"""

import fcntl
import functools
import json
import os
import shutil
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from ..resources import WarehouseResource
from ..settings import DBT_PROJECT_DIR, REPO_ROOT

# dbt's own result states that mean a node did not pass (warn is a pass that says so).
FAILED_STATUSES = ("error", "fail", "runtime error")


@functools.cache
def dbt_project() -> DbtProject:
    """The project under dbt_project/, loaded once per process."""
    return DbtProject(project_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """dbt beside this interpreter, so a venv need not be activated (no PATH change)."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(),
        dbt_executable=dbt_executable(),
        global_config_flags=["--no-use-colors"],  # its log is read by people, not terminals
    )


def _newest_source_mtime() -> float:
    sources = [DBT_PROJECT_DIR / name for name in ("models", "macros", "tests", "seeds")]
    sources.append(REPO_ROOT / "data" / "seeds")
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in sources:
        if folder.is_dir():
            files.extend(p for p in folder.rglob("*") if p.is_file())
    return max(p.stat().st_mtime for p in files if p.exists())


def prepare_dbt_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than the project files.

    A fresh clone never needs a manual `dbt parse`: `niw run`, `make dev` (through
    `niw prepare`) and the tests call this before the Definitions are built.
    """
    project = dbt_project()
    manifest = project.manifest_path
    manifest.parent.mkdir(parents=True, exist_ok=True)
    # One process parses at a time; the others wait, then find the manifest fresh.
    with (manifest.parent / ".parse.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
            dbt_resource().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return manifest


def dbt_results_path(warehouse: Path) -> Path:
    """Where the last load's dbt run_results.json is kept, beside the live warehouse."""
    return warehouse.parent / "logs" / "last_load_dbt_results.json"


def dbt_failures(results_path: Path) -> list[str]:
    """One line per dbt node that failed or errored in a kept run_results.json."""
    try:
        results = json.loads(results_path.read_text(encoding="utf-8")).get("results", [])
    except (OSError, ValueError):  # none kept (dbt did not get that far), or cut short
        return []
    return [
        f"{result['status'].upper()} {result['unique_id']}: "
        + " ".join(str(result.get("message") or "").split())
        for result in results
        if result.get("status") in FAILED_STATUSES
    ]


class WarehouseTranslator(DagsterDbtTranslator):
    """Groups assets by dbt folder (staging, intermediate, marts, audit) and seeds as reference."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "warehouse"


@functools.cache
def build_dbt_assets() -> dg.AssetsDefinition:
    """The dbt models, seeds and tests as one Dagster multi-asset (the manifest must exist)."""
    project = dbt_project()
    if not project.manifest_path.exists():
        prepare_dbt_manifest()  # e.g. `dagster job execute` on a fresh clone

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=WarehouseTranslator(),
    )
    def warehouse_dbt_assets(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        """`dbt build` (seeds, models, tests) into this run's build file, on the embargo date."""
        build_file = warehouse.build_path(context.run.run_id)
        build_vars = {"build_file": str(build_file), "publish_as_of": warehouse.as_of()}
        target = project.project_dir / "target" / f"build-{context.run.run_id[:8]}"
        manifest = _manifest(project.manifest_path)
        nodes = sum(
            n["resource_type"] in ("seed", "model", "test") for n in manifest["nodes"].values()
        )
        context.log.info(f"dbt build: {nodes} seeds, models and tests ...")
        try:
            results = run_dbt_build(build_file, build_vars, target)
            translator = WarehouseTranslator()
            for done, raw in enumerate(results.events, start=1):
                if done % DBT_PROGRESS_EVERY == 0:
                    context.log.info(f"dbt build: {done} results so far, of about {nodes}")
                event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
                yield from event.to_default_asset_events(
                    manifest=manifest,
                    dagster_dbt_translator=translator,
                    context=context,
                    target_path=target,
                    project=project,
                )
            if not results.success:
                raise DbtBuildFailed(
                    f"dbt build failed: {results.failed} of its nodes failed or errored "
                    f"(see {dbt_results_path(warehouse.warehouse_path)})"
                    + (f": {results.error}" if results.error else "")
                )
        finally:
            _keep_run_results(target, warehouse.warehouse_path)
            # dbt's manifest, logs and run results of this build: one folder a load, not kept
            shutil.rmtree(target, ignore_errors=True)

    return warehouse_dbt_assets


DBT_PROGRESS_EVERY = 50  # results between progress lines of a load's dbt build


class DbtBuildFailed(Exception):
    """A load's dbt build had failing tests or erroring nodes (run_results.json says which)."""


@dataclass
class BuildResults:
    success: bool
    events: list[dict[str, Any]]  # dbt's result events, as its JSON log writes them
    failed: int
    error: str | None


# One parse a process: dbt's parse of the project (about 10 s) is the same for every build
# with the same build-file name and embargo date, so it is made once and reused in process.
_PARSED: dict[tuple[str, str], Any] = {}
_DBT_LOCK = threading.Lock()  # dbt keeps global state: one invocation at a time in a process


def run_dbt_build(build_file: Path, build_vars: dict[str, str], target: Path) -> BuildResults:
    """`dbt build` in this process, without dbt's unit tests, reusing this process's parse.

    dbt's unit tests check the models' logic, not the night's data: `make test` runs them
    (tests/test_dbt_models.py). The parse is keyed by the build file's name pattern (dbt-duckdb
    names the catalog after it) and the embargo date (a var the models read).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    common = [
        *("--project-dir", str(DBT_PROJECT_DIR)),
        *("--profiles-dir", str(DBT_PROJECT_DIR)),
        *("--target-path", str(target)),
        *("--log-path", str(target)),
        "--no-use-colors",
        *("--vars", json.dumps(build_vars)),
    ]
    key = (build_file.name.split(".build-")[0], build_vars["publish_as_of"])
    events: list[dict[str, Any]] = []

    def collect(message) -> None:
        if message.info.name in RESULT_EVENTS:
            events.append(msg_to_dict(message))

    with _DBT_LOCK:
        try:
            if key not in _PARSED:
                parsed = dbtRunner().invoke(["parse", "--quiet", *common])
                if not parsed.success:
                    raise DbtBuildFailed(f"dbt could not parse the project: {parsed.exception}")
                _PARSED[key] = parsed.result
            outcome = dbtRunner(manifest=_PARSED[key], callbacks=[collect]).invoke(
                ["build", "--exclude-resource-type", "unit_test", *common]
            )
        finally:
            # dbt-duckdb keeps its DuckDB connection open between invocations: close it, so
            # the build file can be checked, compacted and swapped, and the next build in this
            # process opens its own file, not a cached one.
            with DuckDBConnectionManager._LOCK:
                if DuckDBConnectionManager._ENV is not None:
                    DuckDBConnectionManager._ENV.close()
                    DuckDBConnectionManager._ENV = None
    results = getattr(outcome.result, "results", None) or []
    failed = sum(str(getattr(r, "status", "")) in FAILED_STATUSES for r in results)
    error = str(outcome.exception) if outcome.exception else None
    return BuildResults(outcome.success, events, failed, error)


RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}


@functools.cache
def _manifest(manifest_path: Path) -> dict[str, Any]:
    """dbt's manifest.json, read once a process (the dbt assets were defined from it)."""
    return json.loads(manifest_path.read_text(encoding="utf-8"))


def _keep_run_results(target_path: Path, warehouse: Path) -> None:
    """Copy dbt's run_results.json beside the warehouse, whole or not at all.

    Runs while dbt's own error may be on its way out: a failure here (a full disk) must not
    replace that error, so it is swallowed and the partial copy removed.
    """
    results = target_path / "run_results.json"
    kept = dbt_results_path(warehouse)
    partial = kept.with_name(kept.name + ".partial")
    try:
        kept.unlink(missing_ok=True)
        if results.is_file():
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(results, partial)
            os.replace(partial, kept)
    except OSError:
        partial.unlink(missing_ok=True)

"""The dbt project as Dagster assets: seeds, staging, intermediate, marts, audit, publication.

Importing this module does nothing: the project is loaded through `dbt_project()` (cached),
its manifest is prepared by `prepare_dbt_manifest()` (called by `niw run`, `niw prepare` from
`make dev`, and the test setup), and the assets are made by `build_dbt_assets()` when the
Definitions are built. Each `dbt build` gets a profiles.yml naming its build file, written
into the warehouse's own dbt target folder (`dbt_target_dir`), and no vars: nothing passes
through the environment, two runs in one process cannot see each other's paths, and what dbt
parses is the same every night, so its partial parsing works across processes. The embargo
date is read by the models from ingest.load_settings. dbt's results are read from the
run_results.json of the invocation, kept beside the warehouse for the run summary.

`dbt build` runs in this process (dbt's `dbtRunner`), not as a dbt subprocess: a process parses
the project once (about 10 s) and every later build in it reuses that parse, and dbt's
start-up (about 4 s) is not paid again. Its result
events become Dagster events through dagster-dbt's own translation (DbtCoreCliEventMessage),
exactly as when dagster-dbt reads a dbt subprocess's JSON log.
"""

import fcntl
import functools
import json
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from ..ingest.ledger import recorded_digests
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
            # A whole parse: dbt's partial parsing can drop a singular test's YAML meta (its
            # Dagster asset key), and these assets are defined from this manifest.
            dbt_resource().cli(
                ["parse", "--quiet", "--no-partial-parse"], target_path=project.target_path
            ).wait()
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
        + "".join(f"; {row}" for row in result.get("failing", []))
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
        """`dbt build` (seeds, models, tests) into this run's build file."""
        build_file = warehouse.build_path(context.run.run_id)
        target = dbt_target_dir(warehouse.warehouse_path)
        manifest = _manifest(project.manifest_path)
        nodes = sum(
            n["resource_type"] in ("seed", "model", "test") for n in manifest["nodes"].values()
        )
        refresh = full_refresh_reason(build_file)
        context.log.info(
            f"dbt build: {nodes} seeds, models and tests, "
            + (f"every model whole ({refresh}) ..." if refresh else "incremental ...")
        )
        try:
            results = run_dbt_build(build_file, target, full_refresh=refresh is not None)
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
            if not refresh:
                context.log.info(f"dbt build: recomputed {recomputed_indicators(build_file)}")
        finally:
            _keep_run_results(target, warehouse.warehouse_path, build_file)

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


# One parse a process: a process that builds again reuses its parse of the project (dbt's
# manifest), keyed by the build file's name (dbt-duckdb names the catalog after it). Across
# processes, dbt's partial parsing does the same from the target folder (`dbt_target_dir`).
_PARSED: dict[str, Any] = {}
_DBT_LOCK = threading.Lock()  # dbt keeps global state: one invocation at a time in a process


def dbt_target_dir(warehouse: Path) -> Path:
    """dbt's target folder for builds of this warehouse, beside it: the same every load.

    dbt parses the project again from scratch whenever its vars, its profile or its target
    folder differ from the last parse's, so a load passes no vars (the embargo date is read
    from ingest.load_settings), its profile names the same build file every time
    (build_file.build_path), and the folder keeps `partial_parse.msgpack` between loads: a
    fresh `niw run` pays a partial parse (about 2 s), not a full one (about 10 s).
    """
    return warehouse.with_name(f".{warehouse.name}.dbt")


def _write_profile(folder: Path, build_file: Path) -> None:
    """A profiles.yml naming this build file (its bytes are the same for every load)."""
    text = (
        "# Written by pipelines/warehouse/dbt.py for the loads of one warehouse.\n"
        "ni_warehouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {json.dumps(str(build_file))}\n      threads: 2\n"
    )
    profile = folder / "profiles.yml"
    if not profile.exists() or profile.read_text(encoding="utf-8") != text:
        profile.write_text(text, encoding="utf-8")


def _forget_stale_parse(target: Path) -> None:
    """After the project changed, parse it whole: dbt's partial parsing of changed files has
    dropped YAML config (a singular test's meta) before, so it is trusted only to see that
    nothing changed. The digest of the project the saved parse was made from is kept beside it.
    """
    from .quiet_night import project_digest

    digest = project_digest(DBT_PROJECT_DIR.parent / "data" / "seeds")
    noted = target / ".project_digest"
    if not noted.exists() or noted.read_text(encoding="utf-8") != digest:
        (target / "partial_parse.msgpack").unlink(missing_ok=True)
        noted.write_text(digest, encoding="utf-8")


def run_dbt_build(build_file: Path, target: Path, full_refresh: bool = False) -> BuildResults:
    """`dbt build` of build_file in this process, without dbt's unit tests.

    dbt's unit tests check the models' logic, not the night's data: `make test` runs them
    (tests/test_dbt_models.py). Two processes never use one target folder at once: a lock
    file in it is held for the whole invocation (a load holds the load lock too, but a
    target folder outlives any one load and `niw prepare` may run beside).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    target.mkdir(parents=True, exist_ok=True)
    common = [
        *("--project-dir", str(DBT_PROJECT_DIR)),
        *("--profiles-dir", str(target)),
        *("--target-path", str(target)),
        *("--log-path", str(target)),
        "--no-use-colors",
    ]
    events: list[dict[str, Any]] = []

    def collect(message) -> None:
        if message.info.name in RESULT_EVENTS:
            events.append(msg_to_dict(message))

    key = build_file.name
    with _DBT_LOCK, (target / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _write_profile(target, build_file)
        _forget_stale_parse(target)
        (target / "run_results.json").unlink(missing_ok=True)  # a failure names this run's
        try:
            if key not in _PARSED:
                parsed = dbtRunner().invoke(["parse", "--quiet", *common])
                if not parsed.success:
                    raise DbtBuildFailed(f"dbt could not parse the project: {parsed.exception}")
                _PARSED[key] = parsed.result
            outcome = dbtRunner(manifest=_PARSED[key], callbacks=[collect]).invoke(
                [
                    "build",
                    *(["--full-refresh"] if full_refresh else []),
                    *("--exclude-resource-type", "unit_test"),
                    *common,
                ]
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


def recomputed_indicators(build_file: Path) -> str:
    """Which indicators the build's incremental models recomputed, and why, in words."""
    with duckdb.connect(str(build_file), read_only=True) as con:
        rows = con.execute(
            "select reason, count(*) from intermediate.int_load_changes group by reason "
            "order by reason"
        ).fetchall()
    if not rows:
        return "no indicator (no value changed)"
    return "; ".join(
        f"{count} {'indicator' if count == 1 else 'indicators'} ({reason})"
        for reason, count in rows
    )


def full_refresh_reason(build_file: Path) -> str | None:
    """Why this build must rebuild its incremental models whole, or None when it may not.

    The incremental models keep every indicator's rows between loads and recompute the
    indicators of int_load_changes only; that is exact only while the models and seeds that
    built the kept rows are tonight's. So a build is whole when the warehouse records no
    earlier build, or when the digest of the dbt project and seeds the build before recorded
    (ingest.load_settings) is not this load's.
    """
    with duckdb.connect(str(build_file), read_only=True) as con:
        try:
            digests = recorded_digests(con, 2)
        except duckdb.CatalogException:
            return "the warehouse records no build settings"
    if len(digests) < 2:
        return "the first build of this warehouse"
    if digests[0] != digests[1]:
        return "the dbt project or the seeds changed since the last build"
    return None


RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}


@functools.cache
def _manifest(manifest_path: Path) -> dict[str, Any]:
    """dbt's manifest.json, read once a process (the dbt assets were defined from it)."""
    return json.loads(manifest_path.read_text(encoding="utf-8"))


def _keep_run_results(target_path: Path, warehouse: Path, build_file: Path) -> None:
    """Copy dbt's run_results.json beside the warehouse, whole or not at all, with what each
    failed test found (`_failing_rules`).

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
            text = results.read_text(encoding="utf-8")
            document = json.loads(text)
            if _failing_rules(document, build_file):
                text = json.dumps(document, indent=1)
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, kept)
    except (OSError, ValueError):
        partial.unlink(missing_ok=True)


SHOWN_FAILING_ROWS = 5


def _failing_rules(document: dict[str, Any], build_file: Path) -> bool:
    """Add to each failed test's result the first rows its query returns on the build file
    (`failing`): for a model's `rules` test, the rules broken and how many rows break each,
    which dbt's message ("Got 2 results") does not say. True when any was added."""
    import duckdb

    failed = [
        r
        for r in document.get("results", [])
        if r.get("unique_id", "").startswith("test.")
        and r.get("status") in FAILED_STATUSES
        and r.get("compiled_code")
    ]
    if not failed or not build_file.exists():
        return False
    try:
        with duckdb.connect(str(build_file), read_only=True) as con:
            for result in failed:
                try:
                    cursor = con.execute(result["compiled_code"])
                    rows = cursor.fetchmany(SHOWN_FAILING_ROWS)
                except duckdb.Error as error:
                    result["failing"] = [f"(its query could not be run again: {error})"]
                    continue
                names = [d[0] for d in cursor.description]
                result["failing"] = [
                    ", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True)) for row in rows
                ]
    except duckdb.Error:  # the build file cannot be opened: dbt's message stands alone
        return False
    return True

"""The `expectations/` suites as Dagster asset checks on the assets they guard.

Two steps of the nightly load run them, each on the run's build warehouse:
- `ingest_quality_checks` after ingest (blocking: a failure stops dbt from building anything);
- `warehouse_quality_checks` after `dbt build`: the marts' hard rules (blocking: a failure
  stops the warehouse being published) and the anomaly suites (warnings only).
Every expectation's result goes into `quality.check_results` and every anomaly into
`quality.warnings` of the build file (published with it when the load passes), and the Great
Expectations Data Docs under the quality folder are brought up to date, pass or fail.
"""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from ..ingest.ledger import ensure_ledger, last_load
from ..resources import WarehouseResource
from . import batches
from .gx_runner import EXAMPLES, SuiteOutcome, runner_for, warning_message
from .report_page import record_outcomes, record_quiet_night, write_report
from .schema import ensure_quality_schema, open_warnings, record_results
from .suites import load_suites


def connect_for_checks(
    warehouse: WarehouseResource, run_id: str, stage: str
) -> duckdb.DuckDBPyConnection:
    """The run's build file, read-write: the checks record their results in it.

    `stage` ("after_ingest" or "after_dbt") says which step asks; tests that corrupt the
    build file between a step and its checks hook in here.
    """
    build = warehouse.build_path(run_id)
    if not build.exists():
        raise FileNotFoundError(f"build file {build} is missing: the {stage} checks have no data")
    return duckdb.connect(str(build))


def _example(row: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in row.items())


def check_result(outcome: SuiteOutcome, report: Path) -> dg.AssetCheckResult:
    """One suite's outcome as a Dagster check result: counts, failures, examples, Data Docs."""
    suite = outcome.suite
    failures = outcome.failures
    lines = [
        f"{len(outcome.expectations) - len(failures)} of {len(outcome.expectations)} "
        f"expectations passed on {outcome.rows_checked:,} rows."
    ]
    for failure in failures:
        lines.append(f"FAILED {failure.describe()}")
        for row in failure.failing_rows[:EXAMPLES]:
            lines.append(
                "  e.g. "
                + (
                    warning_message(failure.warning_template, row)
                    if suite.kind == "warning"
                    else _example(row)
                )
            )
    table = [
        "| rule | expectation | failing rows | of rows | what it protects |",
        "|---|---|---|---|---|",
    ]
    table += [
        f"| {e.rule} | `{e.expectation}` | {e.unexpected_count if e.unexpected_count is not None else e.error} "
        f"| {e.element_count} | {e.notes} |"
        for e in outcome.expectations
        if not e.success
    ]
    metadata: dict[str, Any] = {
        "rows_checked": outcome.rows_checked,
        "expectations": len(outcome.expectations),
        "expectations_failed": len(failures),
        "failing_rows": sum(e.unexpected_count or 0 for e in failures),
        "quality_report": dg.MetadataValue.path(str(report)),
        "data_docs_page": dg.MetadataValue.path(str(outcome.docs_page or "")),
    }
    if failures:
        metadata["failures"] = dg.MetadataValue.md("\n".join(table))
        metadata["examples"] = dg.MetadataValue.json(
            {f.rule: f.failing_rows[:EXAMPLES] for f in failures}
        )
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(suite.guards)),
        check_name=suite.name,
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
        description="\n".join(lines),
        metadata=metadata,
    )


def run_stage(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, stage: str
) -> Iterator[dg.AssetCheckResult]:
    suites = load_suites(stage=stage)
    context.log.info(f"quality checks ({stage}): {len(suites)} suites; starting Great Expectations")
    runner = runner_for(warehouse.quality_path)
    checked_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    run_id = context.run.run_id
    outcomes: list[SuiteOutcome] = []
    with connect_for_checks(warehouse, run_id, stage) as con:
        ensure_ledger(con)
        ensure_quality_schema(con)  # before dbt first runs: its sources read these tables
        load = last_load(con)
        load_id = load.load_id
        quiet = open_warnings(con) if load.outcome == "nothing_new" else None
        parameters = batches.load_reference(con, Path(warehouse.seeds_dir))
        for suite in suites:
            batch = batches.read_batch(con, suite, load_id)
            outcome = runner.validate(suite, batch, parameters, load_id, checked_at)
            outcomes.append(outcome)
            verdict = "passed" if outcome.success else ("FAILED" if suite.blocking else "warned")
            context.log.info(f"{suite.name}: {verdict} on {len(batch):,} rows")
        warnings = record_results(con, outcomes, load_id, run_id, checked_at)
    runner.build_docs()
    record_outcomes(warehouse.quality_path, load_id, run_id, outcomes)
    if quiet is not None:
        record_quiet_night(warehouse.quality_path, load_id, *quiet)
    report = write_report(warehouse.quality_path, load_id)
    context.log.info(f"quality report: {report} ({warnings} warnings recorded)")
    for outcome in outcomes:
        yield check_result(outcome, report)


def _specs(stage: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=suite.name,
            asset=dg.AssetKey(list(suite.guards)),
            description=suite.description,
            blocking=suite.blocking,
        )
        for suite in load_suites(stage=stage)
    ]


def build_quality_checks() -> list[dg.AssetChecksDefinition]:
    """The two check steps, one asset check per suite in expectations/ (read when called)."""

    @dg.multi_asset_check(
        specs=_specs("after_ingest"),
        name="ingest_quality_checks",
        description="Great Expectations: the hard rules on what this load accepted (blocking).",
    )
    def ingest_quality_checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        yield from run_stage(context, warehouse, "after_ingest")

    @dg.multi_asset_check(
        specs=_specs("after_dbt"),
        name="warehouse_quality_checks",
        description=(
            "Great Expectations: the hard rules on the marts (blocking) and the anomaly suites "
            "(warnings), on the build warehouse before it goes live."
        ),
    )
    def warehouse_quality_checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        yield from run_stage(context, warehouse, "after_dbt")

    return [ingest_quality_checks, warehouse_quality_checks]

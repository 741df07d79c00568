"""The `quality` schema of the warehouse, which the quality checks alone create and append to.

    quality.check_results  one row per expectation run: suite, rule, severity, success, counts
    quality.warnings       one row per anomaly: area, indicator, period, file, old and new value

Append-only, like the ledger. The tables are created by the checks after ingest, so they
exist before dbt first runs (the views audit.quality_warnings and marts.area_return_quality
read them); results are appended by each check step, the anomalies after dbt has built
the marts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pyarrow as pa

from .gx_runner import EXAMPLES, SuiteOutcome, warning_message

QUALITY_DDL = """
create schema if not exists quality;
create table if not exists quality.check_results (
    load_id varchar not null, run_id varchar not null, checked_at timestamp not null,
    suite varchar not null, asset varchar not null, rule varchar not null,
    expectation varchar not null, severity varchar not null, success boolean not null,
    element_count bigint, unexpected_count bigint, examples varchar
);
create table if not exists quality.warnings (
    load_id varchar not null, run_id varchar not null, raised_at timestamp not null,
    suite varchar not null, rule varchar not null, area_code varchar, ni_code varchar,
    period_id varchar, path varchar, previous_period_id varchar, previous_value double,
    value double, message varchar not null
);
"""


def ensure_quality_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the quality tables if missing."""
    con.execute(QUALITY_DDL)


def _warning_rows(outcome: SuiteOutcome) -> list[dict[str, Any]]:
    rows = []
    for expectation in outcome.failures:
        for row in expectation.failing_rows:
            rows.append(
                {
                    "suite": outcome.suite.name,
                    "rule": expectation.rule,
                    "expand": expectation.expand or "",
                    "area_code": row.get("area_code"),
                    "ni_code": row.get("ni_code"),
                    "period_id": row.get("period_id"),
                    "path": row.get("path"),
                    "previous_period_id": row.get("previous_period_id"),
                    "previous_value": row.get("previous_value"),
                    "value": row.get("value"),
                    "message": warning_message(expectation.warning_template, row),
                }
            )
    return rows


def record_results(
    con: duckdb.DuckDBPyConnection,
    outcomes: list[SuiteOutcome],
    load_id: str,
    run_id: str,
    checked_at: dt.datetime,
) -> int:
    """Append the results to quality.check_results and quality.warnings; return warnings."""
    results = [
        {
            "suite": o.suite.name,
            "asset": "/".join(o.suite.guards),
            "rule": e.rule,
            "expectation": e.expectation,
            "severity": e.severity,
            "success": e.success,
            "element_count": e.element_count,
            "unexpected_count": e.unexpected_count,
            "examples": json.dumps(e.failing_rows[:EXAMPLES], default=str)
            if e.failing_rows
            else None,
        }
        for o in outcomes
        for e in o.expectations
    ]
    warnings = [row for o in outcomes if o.suite.kind == "warning" for row in _warning_rows(o)]
    schema = {
        "suite": pa.string(), "rule": pa.string(), "expand": pa.string(), "area_code": pa.string(),
        "ni_code": pa.string(), "period_id": pa.string(), "path": pa.string(),
        "previous_period_id": pa.string(), "previous_value": pa.float64(), "value": pa.float64(),
        "message": pa.string(),
    }  # fmt: skip
    result_table = pa.Table.from_pylist(results) if results else None
    warning_table = pa.Table.from_pylist(warnings, schema=pa.schema(schema))
    params = {"load_id": load_id, "run_id": run_id, "at": checked_at}
    con.execute("begin transaction")
    try:
        if result_table is not None:
            con.register("check_results_batch", result_table)
            con.execute(
                "insert into quality.check_results select $load_id, $run_id, $at, suite, asset, "
                "rule, expectation, severity, success, element_count, unexpected_count, examples "
                "from check_results_batch",
                params,
            )
        con.register("warnings_batch", warning_table)
        # A file-level warning is recorded once for each area and period the file had rows
        # for (accepted or rejected), so that marts.area_return_quality can count it there.
        con.execute(
            """
            insert into quality.warnings
            with file_keys as (
                select distinct path, area_code, period_id from ingest.accepted_values
                where load_id = $load_id
                union
                select distinct path, area_code, period_id from ingest.rejected_rows
                where load_id = $load_id and area_code is not null and period_id is not null
            )
            select $load_id, $run_id, $at, w.suite, w.rule,
                   coalesce(k.area_code, w.area_code), w.ni_code, coalesce(k.period_id, w.period_id),
                   w.path, w.previous_period_id, w.previous_value, w.value, w.message
            from warnings_batch as w
            left join file_keys as k on w.expand = 'file_area_periods' and k.path = w.path
            """,
            params,
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop view if exists check_results_batch; drop view if exists warnings_batch")
    return len(warnings)


def open_warnings(con: duckdb.DuckDBPyConnection) -> tuple[str | None, list[dict[str, Any]]]:
    """The last load that took files up, and the warnings it raised: those still open.

    The view audit.open_warnings says the same for analysts; this reads the ledger and
    quality.warnings directly, because the quality checks need it before dbt has built the
    view. The run summary and the quality report both take it from here.
    """
    row = con.execute(
        "select load_id from ingest.loads where outcome = 'loaded' order by load_seq desc limit 1"
    ).fetchone()
    if row is None:
        return None, []
    cursor = con.execute(
        "select rule, area_code, ni_code, period_id, path, message from quality.warnings "
        "where load_id = ? order by suite, rule, area_code, ni_code, period_id, path",
        [row[0]],
    )
    names = [d[0] for d in cursor.description]
    return row[0], [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

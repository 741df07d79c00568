"""The quality part of the `niw run` summary, read from a run's asset check evaluations."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .suites import load_suites

SHOWN_WARNINGS = 8


def _suite_names() -> dict[str, str]:
    return {suite.name: suite.kind for suite in load_suites()}


def _value(metadata: dict[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def blocking_failures(evaluations: Iterable[Any]) -> list[Any]:
    """The failed Great Expectations checks that stopped the load."""
    kinds = _suite_names()
    return [e for e in evaluations if kinds.get(e.check_name) == "blocking" and not e.passed]


def failed_dbt_tests(evaluations: Iterable[Any]) -> list[Any]:
    kinds = _suite_names()
    return [e for e in evaluations if e.check_name not in kinds and not e.passed]


def describe_blocked(evaluations: list[Any], docs_index: Path) -> list[str]:
    lines = []
    for evaluation in blocking_failures(evaluations):
        lines.append(
            f"  BLOCKED by {evaluation.check_name} on {evaluation.asset_key.to_user_string()}:"
        )
        lines.extend(f"    {line}" for line in (evaluation.description or "").splitlines())
    lines.append(f"  quality report: {docs_index}")
    lines.append(
        f"  Data Docs: {docs_index.parent / 'data_docs'}/  (Great Expectations, linked from the report)"
    )
    return lines


def describe_quality(evaluations: list[Any], docs_index: Path) -> list[str]:
    """Counts of suites passed and warnings raised, the first warnings, where the docs are."""
    kinds = _suite_names()
    suites = [e for e in evaluations if e.check_name in kinds]
    dbt_tests = [e for e in evaluations if e.check_name not in kinds]
    blocking = [e for e in suites if kinds[e.check_name] == "blocking"]
    anomalies = [e for e in suites if kinds[e.check_name] == "warning"]
    warned = [e for e in anomalies if not e.passed]
    failing_rows = sum(int(_value(dict(e.metadata), "failing_rows") or 0) for e in warned)
    lines = [
        f"  quality:   {sum(e.passed for e in blocking)} of {len(blocking)} blocking suites passed; "
        f"{len(dbt_tests) - sum(not e.passed for e in dbt_tests)} of {len(dbt_tests)} dbt tests "
        "passed",
        f"             {len(warned)} of {len(anomalies)} anomaly suites warned "
        f"({failing_rows:,} warnings)",
    ]
    shown = 0
    for evaluation in warned:
        for line in (evaluation.description or "").splitlines():
            if line.startswith(("FAILED", "  e.g.")) and shown < SHOWN_WARNINGS:
                lines.append(f"               {line.replace('FAILED ', '').strip()}")
                shown += 1
    if warned:
        lines.append("             all warnings: select * from audit.quality_warnings")
    lines.append(f"  report:    {docs_index}")
    lines.append(
        f"  Data Docs: {docs_index.parent / 'data_docs'}/  (Great Expectations, linked from the report)"
    )
    return lines

"""Run the `expectations/` suites with Great Expectations 1.x and write its Data Docs.

One ephemeral Data Context per process: suites, batch definitions and checkpoints live in
memory (the suite files stay the source of truth), while validation results and the Data Docs
site are kept on disk under the quality folder, so every step of a load (and every load)
adds to the same site. Importing great_expectations costs seconds: this module imports it
only when a check actually runs.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .suites import Suite

DOCS_SITE = "local_site"
KEEP_LOADS = 30  # validation results (and their Data Docs pages) of older loads are pruned
EXAMPLES = 5  # failing rows shown per expectation in Dagster and the run summary
SUMMARY_EXAMPLES = 20  # failing rows a blocking suite's result lists (it stops the load anyway)


@dataclass
class ExpectationOutcome:
    """One expectation's result, in the terms a person reading the load summary needs."""

    rule: str
    expectation: str
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    notes: str
    warning_template: str | None = None
    expand: str | None = None
    failing_rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        if self.error:
            return f"{self.rule} could not be evaluated: {self.error}"
        of = f" of {self.element_count:,}" if self.element_count is not None else ""
        return f"{self.rule}: {self.unexpected_count or 0:,}{of} fail ({self.expectation})"


@dataclass
class SuiteOutcome:
    suite: Suite
    success: bool
    expectations: list[ExpectationOutcome]
    rows_checked: int
    docs_page: Path | None = None

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]


def warning_message(template: str | None, row: dict[str, Any]) -> str:
    """A warning's message from its expectation's `meta.warning` template and failing row."""
    if template:
        try:
            return template.format(**{k: ("?" if v is None else v) for k, v in row.items()})
        except (KeyError, ValueError, IndexError):
            pass
    return json.dumps(row, default=str)


def _expectation_label(config: Any) -> str:
    kwargs = config.kwargs
    columns = kwargs.get("column") or kwargs.get("column_list")
    if columns is None and "column_A" in kwargs:
        columns = [kwargs["column_A"], kwargs["column_B"]]
    if isinstance(columns, list):
        columns = ", ".join(columns)
    return f"{config.type}({columns})" if columns else config.type


def _plain(value: Any) -> Any:
    """numpy / pandas scalars as plain Python values (JSON-able, printable)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def escape_text(batch: pd.DataFrame) -> pd.DataFrame:
    """The batch with every text cell HTML-escaped, for Great Expectations to see.

    GE's Data Docs write the values of failing rows into HTML without escaping them, and
    some of those values come from senders (a file named `<img src=x onerror=...>.csv`).
    Escaping is one-to-one, so uniqueness, equality and set membership of codes judge the
    same; `_unescaped` turns failing rows back into the text as sent for our own tables.
    """
    escaped = batch.copy()
    for column in escaped.columns:
        values = escaped[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            escaped[column] = values.map(
                lambda cell: html.escape(cell, quote=True) if isinstance(cell, str) else cell
            )
    return escaped


def _unescaped(value: Any) -> Any:
    return html.unescape(value) if isinstance(value, str) else value


class GxRunner:
    """Validates pandas batches against suites; keeps results and Data Docs under `quality_dir`."""

    def __init__(self, quality_dir: Path):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            ProgressBarsConfig,
        )

        self.gx = gx
        self.quality_dir = quality_dir
        self.results_dir = quality_dir / "validation_results"
        self.docs_dir = quality_dir / "data_docs"
        in_memory = {"class_name": "InMemoryStoreBackend"}
        config = DataContextConfig(
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
            stores={
                "expectations_store": {
                    "class_name": "ExpectationsStore",
                    "store_backend": in_memory,
                },
                "validation_results_store": {
                    "class_name": "ValidationResultsStore",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(self.results_dir),
                    },
                },
                "checkpoint_store": {"class_name": "CheckpointStore", "store_backend": in_memory},
                "validation_definition_store": {
                    "class_name": "ValidationDefinitionStore",
                    "store_backend": in_memory,
                },
            },
            expectations_store_name="expectations_store",
            validation_results_store_name="validation_results_store",
            checkpoint_store_name="checkpoint_store",
            data_docs_sites={
                DOCS_SITE: {
                    "class_name": "SiteBuilder",
                    "show_how_to_buttons": False,
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(self.docs_dir),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                }
            },
        )
        self.context = gx.get_context(project_config=config, mode="ephemeral")
        self.datasource = self.context.data_sources.add_pandas("build_warehouse")
        self._checkpoints: dict[str, Any] = {}
        self._built: list[Any] = []

    def _checkpoint(self, suite: Suite) -> Any:
        """A checkpoint per suite (each suite has its own batch), made once per process."""
        if suite.name in self._checkpoints:
            return self._checkpoints[suite.name]
        gx = self.gx
        # Every suite is (re)added so that the Data Docs index knows all of them.
        expectation_suite = self.context.suites.add(gx.ExpectationSuite(**suite.definition))
        batch = self.datasource.add_dataframe_asset(
            suite.name
        ).add_batch_definition_whole_dataframe("whole")
        validation = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
        )
        result_format = {
            # warnings need every failing row (they become rows of quality.warnings); a
            # blocking failure stops the load, so examples are enough there
            "result_format": "COMPLETE" if suite.kind == "warning" else "SUMMARY",
            "partial_unexpected_count": SUMMARY_EXAMPLES,
            "unexpected_index_column_names": list(suite.index_columns),
            "return_unexpected_index_query": False,
        }
        checkpoint = self.context.checkpoints.add(
            gx.Checkpoint(
                name=suite.name, validation_definitions=[validation], result_format=result_format
            )
        )
        self._checkpoints[suite.name] = checkpoint
        return checkpoint

    def validate(
        self,
        suite: Suite,
        batch: pd.DataFrame,
        parameters: dict[str, Any],
        run_name: str,
        run_time: dt.datetime,
    ) -> SuiteOutcome:
        from great_expectations.core.run_identifier import RunIdentifier

        checkpoint = self._checkpoint(suite)
        result = checkpoint.run(
            batch_parameters={"dataframe": escape_text(batch)},
            expectation_parameters=parameters,
            run_id=RunIdentifier(run_name=run_name, run_time=run_time),
        )
        (identifier, validation), *_ = result.run_results.items()
        self._built.append(identifier)
        notes = {e["meta"]["rule"]: e for e in suite.definition["expectations"]}
        outcomes = []
        for item in validation.results:
            config = item.expectation_config
            rule = (config.meta or {}).get("rule", config.type)
            spec = notes.get(rule, {})
            details = item.result or {}
            error = None
            if item.exception_info and item.exception_info.get("raised_exception"):
                error = item.exception_info.get("exception_message") or "exception"
            rows = details.get("unexpected_index_list") or details.get(
                "partial_unexpected_index_list"
            )
            failing = [
                {key: _unescaped(_plain(value)) for key, value in row.items()}
                for row in (rows or [])
                if isinstance(row, dict)
            ]
            outcomes.append(
                ExpectationOutcome(
                    rule=rule,
                    expectation=_expectation_label(config),
                    severity=str(getattr(config.severity, "value", config.severity or "critical")),
                    success=bool(item.success),
                    element_count=details.get("element_count"),
                    unexpected_count=details.get("unexpected_count"),
                    notes=spec.get("notes", ""),
                    warning_template=spec.get("meta", {}).get("warning"),
                    expand=spec.get("meta", {}).get("expand"),
                    failing_rows=failing,
                    error=error,
                )
            )
        return SuiteOutcome(
            suite=suite,
            success=bool(validation.success),
            expectations=outcomes,
            rows_checked=len(batch),
            docs_page=self.docs_dir.joinpath("validations", *identifier.to_tuple()).with_suffix(
                ".html"
            ),
        )

    def build_docs(self) -> Path:
        """Render this process's new validation pages and the site index; prune old loads."""
        self._prune()
        self.context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=self._built)
        self._built = []
        return self.docs_dir / "index.html"

    def _prune(self) -> None:
        """Keep the validation results and pages of the last KEEP_LOADS loads only."""
        runs = sorted(
            {run.name for suite_dir in self.results_dir.glob("*") for run in suite_dir.glob("*")}
        )
        for old in runs[:-KEEP_LOADS]:
            for root in (self.results_dir, self.docs_dir / "validations"):
                for folder in root.glob(f"*/{old}"):
                    shutil.rmtree(folder, ignore_errors=True)


_runners: dict[Path, GxRunner] = {}


def runner_for(quality_dir: Path) -> GxRunner:
    """The process's runner for a quality folder (the Data Context is made once)."""
    quality_dir = quality_dir.resolve()
    if quality_dir not in _runners:
        quality_dir.mkdir(parents=True, exist_ok=True)
        _runners[quality_dir] = GxRunner(quality_dir)
    return _runners[quality_dir]

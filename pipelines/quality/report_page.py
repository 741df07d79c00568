"""A plain HTML report of each load's checks, readable offline: `<quality dir>/index.html`.

Great Expectations' Data Docs index draws its table with scripts from public CDNs, so on a
machine without internet it is blank. This page needs nothing but the files beside it: the
last load's verdict, every suite's result, each failed expectation with what it protects and
its failing rows, links to the Data Docs validation pages (which do render offline) and a
list of recent loads. Each check step records its suites under `loads/<load_id>/` and
rewrites the page, so a load blocked after ingest still gets its report. The HTML is the
Jinja2 template `templates/report.html`, autoescaped: every text from the records (suite
notes, failing rows, file names and comments that senders wrote) is escaped by default.
"""

from __future__ import annotations

import json
import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from .gx_runner import KEEP_LOADS, SUMMARY_EXAMPLES, SuiteOutcome, warning_message

WARNINGS_QUERY = "select * from audit.quality_warnings"


def record_outcomes(
    quality_dir: Path, load_id: str, run_id: str, outcomes: list[SuiteOutcome]
) -> None:
    """Keep this step's results as JSON beside the report (one file per suite)."""
    folder = quality_dir / "loads" / load_id
    folder.mkdir(parents=True, exist_ok=True)
    for outcome in outcomes:
        page = outcome.docs_page
        record = {
            "load_id": load_id,
            "run_id": run_id,
            "suite": outcome.suite.name,
            "guards": "/".join(outcome.suite.guards),
            "kind": outcome.suite.kind,
            "stage": outcome.suite.stage,
            "notes": outcome.suite.description,
            "success": outcome.success,
            "rows_checked": outcome.rows_checked,
            "docs_page": os.path.relpath(page, quality_dir) if page else None,
            "expectations": [
                {
                    "rule": e.rule,
                    "expectation": e.expectation,
                    "success": e.success,
                    "notes": e.notes,
                    "element_count": e.element_count,
                    "unexpected_count": e.unexpected_count,
                    "error": e.error,
                    "warning_template": e.warning_template,
                    "failing_rows": e.failing_rows[:SUMMARY_EXAMPLES],
                }
                for e in outcome.expectations
            ],
        }
        (folder / f"{outcome.suite.name}.json").write_text(
            json.dumps(record, indent=1, default=str), encoding="utf-8"
        )


QUIET_NIGHT_FILE = "_quiet_night.json"  # beside the suites' records, not one of them
SHOWN_OPEN_WARNINGS = 200


def _load_records(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.json"))
        if not p.name.startswith("_")
    ]


def record_quiet_night(
    quality_dir: Path, load_id: str, as_of_load: str | None, open_warnings: list[dict[str, Any]]
) -> None:
    """Note that this load took nothing up, and the warnings still open as of `as_of_load`
    (the last load that took files up), for its report page."""
    folder = quality_dir / "loads" / load_id
    folder.mkdir(parents=True, exist_ok=True)
    note = {
        "as_of_load": as_of_load,
        "open_warnings": len(open_warnings),
        "shown": open_warnings[:SHOWN_OPEN_WARNINGS],
    }
    (folder / QUIET_NIGHT_FILE).write_text(json.dumps(note, indent=1, default=str), "utf-8")


def _quiet_night(folder: Path) -> dict[str, Any] | None:
    path = folder / QUIET_NIGHT_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def verdict(records: list[dict[str, Any]]) -> str:
    if any(r["kind"] == "blocking" and not r["success"] for r in records):
        return "blocked"
    if any(not r["success"] for r in records):
        return "warned"
    return "passed"


@cache
def _environment() -> jinja2.Environment:
    """The report's template (templates/report.html), autoescaped; None is written as ''."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, "templates"),
        autoescape=True,
        finalize=lambda value: "" if value is None else value,  # a missing cell shows empty
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = lambda number: f"{number or 0:,}"
    return env


def _failures(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The suite's failed expectations, with their failing rows (or, for warnings, messages)."""
    failures = []
    for e in record["expectations"]:
        if e["success"]:
            continue
        rows = e["failing_rows"]
        warning = record["kind"] == "warning"
        count = e["error"] or f"{e['unexpected_count'] or 0:,} of {e['element_count'] or 0:,} rows"
        messages = [warning_message(e["warning_template"], row) for row in rows]
        failures.append(
            {
                "suite": record["suite"],
                "rule": e["rule"],
                "result": "warned" if warning else "failed",
                "count": count,
                "notes": e["notes"],
                "expectation": e["expectation"],
                "messages": messages if warning else [],
                "columns": list(rows[0]) if rows else [],
                "rows": rows,
                "unexpected": e["unexpected_count"] or 0,
            }
        )
    return failures


def render_report(
    load_id: str,
    records: list[dict[str, Any]],
    history: list[tuple[str, str]],
    prefix: str,
    quiet: dict[str, Any] | None = None,
) -> str:
    """The report page of one load from its suites' records (as `record_outcomes` keeps them).

    `history`: (load_id, verdict) of recent loads, newest first; `prefix`: the way from the
    page's folder to the quality folder ("" or "../../").
    """
    suites = []
    for r in records:
        result = "passed" if r["success"] else ("failed" if r["kind"] == "blocking" else "warned")
        passed = sum(e["success"] for e in r["expectations"])
        suites.append(
            {**r, "result": result, "passed": passed, "expectation_count": len(r["expectations"])}
        )
    template = _environment().get_template("report.html")
    return template.render(
        load_id=load_id,
        verdict=verdict(records),
        warnings_query=WARNINGS_QUERY,
        suites=suites,
        failures=[f for r in records for f in _failures(r)],
        history=history,
        prefix=prefix,
        quiet=quiet,
    )


def write_report(quality_dir: Path, load_id: str) -> Path:
    """Rewrite this load's page and the latest-load page `index.html`; prune old loads."""
    loads_dir = quality_dir / "loads"
    loads = sorted(p.name for p in loads_dir.iterdir() if p.is_dir())
    for old in loads[:-KEEP_LOADS]:
        shutil.rmtree(loads_dir / old, ignore_errors=True)
    loads = loads[-KEEP_LOADS:]
    history = [(other, verdict(_load_records(loads_dir / other))) for other in reversed(loads)]
    records = _load_records(loads_dir / load_id)
    quiet = _quiet_night(loads_dir / load_id)
    (loads_dir / load_id / "index.html").write_text(
        render_report(load_id, records, history, "../../", quiet), encoding="utf-8"
    )
    index = quality_dir / "index.html"
    index.write_text(render_report(load_id, records, history, "", quiet), encoding="utf-8")
    return index

"""A plain HTML report of each load's checks, readable offline: `<quality dir>/index.html`.

Great Expectations' Data Docs index draws its table with scripts from public CDNs, so on a
machine without internet it is blank. This page needs nothing but the files beside it: the
last load's verdict, every suite's result, each failed expectation with what it protects and
its failing rows, links to the Data Docs validation pages (which do render offline) and a
list of recent loads. Each check step records its suites under `loads/<load_id>/` and
rewrites the page, so a load blocked after ingest still gets its report.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path
from typing import Any

from .gx_runner import KEEP_LOADS, SUMMARY_EXAMPLES, SuiteOutcome, warning_message

WARNINGS_QUERY = "select * from audit.quality_warnings"
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#eee}.passed{color:#05631e}.warned{color:#8a5300}
.blocked,.failed{color:#b00020}code{background:#f3f3f3;padding:0 .2rem}.note{color:#444}
"""


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


def _load_records(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def verdict(records: list[dict[str, Any]]) -> str:
    if any(r["kind"] == "blocking" and not r["success"] for r in records):
        return "blocked"
    if any(not r["success"] for r in records):
        return "warned"
    return "passed"


def _cell(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _failures(record: dict[str, Any]) -> list[str]:
    parts = []
    for e in record["expectations"]:
        if e["success"]:
            continue
        count = e["error"] or f"{e['unexpected_count'] or 0:,} of {e['element_count'] or 0:,} rows"
        parts.append(
            f"<h3>{_cell(record['suite'])}: {_cell(e['rule'])} "
            f"<span class='{'warned' if record['kind'] == 'warning' else 'failed'}'>"
            f"({_cell(count)})</span></h3>"
            f"<p class='note'>{_cell(e['notes'])}<br><code>{_cell(e['expectation'])}</code></p>"
        )
        rows = e["failing_rows"]
        if not rows:
            continue
        if record["kind"] == "warning":
            items = "".join(
                f"<li>{_cell(warning_message(e['warning_template'], row))}</li>" for row in rows
            )
            parts.append(f"<ul>{items}</ul>")
        else:
            columns = list(rows[0])
            head = "".join(f"<th>{_cell(c)}</th>" for c in columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>"
                for row in rows
            )
            parts.append(f"<table><tr>{head}</tr>{body}</table>")
        if (e["unexpected_count"] or 0) > len(rows):
            parts.append(f"<p class='note'>First {len(rows)} shown.</p>")
    return parts


def _page(
    load_id: str, records: list[dict[str, Any]], history: list[tuple[str, str]], prefix: str
) -> str:
    state = verdict(records)
    headline = {
        "passed": "every check passed",
        "warned": "passed, with warnings to look at before publishing",
        "blocked": "BLOCKED: a hard rule failed; nothing after it was built or published",
    }[state]
    rows = []
    for r in records:
        result = "passed" if r["success"] else ("failed" if r["kind"] == "blocking" else "warned")
        passed = sum(e["success"] for e in r["expectations"])
        link = (
            f"<a href='{_cell(prefix + r['docs_page'])}'>Data Docs page</a>"
            if r["docs_page"]
            else ""
        )
        rows.append(
            f"<tr><td>{_cell(r['suite'])}</td><td>{_cell(r['guards'])}</td><td>{_cell(r['kind'])}</td>"
            f"<td class='{result}'>{result}</td><td>{passed} of {len(r['expectations'])}</td>"
            f"<td>{r['rows_checked']:,}</td><td>{link}</td></tr>"
        )
    failures = [part for r in records for part in _failures(r)]
    loads = "".join(
        f"<li><a href='{_cell(prefix)}loads/{_cell(other)}/index.html'>{_cell(other)}</a>: "
        f"<span class='{s}'>{s}</span></li>"
        for other, s in history
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NI Warehouse load {_cell(load_id)}: quality</title>
<style>{STYLE}</style></head><body>
<h1>Quality of load {_cell(load_id)}</h1>
<p class="{state}"><strong>{_cell(headline)}</strong></p>
<p>Blocking suites guard the load (a failure stops it and leaves the published warehouse as it
was); warning suites list anomalies a person should look at. The suites are the files in
<code>expectations/</code>. Every warning of a published load is in the warehouse:
<code>{_cell(WARNINGS_QUERY)}</code>.</p>
<table><tr><th>suite</th><th>guards</th><th>kind</th><th>result</th><th>expectations passed</th>
<th>rows checked</th><th></th></tr>{"".join(rows)}</table>
<h2>What failed or warned</h2>
{"".join(failures) or "<p>Nothing.</p>"}
<h2>Recent loads</h2><ul>{loads}</ul>
<p><a href="{_cell(prefix)}data_docs/index.html">Great Expectations Data Docs</a> (its index
needs internet for its scripts; the validation pages linked above do not).</p>
</body></html>
"""


def write_report(quality_dir: Path, load_id: str) -> Path:
    """Rewrite this load's page and the latest-load page `index.html`; prune old loads."""
    loads_dir = quality_dir / "loads"
    loads = sorted(p.name for p in loads_dir.iterdir() if p.is_dir())
    for old in loads[:-KEEP_LOADS]:
        shutil.rmtree(loads_dir / old, ignore_errors=True)
    loads = loads[-KEEP_LOADS:]
    history = [(other, verdict(_load_records(loads_dir / other))) for other in reversed(loads)]
    records = _load_records(loads_dir / load_id)
    (loads_dir / load_id / "index.html").write_text(
        _page(load_id, records, history, "../../"), encoding="utf-8"
    )
    index = quality_dir / "index.html"
    index.write_text(_page(load_id, records, history, ""), encoding="utf-8")
    return index

"""The Great Expectations suites in `expectations/`, read as the files a reviewer reads.

Each suite is a pair of files: `<name>.json` (a Great Expectations suite: every expectation with
`notes` saying what it protects and `meta.rule`, a short id) and `<name>.sql` (the query that
builds the batch it is run on, from the load's build warehouse). The suite's `meta` says which
asset it guards, at which stage of the load it runs and whether a failure blocks the load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
STAGES = ("after_ingest", "after_dbt")
KINDS = ("blocking", "warning")


class SuiteError(ValueError):
    """A suite file that cannot be used, with the file and what to fix."""


@dataclass(frozen=True)
class Suite:
    name: str
    guards: tuple[str, ...]  # the guarded asset's key path, e.g. ("marts", "fct_indicator_values")
    stage: str
    kind: str
    batch_sql: str
    index_columns: tuple[str, ...]
    definition: dict

    @property
    def blocking(self) -> bool:
        return self.kind == "blocking"

    @property
    def description(self) -> str:
        return self.definition.get("notes", "")


def _read_suite(path: Path) -> Suite:
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON ({exc})") from exc
    meta = definition.get("meta", {})
    missing = [
        key for key in ("guards", "stage", "kind", "batch", "index_columns") if key not in meta
    ]
    if missing:
        raise SuiteError(f"{path}: meta lacks {', '.join(missing)}")
    if definition.get("name") != path.stem:
        raise SuiteError(f"{path}: name {definition.get('name')!r} must match the file name")
    if meta["stage"] not in STAGES or meta["kind"] not in KINDS:
        raise SuiteError(f"{path}: stage must be one of {STAGES} and kind one of {KINDS}")
    for expectation in definition.get("expectations", []):
        if not expectation.get("notes") or "rule" not in expectation.get("meta", {}):
            raise SuiteError(
                f"{path}: expectation {expectation.get('type')} needs `notes` (what it protects) "
                "and `meta.rule` (a short id)"
            )
        severity = expectation.get("severity", "critical")
        if (severity == "warning") != (meta["kind"] == "warning"):
            raise SuiteError(
                f"{path}: {expectation['meta']['rule']} has severity {severity!r}; a "
                f"{meta['kind']} suite's expectations must all be "
                f"{'warning' if meta['kind'] == 'warning' else 'critical'}"
            )
    batch = path.with_name(meta["batch"])
    if not batch.is_file():
        raise SuiteError(f"{path}: its batch query {batch} is missing")
    return Suite(
        name=definition["name"],
        guards=tuple(meta["guards"].split("/")),
        stage=meta["stage"],
        kind=meta["kind"],
        batch_sql=batch.read_text(encoding="utf-8"),
        index_columns=tuple(meta["index_columns"]),
        definition=definition,
    )


def load_suites(directory: Path = EXPECTATIONS_DIR, stage: str | None = None) -> list[Suite]:
    """Every suite in `directory` (in name order), or those of one stage."""
    suites = [_read_suite(path) for path in sorted(directory.glob("*.json"))]
    return [suite for suite in suites if stage is None or suite.stage == stage]

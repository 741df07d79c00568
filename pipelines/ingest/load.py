"""One ingestion load: take up new return files, land their rows, validate, append the ledger.

The ledger (schema `ingest`, see docs/architecture.md) is append-only. Every row read ends
either in `ingest.accepted_values` or in `ingest.rejected_rows`, and every file taken up has
one row in `ingest.load_files` whose counts add up (rows_read = accepted + rejected). Exact
duplicates inside a file give one accepted version whose `copies` says how many rows it
stands for, so rows_read = sum(copies) + rejected rows, file by file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from .discover import CandidateFile, list_return_files, read_file_bytes, sha256_hex
from .headers import CANONICAL_COLUMNS
from .readers import FileRejected, ParsedFile, read_return_bytes

SQL_DIR = Path(__file__).parent
LANDING_BATCH_ROWS = 250_000

LEDGER_DDL = """
create schema if not exists ingest;
create table if not exists ingest.loads (
    load_id varchar primary key, load_seq integer not null, started_at timestamp not null,
    finished_at timestamp, outcome varchar not null, files integer not null,
    rows_accepted bigint not null, rows_rejected bigint not null
);
create table if not exists ingest.load_files (
    load_id varchar not null, path varchar not null, sha256 varchar, format varchar not null,
    file_order integer not null, outcome varchar not null, reason varchar, message varchar,
    encoding varchar, sheet varchar, header_line integer, extra_columns varchar not null,
    rows_read bigint not null, rows_accepted bigint not null, rows_rejected bigint not null,
    loaded_at timestamp not null
);
create table if not exists ingest.rejected_rows (
    load_id varchar not null, path varchar not null, sha256 varchar not null,
    line_number integer not null, raw varchar not null, reason_code varchar not null,
    message varchar not null, area_code varchar, ni_code varchar, period_id varchar
);
create table if not exists ingest.accepted_values (
    load_id varchar not null, load_seq integer not null, path varchar not null,
    sha256 varchar not null, file_order integer not null, line_number integer not null,
    area_code varchar not null, ni_code varchar not null, period_id varchar not null,
    value double not null, value_derived boolean not null, numerator double,
    denominator double, ci_lower double, ci_upper double, status varchar not null,
    comment varchar, loaded_at timestamp not null, copies integer default 1
);
-- Columns added after 0.1.0: a ledger written by an older version gains them (null, or 1
-- copy, on its old rows). Always at the end and in the order above, so inserts by position
-- fit old and new ledgers alike.
alter table ingest.rejected_rows add column if not exists area_code varchar;
alter table ingest.rejected_rows add column if not exists ni_code varchar;
alter table ingest.rejected_rows add column if not exists period_id varchar;
alter table ingest.accepted_values add column if not exists copies integer default 1;

-- Written by the quality checks after dbt has built the marts (pipelines/quality), read by
-- the views audit.quality_warnings and marts.area_return_quality. Created here so they exist
-- before dbt first runs. Append-only, like the ledger.
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

# The reference seeds ingest validates against, read straight from data/seeds (the same
# files dbt seeds into the warehouse), one temp table each.
REFERENCE_TABLES = {
    "national_indicators": """
        create or replace temp table ref_indicators as
        select cast(ni_number as integer) as ni_number, ni_code, title,
               cast(is_live as boolean) as is_live, period_type,
               cast(multiplier as double) as multiplier,
               cast(nullif(valid_min, '') as double) as valid_min,
               cast(nullif(valid_max, '') as double) as valid_max
        from read_csv($path, header = true, all_varchar = true)
    """,
    "areas": """
        create or replace temp table ref_areas as
        select area_code, nullif(valid_from_period, '') as valid_from_period,
               nullif(valid_to_period, '') as valid_to_period
        from read_csv($path, header = true, all_varchar = true)
    """,
    "periods": """
        create or replace temp table ref_periods as
        select period_id, period_type, financial_year
        from read_csv($path, header = true, all_varchar = true)
    """,
}


@dataclass
class FileOutcome:
    """What a load did with one file: the row it adds to `ingest.load_files`."""

    path: str
    sha256: str | None
    format: str
    file_order: int
    outcome: str
    reason: str | None = None
    message: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    header_line: int | None = None
    extra_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0


@dataclass
class IngestResult:
    """The outcome of one load, for the run summary and Dagster metadata."""

    load_id: str
    load_seq: int
    started_at: dt.datetime
    finished_at: dt.datetime
    files: list[FileOutcome]
    rejected_by_reason: dict[str, int]

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger (and the quality tables) if missing; add columns an old one lacks."""
    con.execute(LEDGER_DDL)


def _load_reference(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> None:
    for seed, statement in REFERENCE_TABLES.items():
        path = seeds_dir / f"{seed}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"reference seed {path} is missing")
        con.execute(statement, {"path": str(path)})


class _Lander:
    """Collects parsed rows and lands them, as lists of cell text, in temp tables in batches.

    `landed` holds one row per data row (file_id, line_number, cells); `landed_files` holds
    each file's header names and where each contract column sits (1-based), so the mapping
    from cells to columns is done in SQL.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.con.execute(
            "create or replace temp table landed "
            "(file_id integer, line_number integer, cells varchar[])"
        )
        self.con.execute(
            "create or replace temp table landed_files (file_id integer, names varchar[], "
            + ", ".join(f"pos_{c} integer" for c in CANONICAL_COLUMNS)
            + ")"
        )
        self._reset()

    def _reset(self) -> None:
        self.file_ids: list[int] = []
        self.lines: list[int] = []
        self.cells: list[list[str]] = []

    def add(self, file_id: int, parsed: ParsedFile) -> None:
        positions = parsed.header.positions
        self.con.execute(
            f"insert into landed_files values (?, ?{', ?' * len(CANONICAL_COLUMNS)})",  # noqa: S608 (placeholders only)
            [file_id, parsed.column_names]
            + [positions[c] + 1 if c in positions else None for c in CANONICAL_COLUMNS],
        )
        self.file_ids.extend([file_id] * parsed.rows_read)
        self.lines.extend(parsed.line_numbers)
        self.cells.extend(parsed.rows)
        if len(self.lines) >= LANDING_BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        batch = pa.table(
            {
                "file_id": pa.array(self.file_ids, pa.int32()),
                "line_number": pa.array(self.lines, pa.int32()),
                "cells": pa.array(self.cells, pa.list_(pa.string())),
            }
        )
        self.con.register("landing_batch", batch)
        self.con.execute("insert into landed select * from landing_batch")
        self.con.unregister("landing_batch")
        self._reset()


def _take_up(
    candidates: list[CandidateFile],
    raw_dir: Path,
    seen: set[tuple[str, str]],
    loaded_before: dict[str, str],
    lander: _Lander,
    progress: Callable[[str], None],
) -> list[FileOutcome]:
    outcomes: list[FileOutcome] = []
    step = max(1, len(candidates) // 10)
    for index, candidate in enumerate(candidates, start=1):
        if index % step == 0 or index == len(candidates):
            progress(f"read {index}/{len(candidates)} files")
        order = len(outcomes) + 1
        try:
            data = read_file_bytes(candidate, raw_dir)
        except OSError as exc:
            if (candidate.path, None) in seen:
                continue  # still unreadable, and already reported: nothing new to say
            reason = exc.strerror or str(exc)
            outcomes.append(
                FileOutcome(
                    candidate.path,
                    None,
                    candidate.format,
                    order,
                    "REJECTED",
                    "UNREADABLE",
                    f"the file cannot be read: {reason}",
                )
            )
            continue
        sha = sha256_hex(data)
        if (candidate.path, sha) in seen:
            continue  # these exact bytes at this path were taken up before
        outcome = FileOutcome(candidate.path, sha, candidate.format, order, "LOADED")
        outcomes.append(outcome)
        if sha in loaded_before:
            outcome.outcome = "ALREADY_LOADED"
            outcome.message = (
                f"same bytes as {loaded_before[sha]!r}, loaded before; nothing changes"
            )
            continue
        try:
            parsed = read_return_bytes(data, candidate.format)
        except FileRejected as exc:
            outcome.outcome, outcome.reason, outcome.message = "REJECTED", exc.reason, exc.message
            continue
        outcome.encoding, outcome.sheet = parsed.encoding, parsed.sheet
        outcome.header_line = parsed.header_line
        outcome.extra_columns = parsed.header.extra_columns
        outcome.rows_read = parsed.rows_read
        loaded_before[sha] = candidate.path
        lander.add(order, parsed)
    lander.flush()
    return outcomes


def run_ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    seeds_dir: Path,
    *,
    progress: Callable[[str], None] = lambda message: None,
) -> IngestResult:
    """Take up every new file under raw_dir and append the outcome to the ledger."""
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    ensure_ledger(con)
    _load_reference(con, seeds_dir)
    load_seq = con.execute("select coalesce(max(load_seq), 0) + 1 from ingest.loads").fetchone()[0]
    load_id = f"L{started_at:%Y%m%dT%H%M%SZ}-{load_seq:04d}"
    seen = set(con.execute("select path, sha256 from ingest.load_files").fetchall())
    loaded_before = dict(
        con.execute(
            "select sha256, min(path) from ingest.load_files where outcome = 'LOADED' group by 1"
        ).fetchall()
    )
    candidates = list_return_files(raw_dir)
    progress(f"{len(candidates)} files under {raw_dir}")
    lander = _Lander(con)
    outcomes = _take_up(candidates, raw_dir, seen, loaded_before, lander, progress)
    progress(f"validating {sum(o.rows_read for o in outcomes):,} rows")
    con.execute((SQL_DIR / "validate.sql").read_text())

    rejected = dict(
        con.execute(
            "select file_id, count(*) from checked where reason_code is not null group by 1"
        ).fetchall()
    )
    for outcome in outcomes:
        if outcome.outcome == "LOADED":
            outcome.rows_rejected = rejected.get(outcome.file_order, 0)
            outcome.rows_accepted = outcome.rows_read - outcome.rows_rejected
    by_reason = dict(
        con.execute(
            "select reason_code, count(*) from checked where reason_code is not null "
            "group by 1 order by 1"
        ).fetchall()
    )
    finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    result = IngestResult(load_id, load_seq, started_at, finished_at, outcomes, by_reason)
    _append_ledger(con, result)
    progress(
        f"load {load_id}: {len(outcomes)} files taken up, {result.rows_accepted:,} rows accepted, "
        f"{result.rows_rejected:,} rejected"
    )
    return result


def _append_ledger(con: duckdb.DuckDBPyConnection, result: IngestResult) -> None:
    files = pa.table(
        {
            "load_id": [result.load_id] * len(result.files),
            "path": [f.path for f in result.files],
            "sha256": pa.array([f.sha256 for f in result.files], pa.string()),
            "format": [f.format for f in result.files],
            "file_order": pa.array([f.file_order for f in result.files], pa.int32()),
            "outcome": [f.outcome for f in result.files],
            "reason": pa.array([f.reason for f in result.files], pa.string()),
            "message": pa.array([f.message for f in result.files], pa.string()),
            "encoding": pa.array([f.encoding for f in result.files], pa.string()),
            "sheet": pa.array([f.sheet for f in result.files], pa.string()),
            "header_line": pa.array([f.header_line for f in result.files], pa.int32()),
            "extra_columns": [
                json.dumps(f.extra_columns, ensure_ascii=False) for f in result.files
            ],
            "rows_read": pa.array([f.rows_read for f in result.files], pa.int64()),
            "rows_accepted": pa.array([f.rows_accepted for f in result.files], pa.int64()),
            "rows_rejected": pa.array([f.rows_rejected for f in result.files], pa.int64()),
        }
    )
    params = {
        "load_id": result.load_id,
        "load_seq": result.load_seq,
        "loaded_at": result.started_at,
    }
    con.register("load_files_batch", files)
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into ingest.load_files select *, $loaded_at from load_files_batch",
            {"loaded_at": result.started_at},
        )
        con.execute(
            """
            insert into ingest.rejected_rows
            select $load_id, f.path, f.sha256, c.line_number, c.raw, c.reason_code, c.message,
                   c.area_code, c.ni_code, c.period_id
            from checked as c join load_files_batch as f on f.file_order = c.file_id
            where c.reason_code is not null
            order by c.file_id, c.line_number
            """,
            {"load_id": result.load_id},
        )
        con.execute(
            """
            insert into ingest.accepted_values
            select $load_id, $load_seq, f.path, f.sha256, f.file_order, c.line_number,
                   c.area_code, c.ni_code, c.period_id, c.value, c.value_derived, c.numerator,
                   c.denominator, c.ci_lower, c.ci_upper, c.status, c.comment, $loaded_at,
                   c.copies
            from checked as c join load_files_batch as f on f.file_order = c.file_id
            where c.reason_code is null and c.is_first_copy
            order by c.file_id, c.line_number
            """,
            params,
        )
        con.execute(
            "insert into ingest.loads values ($load_id, $load_seq, $started_at, $finished_at, "
            "$outcome, $files, $rows_accepted, $rows_rejected)",
            {
                "load_id": result.load_id,
                "load_seq": result.load_seq,
                "started_at": result.started_at,
                "finished_at": result.finished_at,
                "outcome": "loaded" if result.files else "nothing_new",
                "files": len(result.files),
                "rows_accepted": result.rows_accepted,
                "rows_rejected": result.rows_rejected,
            },
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("load_files_batch")
        con.execute(
            "drop table if exists landed; drop table if exists landed_files; drop table if exists checked"
        )

"""One ingestion load: take up new return files, land their rows, validate, append the ledger.

The ledger (schema `ingest`, see docs/architecture.md) is append-only. Every row read ends
either in `ingest.accepted_values` or in `ingest.rejected_rows`, and every file taken up has
one row in `ingest.load_files` whose counts add up (rows_read = accepted + rejected). Exact
duplicates inside a file give one accepted version whose `copies` says how many rows it
stands for, so rows_read = sum(copies) + rejected rows, file by file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from ..demo.marker import demo_paths
from ..feeds.load import FeedResult, run_feed_ingest
from .discover import CandidateFile, list_return_files, read_file_bytes, sha256_hex
from .headers import CANONICAL_COLUMNS
from .ledger import (
    FileOutcome,
    IngestResult,
    append_load,
    ensure_ledger,
    files_seen,
    make_load_id,
    next_load_seq,
)
from .readers import FileRejected, ParsedFile, read_return_bytes

SQL_DIR = Path(__file__).parent
LANDING_BATCH_ROWS = 250_000

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


def _new_files(
    candidates: list[CandidateFile],
    raw_dir: Path,
    seen: set[tuple[str, str | None]],
    progress: Callable[[str], None] = lambda message: None,
) -> Iterator[tuple[CandidateFile, bytes | None, str | None, OSError | None]]:
    """The files a load takes up, read: (file, bytes, SHA-256, None), or (file, None, None,
    the error) for one that cannot be read. A file is taken up when its path is new or its
    bytes changed (the contract's rule), or it became unreadable; `seen` is `files_seen`."""
    step = max(1, len(candidates) // 10)
    for index, candidate in enumerate(candidates, start=1):
        if index % step == 0 or index == len(candidates):
            progress(f"read {index}/{len(candidates)} files")
        try:
            data = read_file_bytes(candidate, raw_dir)
        except OSError as exc:
            if (candidate.path, None) not in seen:  # else still unreadable, already reported
                yield candidate, None, None, exc
            continue
        sha = sha256_hex(data)
        if (candidate.path, sha) not in seen:  # else these bytes at this path were taken up
            yield candidate, data, sha, None


def _take_up(
    candidates: list[CandidateFile],
    raw_dir: Path,
    seen: set[tuple[str, str | None]],
    loaded_before: dict[str, str],
    lander: _Lander,
    progress: Callable[[str], None],
) -> list[FileOutcome]:
    outcomes: list[FileOutcome] = []
    for candidate, data, sha, error in _new_files(candidates, raw_dir, seen, progress):
        order = len(outcomes) + 1
        if error is not None:
            reason = error.strerror or str(error)
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
        outcome.cells_cut = parsed.cells_cut
        loaded_before[sha] = candidate.path
        lander.add(order, parsed)
    lander.flush()
    return outcomes


def count_new_files(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> int:
    """How many files under raw_dir a load would take up now (`_new_files`), feed files too."""
    from ..feeds.load import new_feed_files

    seen = files_seen(con)
    returns = sum(1 for _ in _new_files(list_return_files(raw_dir), raw_dir, seen))
    return returns + len(new_feed_files(raw_dir, seen))


def run_ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    seeds_dir: Path,
    *,
    feed_store: Path | None = None,
    keep_feed_loads: set[str] | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> IngestResult:
    """Take up every new file under raw_dir and append the outcome to the ledger.

    With `feed_store` (where the warehouse's feed rows live, pipelines/feeds/load.py), the
    departmental feed files under raw_dir/feeds/wpls/ are taken up too, after the returns;
    `keep_feed_loads` names the loads whose stored feed files kept generations list.
    """
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    ensure_ledger(con)
    _load_reference(con, seeds_dir)
    load_seq = next_load_seq(con)
    load_id = make_load_id(started_at, load_seq)
    seen = files_seen(con)
    loaded_before = dict(
        con.execute(
            "select sha256, min(path) from ingest.load_files where outcome = 'LOADED' group by 1"
        ).fetchall()
    )
    candidates = list_return_files(raw_dir)
    progress(f"{len(candidates)} files under {raw_dir}")
    lander = _Lander(con)
    outcomes = _take_up(candidates, raw_dir, seen, loaded_before, lander, progress)
    demo = demo_paths(raw_dir)
    for outcome in outcomes:
        outcome.demo = outcome.path in demo
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
    feeds = FeedResult(files=[])
    if feed_store is not None:
        feeds = run_feed_ingest(
            con,
            raw_dir,
            seeds_dir,
            feed_store,
            load_id=load_id,
            load_seq=load_seq,
            first_order=len(outcomes) + 1,  # feed versions sort after the load's returns
            loaded_at=started_at,
            demo=demo,
            seen=seen,
            keep_loads=keep_feed_loads,
            progress=progress,
        )
    finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    result = IngestResult(load_id, load_seq, started_at, finished_at, outcomes, by_reason, feeds)
    append_load(con, result)
    progress(
        f"load {load_id}: {len(outcomes)} files taken up, {result.rows_accepted:,} rows accepted, "
        f"{result.rows_rejected:,} rejected"
    )
    return result

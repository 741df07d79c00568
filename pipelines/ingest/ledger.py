"""The ledger: schema `ingest` of the warehouse, which ingest alone creates and appends to.

    ingest.loads            one row per load
    ingest.load_files       one row per file a load took up, with its outcome and counts
    ingest.rejected_rows    every rejected row: file, line, the row as read, reason, message
    ingest.accepted_values  every accepted version of a value, in version order
    ingest.rollbacks        every rollback: the loads it undid
    ingest.withdrawn_files  the files those loads had taken up (not taken up again)
    ingest.load_settings    what each load ran with: its embargo date and the digest of the
                            dbt project and seeds that built the warehouse
    ingest.feed_files       one row per departmental feed file a load took up (WPLS)
    ingest.feed_rejected_rows  every rejected feed row, with its reason
    ingest.feed_stored      the Parquet files holding each feed file's accepted rows (the rows
                            themselves live outside the DuckDB file: pipelines/feeds/load.py)
    ingest.feed_lsoa_rates  each LSOA's rate per quarter, a version per quarter a load touched
    ingest.feed_neighbourhoods  NI 153's qualifying LSOAs, a version when the baseline moved
    ingest.derived_values   NI 152 and NI 153 versions derived from the feed (as accepted_values)

Append-only: nothing is updated or deleted, so every version and every rejection stays
findable (docs/architecture.md describes each column). dbt reads these tables as sources.
`last_load` is the one answer to "which load was the last?" for every reader in Python.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

if TYPE_CHECKING:
    from ..feeds.load import FeedResult

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
-- true for a file the demo generator wrote (pipelines/demo/marker.py): invented figures.
alter table ingest.load_files add column if not exists demo boolean default false;
-- cells longer than the reader keeps whole, cut (pipelines/ingest/readers.py CELL_MAX_CHARS)
alter table ingest.load_files add column if not exists cells_cut integer default 0;
-- Written by a rollback (pipelines/warehouse/build_file.py, through record_rollback below):
-- the loads it undid, and every file those loads had taken up, so that the next load does
-- not take them up again (unless their bytes change) nor reuse their load numbers.
create table if not exists ingest.rollbacks (
    rolled_back_at timestamp not null, restored_load_id varchar not null,
    withdrawn_load_ids varchar[] not null, last_load_seq integer not null
);
create table if not exists ingest.withdrawn_files (
    path varchar not null, sha256 varchar, load_id varchar not null,
    rolled_back_at timestamp not null
);
-- What each load ran with (pipelines/warehouse/quiet_night.py reads it): the embargo date the
-- dbt models publish on (they read it here, not from a dbt var, so dbt's parse of the project
-- is the same every day and partial parsing works), and the digest of the dbt project and
-- reference seeds, so a night with nothing new can tell that nothing needs rebuilding.
create table if not exists ingest.load_settings (
    load_id varchar not null, load_seq integer not null, publish_as_of date not null,
    project_digest varchar not null
);
-- The departmental feed (issue 14, pipelines/feeds/load.py, docs/contract.md section 6).
create table if not exists ingest.feed_files (
    load_id varchar not null, load_seq integer not null, path varchar not null,
    sha256 varchar, format varchar not null, kind varchar, file_order integer not null,
    outcome varchar not null, reason varchar, message varchar, rows_read bigint not null,
    rows_accepted bigint not null, rows_rejected bigint not null, keys_stored bigint not null,
    loaded_at timestamp not null, demo boolean not null
);
create table if not exists ingest.feed_rejected_rows (
    load_id varchar not null, path varchar not null, sha256 varchar not null,
    line_number bigint not null, raw varchar not null, reason_code varchar not null,
    message varchar not null, lsoa_code varchar
);
create table if not exists ingest.feed_stored (
    load_id varchar not null, load_seq integer not null, file_order integer not null,
    kind varchar not null, part varchar not null, stored_path varchar not null,
    rows bigint not null
);
create table if not exists ingest.feed_lsoa_rates (
    load_id varchar not null, load_seq integer not null, lsoa_code varchar not null,
    quarter varchar not null, main_claimants bigint not null,
    working_age_population bigint not null, population_year integer not null,
    rate double not null
);
create table if not exists ingest.feed_neighbourhoods (
    load_id varchar not null, load_seq integer not null, lsoa_code varchar not null,
    area_code_before_2009 varchar not null, area_code_from_2009 varchar not null,
    baseline_rate double, baseline_quarters integer not null, qualifying boolean not null
);
create table if not exists ingest.derived_values (
    load_id varchar not null, load_seq integer not null, path varchar not null,
    sha256 varchar not null, file_order integer not null, line_number integer not null,
    area_code varchar not null, ni_code varchar not null, period_id varchar not null,
    value double not null, value_derived boolean not null, numerator double,
    denominator double, ci_lower double, ci_upper double, status varchar not null,
    comment varchar, loaded_at timestamp not null, copies integer not null,
    quarter varchar not null, lsoas integer not null
);
"""


@dataclass(frozen=True)
class LoadRecord:
    """One row of `ingest.loads`."""

    load_id: str
    load_seq: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    files: int
    rows_accepted: int
    rows_rejected: int


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
    demo: bool = False  # written by the demo generator (listed in its marker)
    cells_cut: int = 0  # cells longer than the reader keeps whole


@dataclass
class IngestResult:
    """The outcome of one load, for the run summary and Dagster metadata."""

    load_id: str
    load_seq: int
    started_at: dt.datetime
    finished_at: dt.datetime
    files: list[FileOutcome]
    rejected_by_reason: dict[str, int]
    feeds: FeedResult | None = None  # the departmental feed step (pipelines/feeds/load.py)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger if missing, and add the columns an older ledger lacks."""
    con.execute(LEDGER_DDL)


def next_load_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The next load's number: never one a load already had, even one a rollback undid."""
    return con.execute(
        "select greatest((select coalesce(max(load_seq), 0) from ingest.loads), "
        "(select coalesce(max(last_load_seq), 0) from ingest.rollbacks)) + 1"
    ).fetchone()[0]


def files_seen(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str | None]]:
    """(path, sha256) of every file (return or feed) a load took up, or a rollback withdrew:
    not new again. Feed paths are under `feeds/`, so they never meet a return's path."""
    return set(
        con.execute(
            "select path, sha256 from ingest.load_files "
            "union select path, sha256 from ingest.feed_files "
            "union select path, sha256 from ingest.withdrawn_files"
        ).fetchall()
    )


def record_rollback(
    con: duckdb.DuckDBPyConnection, live: str, at: dt.datetime
) -> tuple[list[str], list[str]]:
    """In a generation about to be restored (`con`), record what the live file (attached as
    `live`) has beyond it: the loads being undone and the files they took up.

    Returns (withdrawn load ids, withdrawn paths). Earlier rollbacks recorded in the live file
    are carried over, so a withdrawal survives a second rollback.
    """
    ensure_ledger(con)
    restored = last_load(con)
    restored_seq = restored.load_seq if restored else 0
    undone = [
        load_id
        for (load_id,) in con.execute(
            f"select load_id from {live}.ingest.loads where load_seq > ? order by load_seq",  # noqa: S608
            [restored_seq],
        ).fetchall()
    ]
    last_seq = con.execute(
        f"select greatest((select coalesce(max(load_seq), 0) from {live}.ingest.loads), "  # noqa: S608
        f"(select coalesce(max(last_load_seq), 0) from {live}.ingest.rollbacks))"
    ).fetchone()[0]
    # a live file from before feeds were loaded has no feed_files table
    has_feeds = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? "
        "and schema_name = 'ingest' and table_name = 'feed_files'",
        [live],
    ).fetchone()[0]
    feed_files = (
        f"select path, sha256, load_id, $at from {live}.ingest.feed_files "  # noqa: S608
        "where load_id in (select unnest($undone::varchar[])) union all"
        if has_feeds
        else ""
    )
    con.execute(
        f"""
        insert into ingest.withdrawn_files
        select path, sha256, load_id, $at from {live}.ingest.load_files
        where load_id in (select unnest($undone::varchar[]))
        union all
        {feed_files}
        select path, sha256, load_id, rolled_back_at from {live}.ingest.withdrawn_files
        except
        select path, sha256, load_id, rolled_back_at from ingest.withdrawn_files
        """,  # noqa: S608 (our names)
        {"at": at, "undone": undone},
    )
    con.execute(
        f"insert into ingest.rollbacks select * from {live}.ingest.rollbacks "  # noqa: S608
        "except select * from ingest.rollbacks"
    )
    con.execute(
        "insert into ingest.rollbacks values (?, ?, ?, ?)",
        [at, restored.load_id if restored else "", undone, last_seq],
    )
    paths = [
        path
        for (path,) in con.execute(
            "select distinct path from ingest.withdrawn_files where rolled_back_at = ? order by 1",
            [at],
        ).fetchall()
    ]
    return undone, paths


def make_load_id(started_at: dt.datetime, load_seq: int) -> str:
    """`L` + the UTC start time + the load number: L20261130T010707Z-0001."""
    return f"L{started_at:%Y%m%dT%H%M%SZ}-{load_seq:04d}"


def append_nothing_new(con: duckdb.DuckDBPyConnection, started_at: dt.datetime) -> LoadRecord:
    """Record a load that took no file up (outcome `nothing_new`, files 0); return its row."""
    load_seq = next_load_seq(con)
    finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    load = LoadRecord(
        make_load_id(started_at, load_seq),
        load_seq,
        started_at,
        finished_at,
        "nothing_new",
        0,
        0,
        0,
    )
    con.execute(
        "insert into ingest.loads values (?, ?, ?, ?, ?, ?, ?, ?)", list(vars(load).values())
    )
    return load


def record_load_settings(
    con: duckdb.DuckDBPyConnection, load_id: str, load_seq: int, as_of: str, digest: str
) -> None:
    """Note what a load runs with (ingest.load_settings): its embargo date, the project digest."""
    con.execute(
        "insert into ingest.load_settings values (?, ?, ?, ?)", [load_id, load_seq, as_of, digest]
    )


def recorded_digests(con: duckdb.DuckDBPyConnection, last: int) -> list[str]:
    """The project digests the last `last` loads recorded (ingest.load_settings), newest
    first; fewer when fewer loads did. Raises duckdb.CatalogException on a ledger from before
    loads recorded their settings."""
    rows = con.execute(
        "select project_digest from ingest.load_settings order by load_seq desc limit ?", [last]
    ).fetchall()
    return [digest for (digest,) in rows]


def withdrawn_loads(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Load ids that some rollback undid (their releases and generations are withdrawn)."""
    try:
        rows = con.execute("select unnest(withdrawn_load_ids) from ingest.rollbacks").fetchall()
    except duckdb.CatalogException:  # a warehouse from before rollbacks were recorded
        return set()
    return {load_id for (load_id,) in rows}


def last_load(con: duckdb.DuckDBPyConnection, loads: str = "ingest.loads") -> LoadRecord | None:
    """The last load recorded (highest load_seq), or None before the first.

    `loads` names the table to read when the warehouse is attached under another name
    (`wh.ingest.loads`). Load order is load_seq, never the time or the id: a clock set back
    must not reorder loads.
    """
    columns = (
        "load_id, load_seq, started_at, finished_at, outcome, files, rows_accepted, rows_rejected"
    )
    query = f"select {columns} from {loads} order by load_seq desc limit 1"  # noqa: S608 (our names)
    row = con.execute(query).fetchone()
    return LoadRecord(*row) if row else None


def append_load(con: duckdb.DuckDBPyConnection, result: IngestResult) -> None:
    """Append one load to the ledger in one transaction, from validation's `checked` rows.

    `checked` is the temp table ingest's validate.sql fills (one row per landed row, with
    its reason code or none); it and the landing tables are dropped afterwards.
    """
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
            "demo": pa.array([f.demo for f in result.files], pa.bool_()),
            "cells_cut": pa.array([f.cells_cut for f in result.files], pa.int32()),
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
            "insert into ingest.load_files select * exclude (demo, cells_cut), $loaded_at, demo, "
            "cells_cut "
            "from load_files_batch",
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
                "outcome": "loaded"
                if result.files or (result.feeds and result.feeds.files)
                else "nothing_new",
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

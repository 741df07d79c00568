"""A load's departmental feed step: take up new WPLS files, store their rows, derive NI 152/153.

Runs inside the ingest step, on the load's build file (`con`), after the returns. What it
keeps, and where (docs/architecture.md, "The neighbourhood feed"):

    rows      every accepted feed row, as immutable Parquet outside the DuckDB file, in the
              feed store beside the warehouse (`feed_store`), hive-partitioned:
                  wpls/claimants/quarter=2008-05/<load_id>-<file_order>_0.parquet
                  wpls/population/year=2008/<load_id>-<file_order>_0.parquet
              one file per (feed file, partition), never rewritten. A revision is a later file
              for the same keys: the current row of a key is the last by (load_seq, file_order).
    ledger    in the build file, swapped in with it: ingest.feed_files, feed_rejected_rows,
              feed_stored (which Parquet files are live: the ledger of the live DuckDB file
              lists them, so the swap switches feed versions atomically), feed_lsoa_rates,
              feed_neighbourhoods and derived_values.

A load reads only the partitions its new files touched: a new quarter's file derives that
quarter alone. Every quarter is derived again when a population file arrives (rates of every
year may move) or the qualifying neighbourhoods change (NI 153 of every quarter moves).
Derived values are appended to ingest.derived_values only where their numerator or
denominator differ from the key's last derived version, so dbt's incremental models
recompute NI 152 and NI 153 only when the feed changed them.

A load that fails or is killed leaves Parquet files no ledger lists; the next load removes
them (`remove_orphans`) before it writes. Files a kept generation lists stay, so a rollback
finds its feed rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..ingest.discover import FEEDS_FOLDER, CandidateFile, _display_path, check_readable
from ..nightly import shown
from .derive import (
    BASELINE_QUARTERS,
    derive_area_values,
    derive_lsoa_rates,
    derive_neighbourhoods,
)
from .validate import MissingColumns, judge_feed_file

WPLS = "wpls"
FEED_FORMATS = ("csv", "parquet")
PARTITION = {"claimants": "quarter", "population": "year"}
# A feed file may be large (a national quarter is ~230,000 rows, ~2 MB as Parquet; at the
# 10x breakdown ~20 MB): DuckDB reads it from disk, never whole into memory. Beyond this size a
# file is rejected unread, as an over-large return is.
FEED_MAX_BYTES = 4 * 1024**3


@dataclass
class FeedOutcome:
    """What a load did with one feed file: its row in ingest.feed_files."""

    path: str
    sha256: str | None
    format: str
    file_order: int
    outcome: str  # LOADED | ALREADY_LOADED | REJECTED
    kind: str | None = None
    reason: str | None = None
    message: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    keys_stored: int = 0
    demo: bool = False
    parts: list[str] = field(default_factory=list)


@dataclass
class FeedResult:
    """The feed step of one load, for the run summary and Dagster metadata."""

    files: list[FeedOutcome]
    quarters_derived: list[str] = field(default_factory=list)
    why_all: str | None = None  # why every quarter was derived again, if it was
    neighbourhoods_changed: bool = False
    qualifying: int = 0
    versions: int = 0  # derived versions appended

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def describe(self) -> str:
        """One line for the run summary."""
        if not self.files:
            return "no new feed file"
        loaded = sum(1 for f in self.files if f.outcome == "LOADED")
        text = (
            f"{len(self.files)} feed file(s) taken up ({loaded} loaded), "
            f"{self.rows_accepted:,} rows accepted, {self.rows_rejected:,} rejected"
        )
        if self.quarters_derived:
            scope = (
                f"every quarter ({self.why_all})" if self.why_all else "the quarters they touched"
            )
            text += (
                f"; {len(self.quarters_derived)} quarter(s) derived, {scope}: "
                f"{self.versions:,} NI 152/153 version(s)"
            )
        return text


def feed_store(warehouse: Path) -> Path:
    """Where a warehouse's feed rows live: a folder beside the DuckDB file (`ni.duckdb` →
    `ni.feeds/`), on the same filesystem, kept with it."""
    return warehouse.with_name(f"{warehouse.stem}.feeds")


def list_feed_files(raw_dir: Path) -> list[CandidateFile]:
    """Every file under raw_dir/feeds/wpls/ in lexical path order (hidden names skipped)."""
    root = raw_dir / FEEDS_FOLDER / WPLS
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                location = Path(folder, name)
                relative = location.relative_to(raw_dir).as_posix()
                found.append(CandidateFile(path=_display_path(relative), location=location))
    return sorted(found, key=lambda f: f.path)


def _file_sha256(candidate: CandidateFile, raw_dir: Path) -> str:
    """The file's SHA-256, read in chunks; OSError with a reason when it cannot be read."""
    if check_readable(candidate, raw_dir) > FEED_MAX_BYTES:
        raise OSError(f"the file is larger than {FEED_MAX_BYTES // 1024**3} GB")
    with candidate.location.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def new_feed_files(
    raw_dir: Path, seen: set[tuple[str, str | None]]
) -> list[tuple[CandidateFile, str | None, OSError | None]]:
    """The feed files a load would take up now: new paths, changed bytes, newly unreadable.
    `seen` is the ledger's `files_seen` (returns, feed files and withdrawn files alike: a feed
    path is under feeds/, so it never meets a return's)."""
    new = []
    for candidate in list_feed_files(raw_dir):
        try:
            sha = _file_sha256(candidate, raw_dir)
        except OSError as error:
            if (candidate.path, None) not in seen:
                new.append((candidate, None, error))
            continue
        if (candidate.path, sha) not in seen:
            new.append((candidate, sha, None))
    return new


def referenced_load_ids(generations: Iterable[Path]) -> set[str]:
    """The loads whose stored feed files a kept generation's ledger lists (they must stay)."""
    ids: set[str] = set()
    for path in generations:
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                rows = con.execute("select distinct load_id from ingest.feed_stored").fetchall()
        except duckdb.Error:
            continue
        ids.update(load_id for (load_id,) in rows)
    return ids


def remove_orphans(con: duckdb.DuckDBPyConnection, store: Path, keep: set[str]) -> int:
    """Delete stored Parquet files no ledger lists: what a failed or killed load wrote.

    Kept: every file the build's ledger (a copy of the live one) lists, and every file of a
    load in `keep` (the loads kept generations list). Returns how many files were removed.
    """
    root = store / WPLS
    if not root.is_dir():
        return 0
    listed = {p for (p,) in con.execute("select stored_path from ingest.feed_stored").fetchall()}
    removed = 0
    for path in root.rglob("*.parquet"):
        relative = path.relative_to(store).as_posix()
        if relative in listed or _load_of(path.name) in keep:
            continue
        path.unlink()
        removed += 1
    return removed


def _load_of(name: str) -> str:
    """`L20261130T010707Z-0001-0003_0.parquet` → `L20261130T010707Z-0001`."""
    return "-".join(name.split("-")[:2])


def _literal_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _stored_paths(
    con: duckdb.DuckDBPyConnection, store: Path, kind: str, parts: list[str] | None = None
) -> list[Path]:
    rows = con.execute(
        "select stored_path from ingest.feed_stored where kind = $kind "
        "and ($parts is null or list_contains($parts, part)) order by stored_path",
        {"kind": kind, "parts": parts},
    ).fetchall()
    return [store / p for (p,) in rows]


# The current rows of each kind (`_current`): their columns, and the key a revision replaces.
CURRENT_COLUMNS = {
    "claimants": (
        "lsoa_code varchar, quarter varchar, client_group varchar, claimants bigint",
        "lsoa_code, quarter, client_group",
    ),
    "population": (
        "lsoa_code varchar, year integer, working_age_population bigint",
        "lsoa_code, year",
    ),
}


def _current(
    con: duckdb.DuckDBPyConnection, store: Path, kind: str, parts: list[str] | None, table: str
) -> None:
    """Temp table `table`: the current row of each key of `kind` in `parts` (None: all), the
    last by (load_seq, file_order) among the stored files the ledger lists."""
    columns, key = CURRENT_COLUMNS[kind]
    con.execute(f"create or replace temp table {table} ({columns})")  # noqa: S608 (our names)
    files = _stored_paths(con, store, kind, parts)
    if not files:
        return
    names = ", ".join(column.split()[0] for column in columns.split(", "))
    partition = PARTITION[kind]
    hive_type = dict(column.split() for column in columns.split(", "))[partition]
    con.execute(
        f"""
        insert into {table}
        select {names}
        from read_parquet({_literal_list(files)}, hive_partitioning = true,
            hive_types = {{'{partition}': '{hive_type}'}})
        qualify row_number() over (
            partition by {key} order by load_seq desc, file_order desc
        ) = 1
        """  # noqa: S608 (our names and stored paths, quoted)
    )


def _store_accepted(
    con: duckdb.DuckDBPyConnection,
    store: Path,
    kind: str,
    load_id: str,
    load_seq: int,
    file_order: int,
) -> list[tuple[str, str, int]]:
    """Write feed_accepted's rows as Parquet, one file per partition; return (part, stored
    path relative to the store, rows) of each file written."""
    column = PARTITION[kind]
    folder = store / WPLS / kind
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{load_id}-{file_order:04d}"
    counts = con.execute(
        f"select cast({column} as varchar), count(*) from feed_accepted group by 1 order by 1"  # noqa: S608
    ).fetchall()
    if not counts:
        return []
    target = str(folder).replace("'", "''")
    con.execute(
        f"""
        copy (
            select * exclude (first_line), first_line, $load_seq::integer as load_seq,
                $file_order::integer as file_order
            from feed_accepted
        ) to '{target}'
        (format parquet, partition_by ({column}), filename_pattern '{stem}_{{i}}',
         overwrite_or_ignore true)
        """,  # noqa: S608 (our folder, quoted; the load id and order are ours)
        {"load_seq": load_seq, "file_order": file_order},
    )
    written = []
    for part, rows in counts:
        files = sorted((folder / f"{column}={part}").glob(f"{stem}_*.parquet"))
        if len(files) != 1:
            raise RuntimeError(f"expected one stored file for {kind} {part}, found {len(files)}")
        written.append((part, files[0].relative_to(store).as_posix(), rows))
    return written


def run_feed_ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    seeds_dir: Path,
    store: Path,
    *,
    load_id: str,
    load_seq: int,
    first_order: int,
    loaded_at: dt.datetime,
    demo: frozenset[str] = frozenset(),
    seen: set[tuple[str, str | None]],
    keep_loads: set[str] | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> FeedResult:
    """Take up the new feed files under raw_dir/feeds/wpls/ into the build file `con`; `seen`
    is the ledger's `files_seen` as the load began."""
    removed = remove_orphans(con, store, keep_loads or set())
    if removed:
        progress(f"feed store: removed {removed} file(s) a failed load had left unlisted")
    new = new_feed_files(raw_dir, seen)
    # population files first, so that the claimants are checked against the latest population
    new.sort(key=lambda item: ("population" not in item[0].path, item[0].path))
    result = FeedResult(files=[])
    if not new:
        return result
    progress(f"{len(new)} new feed file(s) under {raw_dir / FEEDS_FOLDER / WPLS}")
    _current(con, store, "population", None, "feed_population")
    touched: set[str] = set()
    population_changed = population_stale = False
    loaded_before = dict(
        con.execute(
            "select sha256, min(path) from ingest.feed_files where outcome = 'LOADED' group by 1"
        ).fetchall()
    )
    for index, (candidate, sha, error) in enumerate(new):
        order = first_order + index
        outcome = FeedOutcome(candidate.path, sha, candidate.format, order, "LOADED")
        outcome.demo = candidate.path in demo
        result.files.append(outcome)
        if error is not None:
            outcome.outcome, outcome.reason = "REJECTED", "UNREADABLE"
            outcome.message = f"the file cannot be read: {error.strerror or error}"
            continue
        if candidate.format not in FEED_FORMATS:
            outcome.outcome, outcome.reason = "REJECTED", "UNSUPPORTED_FORMAT"
            outcome.message = "a feed file is CSV (.csv) or Parquet (.parquet)"
            continue
        if sha in loaded_before:
            outcome.outcome = "ALREADY_LOADED"
            outcome.message = (
                f"same bytes as {loaded_before[sha]!r}, loaded before; nothing changes"
            )
            continue
        if population_stale:  # claimants are checked against every population stored so far
            _current(con, store, "population", None, "feed_population")
            population_stale = False
        try:
            judged = judge_feed_file(con, candidate.location, seeds_dir)
        except MissingColumns as exc:
            outcome.outcome, outcome.reason, outcome.message = (
                "REJECTED",
                "MISSING_COLUMNS",
                str(exc),
            )
            continue
        except (
            duckdb.InvalidInputException,
            duckdb.IOException,
            duckdb.ConversionException,
        ) as exc:
            outcome.outcome, outcome.reason = "REJECTED", "UNREADABLE"
            outcome.message = f"the file cannot be read as {candidate.format}: {str(exc)[:300]}"
            continue
        loaded_before[sha] = candidate.path
        outcome.kind = judged.kind
        outcome.rows_read, outcome.rows_accepted = judged.rows_read, judged.rows_accepted
        outcome.rows_rejected = judged.rows_rejected
        con.execute(
            """
            insert into ingest.feed_rejected_rows
            select $load_id, $path, $sha, line_number, raw, reason_code, message, lsoa_code
            from feed_rejected order by line_number
            """,
            {"load_id": load_id, "path": candidate.path, "sha": sha},
        )
        stored = _store_accepted(con, store, judged.kind, load_id, load_seq, order)
        con.executemany(
            "insert into ingest.feed_stored values (?, ?, ?, ?, ?, ?, ?)",
            [(load_id, load_seq, order, judged.kind, *row) for row in stored],
        )
        outcome.parts = [part for part, _, _ in stored]
        outcome.keys_stored = sum(rows for _, _, rows in stored)
        if judged.kind == "population" and stored:
            population_changed = population_stale = True
        elif judged.kind == "claimants":
            touched.update(outcome.parts)
        progress(
            f"{shown(candidate.path)}: {judged.kind}, {judged.rows_read:,} rows read, "
            f"{judged.rows_accepted:,} accepted, {judged.rows_rejected:,} rejected"
        )
    _record_files(con, result.files, load_id, load_seq, loaded_at)
    first_feed = not con.execute("select count(*) from ingest.feed_lsoa_rates").fetchone()[0]
    if population_changed:
        touched = {
            p
            for (p,) in con.execute(
                "select distinct part from ingest.feed_stored where kind = 'claimants'"
            ).fetchall()
        }
        result.why_all = (
            "the feed's first load" if first_feed else "a population file changed the rates"
        )
    if touched:
        _derive(con, seeds_dir, store, sorted(touched), result, load_id, load_seq, loaded_at)
    return result


def _record_files(
    con: duckdb.DuckDBPyConnection,
    files: list[FeedOutcome],
    load_id: str,
    load_seq: int,
    loaded_at: dt.datetime,
) -> None:
    con.executemany(
        "insert into ingest.feed_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                load_id,
                load_seq,
                f.path,
                f.sha256,
                f.format,
                f.kind,
                f.file_order,
                f.outcome,
                f.reason,
                f.message,
                f.rows_read,
                f.rows_accepted,
                f.rows_rejected,
                f.keys_stored,
                loaded_at,
                f.demo,
            )
            for f in files
        ],
    )


def _derive(
    con: duckdb.DuckDBPyConnection,
    seeds_dir: Path,
    store: Path,
    quarters: list[str],
    result: FeedResult,
    load_id: str,
    load_seq: int,
    loaded_at: dt.datetime,
) -> None:
    """Derive the touched quarters' LSOA rates, the neighbourhoods if they moved, and the NI
    152/153 versions that changed; append each to the ledger."""
    _current(con, store, "claimants", quarters, "feed_claimants")
    derive_lsoa_rates(con)
    con.execute(
        "insert into ingest.feed_lsoa_rates select $load_id, $load_seq, lsoa_code, quarter, "
        "main_claimants, working_age_population, population_year, rate from lsoa_rates "
        "order by quarter, lsoa_code",
        {"load_id": load_id, "load_seq": load_seq},
    )
    # the current rates of every quarter: each quarter's rows from the last load that derived it
    con.execute(
        """
        create or replace temp table current_rates as
        select rates.lsoa_code, rates.quarter, rates.main_claimants,
            rates.working_age_population, rates.rate
        from ingest.feed_lsoa_rates as rates
        inner join (
            select quarter, max(load_seq) as load_seq from ingest.feed_lsoa_rates group by quarter
        ) as latest on rates.quarter = latest.quarter and rates.load_seq = latest.load_seq
        """
    )
    # the neighbourhoods as the last load that moved them left them
    con.execute(
        """
        create or replace temp table current_neighbourhoods as
        select lsoa_code, area_code_before_2009, area_code_from_2009, baseline_rate,
            baseline_quarters, qualifying
        from ingest.feed_neighbourhoods
        where load_seq = (select max(load_seq) from ingest.feed_neighbourhoods)
        """
    )
    first = not con.execute("select count(*) from current_neighbourhoods").fetchone()[0]
    if first or set(quarters) & set(BASELINE_QUARTERS) or result.why_all:
        derive_neighbourhoods(con, seeds_dir, "current_rates")
        changed = con.execute(
            """
            select count(*) from ni153_neighbourhoods as new
            full join current_neighbourhoods as latest on new.lsoa_code = latest.lsoa_code
            where new.lsoa_code is null or latest.lsoa_code is null
                or new.qualifying <> latest.qualifying
                or new.baseline_rate is distinct from latest.baseline_rate
                or new.baseline_quarters <> latest.baseline_quarters
            """
        ).fetchone()[0]
        if changed:
            con.execute(
                "insert into ingest.feed_neighbourhoods select $load_id, $load_seq, * "
                "from ni153_neighbourhoods order by lsoa_code",
                {"load_id": load_id, "load_seq": load_seq},
            )
            con.execute(
                "create or replace temp table current_neighbourhoods as "
                "select * from ni153_neighbourhoods"
            )
            result.neighbourhoods_changed = True
            if not result.why_all:
                result.why_all = "the qualifying neighbourhoods' baseline moved"
    result.qualifying = con.execute(
        "select count(*) filter (where qualifying) from current_neighbourhoods"
    ).fetchone()[0]
    if result.neighbourhoods_changed:
        to_derive = "current_rates"
    else:
        con.execute(
            "create or replace temp table rates_to_derive as "
            "select * from current_rates where list_contains($quarters, quarter)",
            {"quarters": quarters},
        )
        to_derive = "rates_to_derive"
    derive_area_values(con, seeds_dir, to_derive, "current_neighbourhoods")
    result.quarters_derived = [
        q
        for (q,) in con.execute(f"select distinct quarter from {to_derive} order by 1").fetchall()  # noqa: S608
    ]
    # each derived quarter is tagged with the feed file of this load that made it change: the
    # last claimant file for that quarter, else the load's last feed file (a population file,
    # or the baseline quarter's file that moved the neighbourhoods)
    loaded = [f for f in result.files if f.outcome == "LOADED"]
    by_quarter = {}
    for f in loaded:
        if f.kind == "claimants":
            for part in f.parts:
                by_quarter[part] = f
    fallback = loaded[-1]
    con.execute(
        "create or replace temp table quarter_sources "
        "(quarter varchar, path varchar, sha256 varchar, file_order integer)"
    )
    con.executemany(
        "insert into quarter_sources values (?, ?, ?, ?)",
        [
            (q, f.path, f.sha256, f.file_order)
            for q in result.quarters_derived
            for f in [by_quarter.get(q, fallback)]
        ],
    )
    result.versions = con.execute(
        """
        insert into ingest.derived_values
        with latest as (
            select area_code, ni_code, period_id, numerator, denominator
            from ingest.derived_values
            qualify row_number() over (
                partition by area_code, ni_code, period_id order by load_seq desc, file_order desc
            ) = 1
        )
        select $load_id, $load_seq, s.path, s.sha256, s.file_order,
            row_number() over (partition by s.path order by d.ni_code, d.area_code, d.period_id),
            d.area_code, d.ni_code, d.period_id, d.value, true, d.numerator, d.denominator,
            null, null, 'final',
            'derived from the WPLS feed over ' || d.lsoas || ' LSOA(s)', $loaded_at, 1,
            d.quarter, d.lsoas
        from derived_values as d
        inner join quarter_sources as s on d.quarter = s.quarter
        left join latest
            on d.area_code = latest.area_code and d.ni_code = latest.ni_code
            and d.period_id = latest.period_id
        where latest.area_code is null
            or d.numerator <> latest.numerator or d.denominator <> latest.denominator
        order by d.ni_code, d.area_code, d.period_id
        """,
        {"load_id": load_id, "load_seq": load_seq, "loaded_at": loaded_at},
    ).fetchone()[0]

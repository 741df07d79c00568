"""The build file's whole life: start, checkpoint, swap in, generations, rollback, leftovers.

A load never writes the live warehouse (NIW_WAREHOUSE), which analysts hold open read-only.

    start_build      copy the live file to `.ni.duckdb.build-next` beside it (same filesystem)
                     and note which file it started from; every step of the load writes there
    checkpoint_build fold the build file's WAL into it, so the file alone is the warehouse
    swap_in          under the swap lock: refuse if the live file was replaced since the start
                     (a rollback, another load), keep the outgoing file as a generation, then
                     os.replace the build file over the live one (atomic on one filesystem)
    rollback         make a kept generation live again the same way (itself undoable)

Readers that have the old file open keep reading it; the next connection opens the new one.
Generations are hard links into `generations/` beside the live file, named by the last load
each holds, so keeping one costs no copy; the newest `keep` stay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..ingest.ledger import last_load, record_rollback

LOAD_ID = re.compile(r"L\d{8}T\d{6}Z-\d{4}")


class SwapRefused(RuntimeError):
    """The live file is not the one this load started from: swapping would lose its change."""


class WarehouseInUse(RuntimeError):
    """Another process holds the live file read-write: swapping now would corrupt its reads."""


class LoadInProgress(RuntimeError):
    """Another load holds the load lock; the message names it."""


class RollbackError(Exception):
    """A rollback that cannot be done safely; the message says why and what to do."""


@dataclass(frozen=True)
class Generation:
    load_id: str
    path: Path
    finished_at: str
    current_values: int


def build_path(warehouse: Path, run_id: str) -> Path:
    """The file a run builds into, beside the live warehouse: the same name for every run.

    One load runs at a time (the load lock, and Dagster's one-run queue), so the name need not
    tell runs apart, and dbt, whose profile names this file, sees the same profile every load
    and can reuse its parse of the project (pipelines/warehouse/dbt.py). A build a killed
    load left behind is removed when the next load starts (`start_build`). `run_id` is kept
    in the signature for the callers that name the run they mean.
    """
    del run_id  # every run builds into the same file
    return warehouse.with_name(f".{warehouse.name}.build-next")


def _base_marker(warehouse: Path, run_id: str) -> Path:
    build = build_path(warehouse, run_id)
    return build.with_name(build.name + ".base")


def _identity(path: Path) -> str:
    """Which file is at path: inode and modification time (a swap changes both)."""
    if not path.exists():
        return "none"
    stat = path.stat()
    return f"{stat.st_ino}:{stat.st_mtime_ns}"


def refuse_if_written(warehouse: Path) -> None:
    """Raise WarehouseInUse when a read-write connection holds the live file, or left a WAL.

    A file swapped in beside another process's live write-ahead log would replay that log
    (DuckDB keeps it as `<file>.wal`), and the writer's later writes would go into the old
    file: the load would say it published while readers saw errors. So a load checks before
    it starts and again under the swap lock, and refuses with the reason instead.
    """
    if not warehouse.exists():
        return
    try:
        with duckdb.connect(str(warehouse), read_only=True):
            pass
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        holder = re.search(r"PID (\d+)", str(error))
        who = f" (process {holder.group(1)})" if holder else ""
        raise WarehouseInUse(
            f"a read-write connection holds the warehouse{who}: open it with read_only=True "
            f"(`duckdb -readonly {warehouse}`, or duckdb.connect(path, read_only=True)). "
            "Close that connection and run the load again; nothing was changed."
        ) from error
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        raise WarehouseInUse(
            f"{wal} exists: a read-write connection wrote to the warehouse and was not closed. "
            f"Fold it in with `duckdb {warehouse} -c checkpoint` (or close that connection), "
            "open the warehouse with read_only=True from now on, and run the load again; "
            "nothing was changed."
        )


def start_build(warehouse: Path, run_id: str) -> Path:
    """Copy the live warehouse (if any) to this run's build file; return the build file."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    refuse_if_written(warehouse)
    remove_leftover_builds(warehouse, run_id)
    build = build_path(warehouse, run_id)
    marker = _base_marker(warehouse, run_id)
    for leftover in (build, build.with_name(build.name + ".wal"), marker):
        leftover.unlink(missing_ok=True)
    if warehouse.exists():
        shutil.copyfile(warehouse, build)
    marker.write_text(_identity(warehouse))
    return build


def remove_build(warehouse: Path, run_id: str) -> None:
    """Remove a run's build file, its WAL and its start marker (a failed load's leftovers)."""
    build = build_path(warehouse, run_id)
    for leftover in (build, build.with_name(build.name + ".wal"), _base_marker(warehouse, run_id)):
        leftover.unlink(missing_ok=True)


def remove_leftover_builds(warehouse: Path, run_id: str) -> None:
    """Delete the build files (and WAL, marker) and rollback copies that other loads left.

    Called as a load starts its build. No other load can be running then: `niw run` holds
    the load lock and refuses while a Dagster run is in progress, and a Dagster run probes
    the lock before it builds (and the run queue runs one at a time). So whatever is there
    was left by a load that died; the clock has no say.
    """
    own = build_path(warehouse, run_id).name
    patterns = (f".{warehouse.name}.build-*", f".{warehouse.name}.rollback")
    for pattern in patterns:
        for leftover in warehouse.parent.glob(pattern):
            if not leftover.name.startswith(own):
                leftover.unlink(missing_ok=True)


# A build file whose free blocks are more than this share of it is compacted before the swap.
# DuckDB writes into free blocks before it grows a file, so a file holds at most about one
# load's rewritten tables as free space (about 45 % after a national build, measured); copying
# it anew costs about 8 s on the national set, more than the rest of a resubmission's release.
# So a file is compacted only when it is more than half free: never more than twice its data.
COMPACT_FROM_FREE_SHARE = 0.5


def checkpoint_build(warehouse: Path, run_id: str) -> Path:
    """Fold the build file's WAL into it, so that the file alone is the whole warehouse, and
    compact it when rebuilt tables left much free space in it (docs/operations.md)."""
    build = build_path(warehouse, run_id)
    if not build.exists():
        raise FileNotFoundError(f"build file {build} is missing: nothing to swap in")
    with duckdb.connect(str(build)) as con:
        con.execute("checkpoint")
        total, free = con.execute(
            "select total_blocks, free_blocks from pragma_database_size()"
        ).fetchone()
    if total and free / total > COMPACT_FROM_FREE_SHARE:
        compact(build)
    return build


def compact(path: Path) -> None:
    """Rewrite a DuckDB file without its free blocks (every schema, table, view and macro)."""
    compacted = path.with_name(path.name + ".compact")
    for leftover in (compacted, compacted.with_name(compacted.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        with duckdb.connect() as con:
            con.execute(f"attach {_literal(path)} as source (read_only)")
            con.execute(f"attach {_literal(compacted)} as target")
            con.execute("copy from database source to target")
            con.execute("detach target")
        os.replace(compacted, path)
    finally:
        compacted.unlink(missing_ok=True)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def swap_in(warehouse: Path, run_id: str, keep: int) -> Path:
    """Make this run's build file the live warehouse; the outgoing file becomes a generation.

    Unless the build's load took nothing new: then the outgoing file holds the same figures,
    and keeping it would push a generation worth rolling back to out of the kept few.
    """
    build = checkpoint_build(warehouse, run_id)
    with duckdb.connect(str(build), read_only=True) as con:
        incoming = last_load(con)
    keep_outgoing = incoming is None or incoming.outcome != "nothing_new"
    marker = _base_marker(warehouse, run_id)
    with swap_lock(warehouse):
        refuse_if_written(warehouse)
        if marker.exists() and marker.read_text() != _identity(warehouse):
            raise SwapRefused(
                f"{warehouse} was replaced while this load ran (by a rollback or another load) "
                "or written by a read-write connection: not swapping over it. Run the load again."
            )
        if keep_outgoing:
            keep_generation(warehouse, keep)
        os.replace(build, warehouse)
    marker.unlink(missing_ok=True)
    return warehouse


# Load locks this process holds (flock is per open file: the process must not lock twice).
_HELD_LOAD_LOCKS: set[Path] = set()


def _load_lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.load.lock")


@contextlib.contextmanager
def load_lock(warehouse: Path, holder: str) -> Iterator[None]:
    """Held for a whole load, so a second load refuses at once instead of after its work.

    Non-blocking: if another process holds it, LoadInProgress says who (process, host, since
    when, what). The lock is the kernel's (flock), so a killed load releases it: no clock or
    stale-age guess is needed to tell a running load from a dead one.
    """
    path = _load_lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise LoadInProgress(_describe_holder(handle.read(), warehouse)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "holder": holder,
                }
            )
        )
        handle.flush()
        _HELD_LOAD_LOCKS.add(path)
        try:
            yield
        finally:
            _HELD_LOAD_LOCKS.discard(path)
            fcntl.flock(handle, fcntl.LOCK_UN)


def refuse_if_another_load(warehouse: Path) -> None:
    """For a load started without `load_lock` (a Dagster run): refuse if another load holds it."""
    if _load_lock_path(warehouse) in _HELD_LOAD_LOCKS:
        return  # this process's own load (niw run)
    with load_lock(warehouse, "probe"):
        pass


def _describe_holder(text: str, warehouse: Path) -> str:
    try:
        info = json.loads(text)
        who = f"{info['holder']} (process {info['pid']} on {info['host']}, since {info['since']})"
    except (ValueError, KeyError, TypeError):
        who = "another load"
    return f"another load is running on {warehouse}: {who}. Wait for it to finish."


@contextlib.contextmanager
def swap_lock(warehouse: Path) -> Iterator[None]:
    """Held while the live file is checked and replaced, by a load's swap or a rollback.

    So a load's "is the file still the one I started from?" and its os.replace happen with no
    rollback in between. Readers never take it: they open the file, not the lock.
    """
    lock_path = warehouse.with_name(f".{warehouse.name}.swap.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def generations_dir(warehouse: Path) -> Path:
    return warehouse.parent / "generations"


def describe(path: Path) -> tuple[str, str, int] | None:
    """(last load id, its finish time, current values) of a warehouse file; None if unreadable."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            load = last_load(con)
            values = con.execute("select count(*) from marts.fct_indicator_values").fetchone()[0]
    except duckdb.Error:
        return None
    if load is None:
        return None
    return load.load_id, str(load.finished_at), values


def keep_generation(warehouse: Path, keep: int) -> Path | None:
    """Hard-link the live file into generations/ (before it is replaced); prune to `keep`."""
    if not warehouse.exists() or keep <= 0:
        return None
    described = describe(warehouse)
    label = described[0] if described else time.strftime("unknown-%Y%m%dT%H%M%S")
    folder = generations_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{warehouse.stem}.{label}{warehouse.suffix}"
    if not target.exists():
        try:
            os.link(warehouse, target)
        except OSError:  # a filesystem without hard links: pay for a copy
            shutil.copy2(warehouse, target)
    for old in sorted(folder.glob(f"{warehouse.stem}.*{warehouse.suffix}"))[:-keep]:
        old.unlink(missing_ok=True)
    return target


def list_generations(warehouse: Path) -> list[Generation]:
    """Kept generations, oldest first."""
    found = []
    for path in sorted(generations_dir(warehouse).glob(f"{warehouse.stem}.*{warehouse.suffix}")):
        described = describe(path)
        if described:
            found.append(Generation(described[0], path, described[1], described[2]))
    return found


@dataclass(frozen=True)
class RolledBack:
    """What a rollback did: the generation made live, the loads undone, their files."""

    generation: Generation
    undone_loads: list[str]
    withdrawn_paths: list[str]


def rollback(warehouse: Path, load_id: str, keep: int) -> RolledBack:
    """Make the generation holding `load_id` the live warehouse again.

    The loads after it are undone, and the files they took up are recorded in the restored
    ledger as withdrawn (ingest.withdrawn_files): the next load does not take them up again
    unless their bytes change, and load numbers carry on from the highest ever used.

    A load running meanwhile will not swap its build over the rolled-back file: it sees that
    the file it started from was replaced and refuses (`swap_in`).
    """
    if not LOAD_ID.fullmatch(load_id):
        raise RollbackError(f"{load_id!r} is not a load id (like L20261130T010707Z-0001)")
    chosen = [g for g in list_generations(warehouse) if g.load_id == load_id]
    if not chosen:
        kept = ", ".join(g.load_id for g in list_generations(warehouse)) or "none"
        raise RollbackError(f"no kept generation holds load {load_id} (kept: {kept})")
    generation = chosen[0]
    staged = warehouse.with_name(f".{warehouse.name}.rollback")
    shutil.copyfile(generation.path, staged)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with duckdb.connect(str(staged)) as con:
        con.execute(f"attach '{warehouse}' as live (read_only)")  # noqa: S608 (our path)
        undone, paths = record_rollback(con, "live", at)
        con.execute("detach live")
        con.execute("checkpoint")
    with swap_lock(warehouse):
        try:
            refuse_if_written(warehouse)
        except WarehouseInUse as error:
            staged.unlink(missing_ok=True)
            raise RollbackError(str(error)) from error
        keep_generation(warehouse, keep + 1)  # the file being replaced stays reachable
        os.replace(staged, warehouse)
    return RolledBack(generation, undone, paths)

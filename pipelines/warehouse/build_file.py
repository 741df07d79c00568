"""Earlier warehouse files, kept so that a bad load can be rolled back (docs/publication.md).

A load never writes the published file: it builds a copy and swaps it in with os.replace.
Just before the swap the outgoing file is hard-linked into `generations/` beside it, named by
the last load it holds, so keeping a generation costs no copy and no time. The newest
`keep` generations stay; older ones are deleted. Rolling back copies a generation beside the
warehouse and swaps it in the same way, after keeping the current file as a generation too,
so a rollback can itself be undone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

LOAD_ID = re.compile(r"L\d{8}T\d{6}Z-\d{4}")


@dataclass(frozen=True)
class Generation:
    load_id: str
    path: Path
    finished_at: str
    current_values: int


def generations_dir(warehouse: Path) -> Path:
    return warehouse.parent / "generations"


@contextlib.contextmanager
def swap_lock(warehouse: Path) -> Iterator[None]:
    """Held while the published file is checked and replaced, by a load's swap or a rollback.

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


def describe(path: Path) -> tuple[str, str, int] | None:
    """(last load id, its finish time, current values) of a warehouse file; None if unreadable."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute(
                "select max_by(load_id, load_seq), cast(max(finished_at) as varchar), "
                "(select count(*) from marts.fct_indicator_values) from audit.loads"
            ).fetchone()
    except duckdb.Error:
        return None
    if row is None or row[0] is None:
        return None
    return row[0], row[1], row[2]


def keep_generation(warehouse: Path, keep: int) -> Path | None:
    """Hard-link the published file into generations/ (before it is replaced); prune to `keep`."""
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


class RollbackError(Exception):
    """A rollback that cannot be done safely; the message says why and what to do."""


def rollback(warehouse: Path, load_id: str, keep: int) -> Generation:
    """Make the generation holding `load_id` the published warehouse again.

    A load running meanwhile will not swap its build over the rolled-back file: it sees that
    the file it started from was replaced and fails (WarehouseResource.publish_build).
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
    with swap_lock(warehouse):
        keep_generation(warehouse, keep + 1)  # the file being replaced stays reachable
        os.replace(staged, warehouse)
    return generation

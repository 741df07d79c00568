"""Warehouse generations and the swap guard, on real (small) DuckDB warehouse files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.ledger import ensure_ledger
from pipelines.warehouse.build_file import (
    RollbackError,
    SwapRefused,
    keep_generation,
    list_generations,
    rollback,
    start_build,
    swap_in,
    swap_lock,
)


def make_warehouse(path: Path, loads: int) -> None:
    """A file with what generations read: the ledger's loads and marts.fct_indicator_values."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        ensure_ledger(con)
        con.execute("create schema marts")
        con.execute(
            "insert into ingest.loads select 'L2026113' || '0T0000' || lpad(i::varchar, 2, '0') "
            "|| 'Z-' || lpad(i::varchar, 4, '0'), i, timestamp '2026-11-30 00:00:00', "
            "timestamp '2026-11-30 00:00:00' + to_minutes(i), 'loaded', 1, 1, 0 "
            "from range(1, ?) t(i)",
            [loads + 1],
        )
        con.execute(
            "create table marts.fct_indicator_values as select * from range(?) t(i)", [loads]
        )


def load_id(n: int) -> str:
    return f"L20261130T0000{n:02d}Z-{n:04d}"


def test_each_swap_keeps_the_outgoing_file_and_only_the_newest_few(tmp_path: Path) -> None:
    warehouse = tmp_path / "ni.duckdb"
    for n in range(1, 6):
        keep_generation(warehouse, keep=3)
        staged = tmp_path / "build.duckdb"
        make_warehouse(staged, n)
        os.replace(staged, warehouse)
    kept = list_generations(warehouse)
    assert [g.load_id for g in kept] == [load_id(2), load_id(3), load_id(4)]
    assert [g.current_values for g in kept] == [2, 3, 4]
    assert all(g.path.stat().st_nlink == 1 for g in kept)  # their published links are gone


def test_rollback_restores_a_generation_and_keeps_the_file_it_replaced(tmp_path: Path) -> None:
    warehouse = tmp_path / "ni.duckdb"
    for n in (1, 2):
        keep_generation(warehouse, keep=5)
        make_warehouse(tmp_path / "build.duckdb", n)
        os.replace(tmp_path / "build.duckdb", warehouse)
    restored = rollback(warehouse, load_id(1), keep=5)
    assert restored.generation.load_id == load_id(1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from ingest.loads").fetchone() == (1,)
    assert [g.load_id for g in list_generations(warehouse)] == [load_id(1), load_id(2)]
    with pytest.raises(RollbackError, match="no kept generation holds load"):
        rollback(warehouse, load_id(7), keep=5)
    with pytest.raises(RollbackError, match="is not a load id"):
        rollback(warehouse, "../../etc/passwd", keep=5)


def test_a_load_does_not_swap_over_a_warehouse_replaced_while_it_ran(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "ni.duckdb"
    warehouse.parent.mkdir()
    make_warehouse(warehouse, 1)
    build = start_build(warehouse, "run-a-1234")
    make_warehouse(build, 2)  # the load's work
    shutil.copyfile(warehouse, tmp_path / "rolled.duckdb")  # a rollback swaps another file in
    os.replace(tmp_path / "rolled.duckdb", warehouse)
    before = warehouse.read_bytes()
    with pytest.raises(SwapRefused, match="was replaced while this load ran"):
        swap_in(warehouse, "run-a-1234", keep=5)
    assert warehouse.read_bytes() == before
    # Untouched, the same sequence publishes.
    build = start_build(warehouse, "run-b-5678")
    make_warehouse(build, 2)
    assert swap_in(warehouse, "run-b-5678", keep=5) == warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from ingest.loads").fetchone() == (2,)


def test_leftovers_of_a_dead_load_are_removed_and_a_running_loads_are_kept(tmp_path: Path) -> None:
    """The owner's process decides (alive or not), never the folder's age."""
    from pipelines.release.release import remove_stale_leftovers

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        old = tmp_path / f".staging-L20261130T000001Z-0001-asof-2026-11-30-{dead.pid}"
        fresh = tmp_path / f".staging-L20261130T000002Z-0002-asof-2026-11-30-{running.pid}"
        for folder in (old, fresh):
            (folder / "data").mkdir(parents=True)
        link = tmp_path / f".latest-{dead.pid}"
        link.symlink_to("nowhere")
        release = tmp_path / "L20261130T000001Z-0001-asof-2026-11-30"
        release.mkdir()
        remove_stale_leftovers(tmp_path)  # made a moment ago, yet the dead load's go
        assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, release.name]
    finally:
        running.kill()
        running.wait()


def test_a_new_load_removes_the_build_files_dead_loads_left(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "ni.duckdb"
    warehouse.parent.mkdir()
    make_warehouse(warehouse, 1)
    killed = start_build(warehouse, "run-dead-01")  # a load killed mid-way leaves these
    killed.with_name(killed.name + ".wal").write_bytes(b"x")
    build = start_build(warehouse, "run-next-02")
    left = sorted(p.name for p in warehouse.parent.iterdir() if ".build-" in p.name)
    assert left == [build.name, build.name + ".base"]


def test_a_swap_waits_while_a_rollback_holds_the_swap_lock(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "ni.duckdb"
    warehouse.parent.mkdir()
    make_warehouse(warehouse, 1)
    make_warehouse(start_build(warehouse, "run-c-0000"), 2)
    published = threading.Event()

    def publish() -> None:
        swap_in(warehouse, "run-c-0000", keep=5)
        published.set()

    with swap_lock(warehouse):
        worker = threading.Thread(target=publish)
        worker.start()
        assert not published.wait(timeout=1.0)  # blocked behind the lock
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select count(*) from ingest.loads").fetchone() == (1,)
    worker.join(timeout=30)
    assert published.is_set()

"""Faults around the live warehouse file, reproduced with real processes and real DuckDB files.

An analyst's ordinary read-write connection (another process) must make a load refuse before
it changes anything, naming the reason, instead of swapping a new file in beside that
connection's write-ahead log.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.ledger import ensure_ledger
from pipelines.warehouse.build_file import (
    SwapRefused,
    WarehouseInUse,
    build_path,
    list_generations,
    refuse_if_written,
    start_build,
    swap_in,
)


def make_warehouse(path: Path, loads: int, last_outcome: str = "loaded") -> None:
    with duckdb.connect(str(path)) as con:
        ensure_ledger(con)
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.fct_indicator_values as select 1 as v")
        con.execute("delete from ingest.loads")
        for seq in range(1, loads + 1):
            con.execute(
                "insert into ingest.loads values (?, ?, now()::timestamp, now()::timestamp, "
                "?, 1, 1, 0)",
                [
                    f"L20261130T0000{seq:02d}Z-{seq:04d}",
                    seq,
                    last_outcome if seq == loads else "loaded",
                ],
            )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def analyst(tmp_path: Path):
    """Start a process that opens a warehouse read-write, writes, and keeps it open."""
    processes = []

    def open_read_write(warehouse: Path) -> subprocess.Popen:
        script = (
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(warehouse)!r})\n"
            "con.execute('create table main.scratch as select 42 as answer')\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n"
            "con.close()\n"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout.readline().strip() == "open"
        processes.append(process)
        return process

    yield open_read_write
    for process in processes:
        process.kill()
        process.wait()


def test_a_load_refuses_to_start_while_a_read_write_connection_holds_the_warehouse(
    tmp_path: Path, analyst
) -> None:
    warehouse = tmp_path / "ni.duckdb"
    make_warehouse(warehouse, 1)
    holder = analyst(warehouse)
    with pytest.raises(WarehouseInUse) as refused:
        start_build(warehouse, "run-a-0001")
    message = str(refused.value)
    assert "read-write connection holds the warehouse" in message
    assert f"process {holder.pid}" in message
    assert "read_only=True" in message and "nothing was changed" in message
    assert not build_path(warehouse, "run-a-0001").exists()


def test_a_swap_refuses_when_a_writer_connected_during_the_load(tmp_path: Path, analyst) -> None:
    warehouse = tmp_path / "ni.duckdb"
    make_warehouse(warehouse, 1)
    build = start_build(warehouse, "run-b-0002")
    make_warehouse(build, 2)  # the load's work
    holder = analyst(warehouse)  # an analyst connects read-write meanwhile
    with pytest.raises(WarehouseInUse, match="read_only=True"):
        swap_in(warehouse, "run-b-0002", keep=5)
    holder.stdin.write("\n")  # the analyst closes: the writes fold into the file, WAL gone
    holder.stdin.flush()
    holder.wait(timeout=30)
    before = digest(warehouse)
    assert not warehouse.with_name("ni.duckdb.wal").exists()
    # Nothing of the refused load went live; once the writer is gone, the same build swaps in.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from ingest.loads").fetchone() == (1,)
    # The file changed under the load (the analyst's writes), so that build never goes live;
    # the load run again starts from the file as it is now and swaps in.
    with pytest.raises(SwapRefused, match="replaced while this load ran"):
        swap_in(warehouse, "run-b-0002", keep=5)
    assert digest(warehouse) == before
    make_warehouse(start_build(warehouse, "run-d-0004"), 2)
    assert swap_in(warehouse, "run-d-0004", keep=5) == warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from ingest.loads").fetchone() == (2,)
        assert con.execute("select answer from main.scratch").fetchone() == (42,)


def test_a_write_ahead_log_left_by_a_killed_writer_is_named(tmp_path: Path, analyst) -> None:
    warehouse = tmp_path / "ni.duckdb"
    make_warehouse(warehouse, 1)
    writer = analyst(warehouse)
    writer.kill()  # killed with its write still in the WAL
    writer.wait()  # gone, lock and all: only the WAL is left to tell of it
    assert warehouse.with_name("ni.duckdb.wal").exists()
    with pytest.raises(WarehouseInUse, match="ni.duckdb.wal exists"):
        refuse_if_written(warehouse)


def test_readers_do_not_stop_a_load(tmp_path: Path) -> None:
    warehouse = tmp_path / "ni.duckdb"
    make_warehouse(warehouse, 1)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(warehouse)!r}, read_only=True); "
            "print('open', flush=True); sys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        build = start_build(warehouse, "run-c-0003")
        make_warehouse(build, 2)
        assert swap_in(warehouse, "run-c-0003", keep=5) == warehouse
    finally:
        reader.kill()
        reader.wait()


def test_the_documented_way_to_read_in_a_long_lived_process_sees_the_newest_file(
    tmp_path: Path,
) -> None:
    """DuckDB caches a database per path inside a process: the docs' attach way avoids it."""
    warehouse = tmp_path / "ni.duckdb"
    make_warehouse(warehouse, 1)
    held = duckdb.connect(str(warehouse), read_only=True)  # e.g. a notebook's first cell
    try:
        make_warehouse(start_build(warehouse, "run-e-0005"), 2)
        swap_in(warehouse, "run-e-0005", keep=5)
        loads = "select count(*) from ingest.loads"
        # the pitfall the docs warn about: a plain connect returns the cached, old database
        with duckdb.connect(str(warehouse), read_only=True) as cached:
            assert cached.execute(loads).fetchone() == (1,)
        # the documented way (README, docs/publication.md) opens the file there now
        fresh = duckdb.connect()
        fresh.execute(f"attach '{warehouse}' as ni (read_only); use ni")
        assert fresh.execute(loads).fetchone() == (2,)
        fresh.close()
    finally:
        held.close()


def test_a_night_with_nothing_new_does_not_use_up_a_rollback_generation(tmp_path: Path) -> None:
    warehouse = tmp_path / "ni.duckdb"
    make_warehouse(warehouse, 1)
    make_warehouse(start_build(warehouse, "run-f-0006"), 2)
    swap_in(warehouse, "run-f-0006", keep=5)
    kept = list_generations(warehouse)
    assert [g.load_id for g in kept] == ["L20261130T000001Z-0001"]
    make_warehouse(start_build(warehouse, "run-g-0007"), 3, last_outcome="nothing_new")
    swap_in(warehouse, "run-g-0007", keep=5)
    assert list_generations(warehouse) == kept  # the quiet night kept nothing
    with duckdb.connect(str(warehouse), read_only=True) as con:  # but it is recorded
        assert con.execute("select outcome from ingest.loads where load_seq = 3").fetchone() == (
            "nothing_new",
        )


def test_a_rollback_withdraws_the_undone_loads_files_and_load_numbers_are_never_reused(
    tmp_path: Path,
) -> None:
    """Real ingest into real build files: the file a rolled-back load took is not taken again."""
    from pipelines.ingest.ledger import withdrawn_loads
    from pipelines.ingest.load import run_ingest
    from pipelines.settings import REPO_ROOT
    from pipelines.warehouse.build_file import rollback

    seeds, raw = REPO_ROOT / "data" / "seeds", tmp_path / "raw"
    raw.mkdir()
    warehouse = tmp_path / "warehouse" / "ni.duckdb"
    header = "area_code,indicator,period,value,status\n"

    def load(run_id: str) -> str:
        build = start_build(warehouse, run_id)
        with duckdb.connect(str(build)) as con:
            result = run_ingest(con, raw, seeds)
            con.execute("create schema if not exists marts")
            con.execute("create or replace table marts.fct_indicator_values as select 1 as v")
        swap_in(warehouse, run_id, keep=5)
        return result.load_id

    (raw / "round1.csv").write_text(header + "E08000016,NI 117,2008/09,7.5,final\n")
    first = load("run-1")
    (raw / "round2.csv").write_text(header + "E08000016,NI 117,2008/09,9.9,final\n")
    second = load("run-2")
    assert second.endswith("-0002")

    done = rollback(warehouse, first, keep=5)
    assert done.undone_loads == [second]
    assert done.withdrawn_paths == ["round2.csv"]
    third = load("run-3")
    assert third.endswith("-0003")  # not -0002 again
    with duckdb.connect(str(warehouse), read_only=True) as con:
        taken = con.execute("select path from ingest.load_files order by load_id").fetchall()
        assert taken == [("round1.csv",)]  # round2.csv stays withdrawn
        assert withdrawn_loads(con) == {second}
    # changed bytes at the same path are a new submission again
    (raw / "round2.csv").write_text(header + "E08000016,NI 117,2008/09,8.0,final\n")
    load("run-4")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select value from ingest.accepted_values where path = 'round2.csv'"
        ).fetchall() == [(8.0,)]


def test_niw_rollback_and_releases_mark_the_live_and_the_withdrawn(tmp_path: Path) -> None:
    from pipelines.cli import main as niw

    warehouse = tmp_path / "ni.duckdb"
    for n in (1, 2):
        make_warehouse(start_build(warehouse, f"run-h-000{n}"), n)
        swap_in(warehouse, f"run-h-000{n}", keep=5)
    os_env = {"NIW_WAREHOUSE": str(warehouse), "NIW_PUBLISH_DIR": str(tmp_path / "pub")}
    with pytest.MonkeyPatch.context() as env:
        for key, value in os_env.items():
            env.setenv(key, value)
        assert niw(["rollback", "L20261130T000001Z-0001"]) == 0
        import contextlib
        import io

        listing = io.StringIO()
        with contextlib.redirect_stdout(listing):
            assert niw(["rollback"]) == 0
    text = listing.getvalue()
    assert "Live:" in text and "holds load L20261130T000001Z-0001" in text
    assert "L20261130T000002Z-0002" in text and "(withdrawn: rolled back)" in text

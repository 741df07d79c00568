"""Operating faults reproduced with real `niw run` processes and Dagster's real local instance."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef
from harness import NightlyLoad

from pipelines.nightly import EXIT_NOTHING_TO_LOAD
from pipelines.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

RETURN = "area_code,indicator,period,value,status\nE08000016,NI 117,2008/09,7.5,final\n"


def environment(root: Path) -> dict[str, str]:
    """The environment of a `niw run` on a deployment under root (the harness's layout)."""
    return {**os.environ, **NightlyLoad(root, as_of="2026-11-30").env()}


def runs_by_status(home: Path) -> dict[str, str]:
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        return {run.run_id: run.status.value for run in instance.get_runs()}


def test_a_killed_load_leaves_no_run_in_progress_for_the_queue_to_wait_on(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "barnsley_2008-09.csv").write_text(RETURN)
    env = environment(tmp_path)
    home = tmp_path / "dagster_home"
    # Create the instance's storage before anything polls it: two processes setting up a new
    # DAGSTER_HOME at once can both stamp its schema version (alembic: "more than one head").
    home.mkdir()
    runs_by_status(home)
    first = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so kill -9 reaches dbt too
    )
    deadline = time.monotonic() + 600  # a busy 2-core machine is slow to start a load
    started: list[str] = []
    while time.monotonic() < deadline and not started:
        time.sleep(0.5)
        if (home / "history").exists():
            started = [r for r, s in runs_by_status(home).items() if s == "STARTED"]
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert started, "the first load never started its run"
    assert runs_by_status(home)[started[0]] == "STARTED"  # what a kill -9 leaves behind

    # The next `niw run` clears the killed run first, before anything else, even on a night
    # it then finds nothing to load (so this one is quick: no returns, none ever loaded).
    (tmp_path / "raw" / "barnsley_2008-09.csv").unlink()
    second = NightlyLoad(tmp_path, as_of="2026-11-30").niw("run", timeout=600)
    assert second.returncode == EXIT_NOTHING_TO_LOAD, second.stderr[-3000:]
    assert f"marked run {started[0]} failed" in second.stderr
    statuses = runs_by_status(home)
    assert statuses[started[0]] == "FAILURE"
    # nothing is left in progress: the run queue (max_concurrent_runs: 1) can start the next
    in_progress = {"STARTED", "STARTING", "QUEUED", "NOT_STARTED", "CANCELING"}
    assert not [r for r, s in statuses.items() if s in in_progress]
    config = (home / "dagster.yaml").read_text()
    assert "run_monitoring:\n  enabled: true" in config


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real 1 MB filesystem (tmpfs) for the warehouse folder; needs root, as CI runs.

    Small enough that the load runs out of room early (in ingest), so the test pays seconds,
    not a whole dbt build, to show the same cleanup.
    """
    folder = tmp_path / "warehouse"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_a_load_that_fills_the_disk_says_so_and_clears_its_own_leftovers(
    tmp_path: Path, tiny_disk: Path
) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "barnsley_2008-09.csv").write_text(RETURN)
    done = NightlyLoad(tmp_path, as_of="2026-11-30").niw("run", timeout=600)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stderr.split("LOAD FAILED")[-1]
    assert f"No space left on device in {tiny_disk}: free " in done.stderr
    assert "MB and run again" in done.stderr
    leftovers = [p.name for p in tiny_disk.iterdir() if ".build-" in p.name]
    assert leftovers == []  # the failed load's copy is gone, so the next load has room
    diagnosis = tiny_disk / "logs" / "last_failed_load.json"
    assert diagnosis.stat().st_size < 64_000
    assert not (tmp_path / "published" / "latest").exists()

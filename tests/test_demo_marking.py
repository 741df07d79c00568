"""Demo data only when asked, and unmistakable when it is there (issue 10, defect 8).

`niw run` writes the demo return set only into the default raw folder, and only when that
folder never held returns; a mistyped NIW_RAW_DIR gets a clear refusal, not invented figures.
A release built from demo returns says so in its manifest, in a DEMO-DATA.txt beside it, and
on every page of its site: those tests read the shared demo load, so they are in
test_marts_reconcile.py with its other readers.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest
from harness import SEEDS, NightlyLoad

from pipelines.demo.marker import MARKER_NAME, demo_paths
from pipelines.ingest.discover import list_ignored, list_return_files
from pipelines.nightly import EXIT_NOTHING_TO_LOAD, should_write_demo

RETURN = "area_code,indicator,period,value,status\nE08000016,NI 117,2008/09,7.5,final\n"


def test_the_demo_is_written_only_into_the_default_raw_folder_that_never_held_returns(
    tmp_path: Path,
) -> None:
    deployment = NightlyLoad(tmp_path / "site")
    default_raw = deployment.raw
    settings = deployment.settings()
    assert should_write_demo(settings, default_raw)
    # another raw folder (a mistyped NIW_RAW_DIR): never
    assert not should_write_demo(settings, tmp_path / "elsewhere" / "raw")
    # the default folder holding a return: no
    deployment.write("barnsley.csv", RETURN)
    assert not should_write_demo(settings, default_raw)
    # emptied again, but the warehouse took files up once: the folder held returns, no demo
    (deployment.raw / "barnsley.csv").unlink()
    deployment.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(deployment.warehouse)) as con:
        con.execute("create schema ingest; create table ingest.load_files (path varchar)")
        con.execute("insert into ingest.load_files values ('barnsley.csv')")
    assert not should_write_demo(settings, default_raw)


@pytest.mark.parametrize("raw_exists", [False, True], ids=["missing", "empty"])
def test_niw_run_on_a_mistyped_raw_folder_refuses_and_writes_nothing(
    tmp_path: Path, raw_exists: bool
) -> None:
    deployment = NightlyLoad(tmp_path)
    if not raw_exists:
        deployment.raw.rmdir()
    done = deployment.niw("run", timeout=120)
    assert done.returncode == EXIT_NOTHING_TO_LOAD, done.stderr
    assert "NOT STARTED" in done.stderr
    assert ("does not exist" if not raw_exists else "nothing to load") in done.stderr
    assert str(deployment.raw) in done.stderr
    assert not deployment.warehouse.exists()
    assert not deployment.published.exists()
    if raw_exists:
        assert list(deployment.raw.iterdir()) == []  # no demo written into it


def test_the_demo_generator_lists_its_files_and_discovery_skips_the_list(tmp_path: Path) -> None:
    from pipelines.demo.generate import generate_demo_returns

    summary = generate_demo_returns(tmp_path, SEEDS, scale=0.02)
    listed = demo_paths(tmp_path)
    assert listed == {f.path for f in summary.files}
    # the marker is in `sha256sum -c` form and its checksums hold
    check = subprocess.run(
        ["sha256sum", "--quiet", "-c", MARKER_NAME], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert MARKER_NAME not in {c.path for c in list_return_files(tmp_path)}
    assert (MARKER_NAME, "the demo set's list of its files, not a return") in list_ignored(tmp_path)

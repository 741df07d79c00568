"""Expected failures of `niw` say what is wrong in one line, with no Python traceback.

Each command runs as a subprocess, as a person would run it, against real sockets, a real
HTTP server and real DuckDB files in a temporary folder.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.nightly import dagster_home, shown
from pipelines.settings import REPO_ROOT


def niw(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )


def assert_clean_failure(done: subprocess.CompletedProcess, *expected: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_fetch_from_a_refused_connection_says_so(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/latest/"
    done = niw("fetch", url, str(tmp_path / "dest"))
    assert_clean_failure(done, "cannot fetch the release at", "Connection refused")


@pytest.fixture
def http_folder(tmp_path: Path):
    """A real HTTP server on localhost serving an empty folder (every release path is a 404)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(folder), **k
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_fetch_of_a_missing_release_names_the_404(http_folder, tmp_path: Path) -> None:
    _, base = http_folder
    done = niw("fetch", base + "no-such-release/", str(tmp_path / "dest"))
    assert_clean_failure(done, "HTTP 404", "manifest.json")


def test_fetch_of_something_that_is_not_a_release(http_folder, tmp_path: Path) -> None:
    folder, base = http_folder
    (folder / "manifest.json").write_text("<html>not json</html>")
    done = niw("fetch", base, str(tmp_path / "dest"))
    assert_clean_failure(done, "does not serve a release manifest")


def test_serve_on_a_busy_port_says_which_and_what_to_do(tmp_path: Path) -> None:
    publish = tmp_path / "published"
    (publish / "latest").mkdir(parents=True)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        done = niw("serve", "--port", port, env={"NIW_PUBLISH_DIR": str(publish)})
    assert_clean_failure(done, f"Cannot serve on 127.0.0.1:{port}", "--port")


@pytest.mark.parametrize("command", [["rejected"], ["sql", "select 1"]])
def test_commands_that_read_the_warehouse_say_when_there_is_none(command, tmp_path) -> None:
    done = niw(*command, env={"NIW_WAREHOUSE": str(tmp_path / "none" / "ni.duckdb")})
    assert_clean_failure(done, "No warehouse at", "run `make run` first")


def test_sql_writes_csv_with_formula_cells_neutralised(tmp_path: Path) -> None:
    warehouse = tmp_path / "ni.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table comments as select * from (values "
            "('E08000016', '=HYPERLINK(\"http://x\")', -1.5), ('E06000001', 'plain, text', 2.0)"
            ") t(area_code, comment, value)"
        )
    done = niw(
        "sql",
        "--csv",
        "select * from comments order by value",
        env={"NIW_WAREHOUSE": str(warehouse)},
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows == [
        ["area_code", "comment", "value"],
        ["E08000016", '\'=HYPERLINK("http://x")', "-1.5"],
        ["E06000001", "plain, text", "2.0"],
    ]


def test_a_relative_dagster_home_is_taken_from_the_repository_root(tmp_path, monkeypatch) -> None:
    relative = os.path.relpath(tmp_path / "dagster_home", REPO_ROOT)
    monkeypatch.setenv("DAGSTER_HOME", relative)
    home = dagster_home()
    assert home.is_absolute() and home.resolve() == (tmp_path / "dagster_home").resolve()
    assert os.environ["DAGSTER_HOME"] == str(home)
    assert "max_concurrent_runs: 1" in (home / "dagster.yaml").read_text()


def test_a_file_name_cannot_forge_a_summary_line() -> None:
    name = "E08000016.csv\n  rows:  999,999 accepted, 0 rejected\x1b[2K"
    line = shown(name)
    assert "\n" not in line and "\x1b" not in line
    assert line == "E08000016.csv\\n  rows:  999,999 accepted, 0 rejected\\x1b[2K"
    assert json.dumps(shown("café ✓")) == json.dumps("café ✓")  # printable text is unchanged


def test_a_second_load_refuses_at_once_naming_the_first(tmp_path: Path) -> None:
    """Two loads at once: the second exits 75 within 2 seconds and says who holds the lock."""
    warehouse = tmp_path / "warehouse" / "ni.duckdb"
    first = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from pipelines.warehouse.build_file import load_lock; "
            f"lock = load_lock(Path({str(warehouse)!r}), 'niw run'); lock.__enter__(); "
            "print('holding', flush=True); sys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert first.stdout.readline().strip() == "holding"
        started = time.monotonic()
        second = niw("run", env={"NIW_WAREHOUSE": str(warehouse), "NIW_RAW_DIR": str(tmp_path)})
        took = time.monotonic() - started
        assert second.returncode == 75, second.stderr
        assert f"niw run (process {first.pid} on" in second.stderr
        assert "another load is running" in second.stderr and "Traceback" not in second.stderr
        assert took < 2, f"took {took:.1f} s"
        # a Dagster run's ingest step refuses the same way (it probes the lock)
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "from pathlib import Path; "
                "from pipelines.warehouse.build_file import refuse_if_another_load; "
                f"refuse_if_another_load(Path({str(warehouse)!r}))",
            ],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
        )
        assert probe.returncode == 1 and "LoadInProgress" in probe.stderr
    finally:
        first.kill()
        first.wait()
    # the kernel released the killed holder's lock: no clock, no stale-age guess
    from pipelines.warehouse.build_file import load_lock

    with load_lock(warehouse, "test"):
        pass

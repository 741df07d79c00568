"""Nothing a sender controls runs as script in any HTML this project writes, nor forges a line.

A real `niw run` loads returns with hostile file names and cells. Then every HTML file it
wrote (the quality report, the Great Expectations Data Docs, the release's site) is opened
in real headless Chromium over localhost, all at once through one page of iframes: if any
payload ran, it marks the top page, which Chromium's DOM dump shows. A page built with the
payload unescaped is opened the same way first, to show the detector does detect.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from pathlib import Path

import pytest
from browser import chromium
from harness import NightlyLoad

pytestmark = pytest.mark.e2e

PAYLOAD = "<img src=x onerror=\"parent.document.body.setAttribute('data-xss','1')\">"
HEADER = "area_code,indicator,period,value,status,comment\n"
FORGED = "E08000016.csv\n  rows:  999,999 accepted, 0 rejected"


@pytest.fixture(scope="module")
def hostile_load(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    raw.mkdir()
    good = "".join(
        f"E08000016,NI {ni},2008/09,{value},final,\n" for ni, value in ((117, 7.5), (116, 20.1))
    )
    # a file mostly rejected: it is named in the anomaly suite's failing rows (Data Docs)
    (raw / f"{PAYLOAD}.csv").write_text(
        HEADER + f"E08000016,NI 117,2009/10,6.1,final,{PAYLOAD}\nE99999999,NI 117,2009/10,1,x,\n"
        "E99999999,NI 117,2009/10,2,final,\n"
    )
    (raw / "barnsley.csv").write_text(HEADER + good.replace(",\n", f',"{PAYLOAD}"\n', 1))
    (raw / f"{FORGED}.txt").write_text("not a return")  # rejected whole, named in the summary
    done = NightlyLoad(root, as_of="2026-11-30").niw("run")
    assert done.returncode == 0, done.stderr[-4000:]
    return root, done


def scripts_ran(root: Path, pages: list[Path]) -> bool:
    """Open every page in Chromium at once (iframes of one page on localhost)."""
    frames = "".join(
        f'<iframe src="/{page.relative_to(root).as_posix()}"></iframe>' for page in pages
    )
    (root / "all-pages.html").write_text(f"<!doctype html><body>{frames}</body>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dom = chromium(
            "--virtual-time-budget=20000",
            "--dump-dom",
            f"http://127.0.0.1:{server.server_port}/all-pages.html",
        )
    finally:
        server.shutdown()
        server.server_close()
    return 'data-xss="1"' in dom


def test_the_detector_detects_a_payload_that_runs(tmp_path: Path) -> None:
    (tmp_path / "unsafe.html").write_text(f"<!doctype html><p>{PAYLOAD}</p>")
    (tmp_path / "safe.html").write_text("<!doctype html><p>&lt;img src=x onerror=...&gt;</p>")
    assert scripts_ran(tmp_path, [tmp_path / "unsafe.html"])
    assert not scripts_ran(tmp_path, [tmp_path / "safe.html"])


def test_no_hostile_name_or_cell_runs_in_any_page_the_load_wrote(hostile_load) -> None:
    root, _ = hostile_load
    quality = sorted((root / "quality").rglob("*.html"))
    docs = [p for p in quality if "data_docs" in p.parts]
    assert docs and any("validations" in p.parts for p in docs)  # GE's own pages are there
    names_the_file = [p for p in quality if "onerror" in p.read_text(encoding="utf-8")]
    assert names_the_file, "the hostile file name should be shown (escaped) somewhere"
    site = root / "published" / "latest" / "site"
    pages = quality + [site / "index.html", site / "areas" / "E08000016.html"]
    assert not scripts_ran(root, pages)


def test_a_file_name_cannot_forge_a_line_of_the_summary(hostile_load) -> None:
    _, done = hostile_load
    lines = done.stdout.splitlines()
    assert "  rows:  999,999 accepted, 0 rejected" not in lines
    assert any("E08000016.csv\\n  rows:  999,999 accepted" in line for line in lines)

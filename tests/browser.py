"""Headless Chromium for the browser tests (Debian's package: `apt-get install chromium`)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from site_fixtures import PageReader

from pipelines.settings import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
TIMEOUT_SECONDS = 90


def chromium(*args: str) -> str:
    """Run headless Chromium with a fresh profile; its stdout. Fails the test if missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    with tempfile.TemporaryDirectory(prefix="niw-chromium-") as profile:
        try:
            done = subprocess.run(
                [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"chromium {' '.join(args)} took over {TIMEOUT_SECONDS} s")
    if done.returncode != 0:
        pytest.fail(f"chromium {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(page: Path) -> PageReader:
    return PageReader(chromium("--dump-dom", page.as_uri()))


def screenshot(page: Path, png: Path) -> Path:
    png.unlink(missing_ok=True)
    chromium(f"--screenshot={png}", "--window-size=1280,2000", page.as_uri())
    return png


def screenshot_dir() -> Path:
    """Where screenshots go for a person to look at: NIW_SCREENSHOT_DIR or .test-artifacts/."""
    folder = Path(
        os.environ.get("NIW_SCREENSHOT_DIR") or REPO_ROOT / ".test-artifacts" / "screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder

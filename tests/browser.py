"""Headless Chromium for the browser tests (Debian's package: `apt-get install chromium`).

`chromium(...)` runs it once with arguments (--dump-dom, --screenshot); `axe_violations(page)`
drives it over the DevTools protocol on a pipe (no port, no extra package) to run the axe-core
accessibility check in the loaded page.
"""

from __future__ import annotations

import base64
import fcntl
import importlib.resources
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

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


# axe-core's tags for the WCAG 2.0 and 2.1 success criteria at levels A and AA.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_RUN = """
axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})
  .then(result => JSON.stringify(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }))))
"""


@cache
def axe_source() -> str:
    """axe-core's axe.min.js: NIW_AXE_JS if set, else the copy the PyPI package
    axe-core-python ships (a dev dependency in pyproject.toml)."""
    if os.environ.get("NIW_AXE_JS"):
        return Path(os.environ["NIW_AXE_JS"]).read_text("utf-8")
    try:
        return (importlib.resources.files("axe_core_python") / "axe.min.js").read_text("utf-8")
    except ModuleNotFoundError:
        pytest.fail("axe-core-python is missing: `make test` installs the dev dependencies")


def _above_9(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class DevTools:
    """Headless Chromium driven over --remote-debugging-pipe: JSON messages ending in NUL,
    commands written to its file descriptor 3, replies and events read from 4."""

    def __init__(self) -> None:
        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
        self._profile = tempfile.TemporaryDirectory(prefix="niw-chromium-")
        to_chromium, self._commands = os.pipe()
        self._replies, from_chromium = os.pipe()
        # above 9, so that moving them to 3 and 4 in the child cannot overwrite one another
        to_chromium, from_chromium = (_above_9(fd) for fd in (to_chromium, from_chromium))
        # a Python trampoline puts the pipe ends on 3 and 4, then becomes Chromium (dash's
        # redirections take one-digit descriptors only; preexec_fn is unsafe with threads)
        trampoline = "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); os.execv(sys.argv[3], sys.argv[3:])"  # fmt: skip
        command = [sys.executable, "-c", trampoline, str(to_chromium), str(from_chromium), CHROMIUM]  # fmt: skip
        flags = [*FLAGS, f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe"]
        self._process = subprocess.Popen(
            [*command, *flags, "about:blank"],
            pass_fds=(to_chromium, from_chromium),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chromium)
        os.close(from_chromium)
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._next_id = 0
        self._deadline = time.monotonic() + TIMEOUT_SECONDS

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = self._deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                pytest.fail(f"chromium gave no answer within {TIMEOUT_SECONDS} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                pytest.fail(f"chromium closed its DevTools pipe (exit {self._process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its reply; events that arrive meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") != self._next_id:
                self._events.append(reply)
            elif "error" in reply:
                pytest.fail(f"chromium: {method} failed: {reply['error']}")
            else:
                return reply["result"]

    def wait_for(self, event: str, session: str) -> dict[str, Any]:
        while True:
            for index, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    return self._events.pop(index)
            self._events.append(self._read())

    def close(self) -> None:
        try:
            self._process.terminate()
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        finally:
            os.close(self._commands)
            os.close(self._replies)
            self._remove_profile()

    def _remove_profile(self) -> None:
        """Chromium's helper processes (crashpad, zygote) can still write into the profile
        for a moment after the browser exits: a removal that meets a new file tries again."""
        for _attempt in range(20):
            try:
                self._profile.cleanup()
                return
            except OSError:
                time.sleep(0.1)
        shutil.rmtree(self._profile.name, ignore_errors=True)


def axe_violations(
    url_or_path: str | Path, screenshot_png: Path | None = None, tags: tuple[str, ...] = WCAG_21_AA
) -> list[dict[str, Any]]:
    """The axe-core violations of one page loaded in headless Chromium (WCAG 2.1 A and AA).

    Each violation: id (the axe rule), impact, help, helpUrl and nodes, each node with its
    target (CSS selectors), html and summary (what to fix). `screenshot_png`: where to save a
    screenshot of the whole page as it was checked, 1280 px wide.
    """
    url = url_or_path.as_uri() if isinstance(url_or_path, Path) else url_or_path
    browser = DevTools()
    try:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.call("Page.enable", session)
        browser.call("Emulation.setDeviceMetricsOverride", session, width=1280, height=900, deviceScaleFactor=1, mobile=False)  # fmt: skip
        browser.call("Page.navigate", session, url=url)
        browser.wait_for("Page.loadEventFired", session)
        browser.call("Runtime.evaluate", session, expression=axe_source())
        found = browser.call(
            "Runtime.evaluate",
            session,
            expression=AXE_RUN % json.dumps(list(tags)),
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in found:
            pytest.fail(f"axe failed in {url}: {found['exceptionDetails']}")
        if screenshot_png is not None:
            shot = browser.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)  # fmt: skip
            screenshot_png.write_bytes(base64.b64decode(shot["data"]))
        return json.loads(found["result"]["value"])
    finally:
        browser.close()

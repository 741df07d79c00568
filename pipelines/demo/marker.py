"""The demo marker: `DEMO-RETURNS.sha256` in a raw folder lists the files the demo generator wrote.

Each line is `<sha256>  <path>` (the format `sha256sum -c` reads, run from the raw folder).
Ingest records a file it takes up as demo when the marker lists its path, whatever its bytes
now are (an edited demo file is still invented data); the release is marked demo when any
value it publishes came from such a file (docs/operations.md, "Demo data"). The marker is not
a return: discovery skips it by name, at the top of the raw folder only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

MARKER_NAME = "DEMO-RETURNS.sha256"


def write_marker(raw_dir: Path, paths: Iterable[str]) -> Path:
    """Add `paths` (relative to raw_dir, POSIX) to the marker; keep the entries already in it."""
    marker = raw_dir / MARKER_NAME
    entries = _read_entries(marker)
    for path in paths:
        with open(raw_dir / path, "rb") as handle:
            entries[path] = hashlib.file_digest(handle, "sha256").hexdigest()
    lines = [f"{digest}  {path}\n" for path, digest in sorted(entries.items())]
    marker.write_text("".join(lines), encoding="utf-8")
    return marker


def demo_paths(raw_dir: Path) -> frozenset[str]:
    """The paths the marker in raw_dir lists (empty when there is no marker)."""
    return frozenset(_read_entries(raw_dir / MARKER_NAME))


def _read_entries(marker: Path) -> dict[str, str]:
    try:
        text = marker.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    entries = {}
    for line in text.splitlines():
        digest, separator, path = line.partition("  ")
        if separator and path:
            entries[path] = digest
    return entries

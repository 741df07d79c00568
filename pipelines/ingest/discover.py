"""Finding return files under the raw folder and deciding which a load takes up (contract §1)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..demo.marker import MARKER_NAME

# The largest file a load reads (it is read into memory whole): docs/decisions.md, "Bounded
# input". A larger file is rejected UNREADABLE without being read.
RETURN_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class CandidateFile:
    """A file under the raw folder: its relative POSIX path and where it is on disk."""

    path: str
    location: Path

    @property
    def format(self) -> str:
        suffix = Path(self.path).suffix
        return suffix[1:].lower() if suffix else ""


def _display_path(relative: str) -> str:
    # File names are untrusted bytes: keep them printable and valid UTF-8 for the ledger.
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def list_return_files(raw_dir: Path) -> list[CandidateFile]:
    """Every file under raw_dir in lexical path order, but those `list_ignored` names."""
    return scan_raw_folder(raw_dir)[0]


# The departmental feeds (NI 152 and NI 153's neighbourhood data) live under raw/feeds/: they
# are not returns. The feed step of a load (pipelines/feeds/load.py) takes up feeds/wpls/;
# anything else under feeds/ is listed as ignored.
FEEDS_FOLDER = "feeds"
KNOWN_FEEDS = ("wpls",)
FEEDS_WHY = "not a departmental feed this version loads (only feeds/wpls/ is)"


def list_ignored(raw_dir: Path) -> list[tuple[str, str]]:
    """(path, why) of what a load skips under raw_dir: hidden names and the demo marker.

    A hidden folder is one entry (`.git/`), not every file in it.
    """
    return scan_raw_folder(raw_dir)[1]


def scan_raw_folder(raw_dir: Path) -> tuple[list[CandidateFile], list[tuple[str, str]]]:
    """The return files under raw_dir and the names skipped, both in lexical path order.

    Names that start with '.' are skipped (`.DS_Store`, `.git/`, `.~lock` files), as are the
    demo generator's list of its files and the departmental feeds folder (`feeds/`) at the
    top. Folder links are not followed, so a load never wanders outside the raw folder.
    """
    if not raw_dir.is_dir():
        return [], []
    found: list[CandidateFile] = []
    ignored: list[tuple[str, str]] = []
    for folder, dirs, files in os.walk(raw_dir, followlinks=False):
        base = Path(folder).relative_to(raw_dir)
        for name in [d for d in dirs if d.startswith(".")]:
            ignored.append((_display_path((base / name).as_posix()) + "/", "hidden folder"))
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if base == Path(".") and FEEDS_FOLDER in dirs:
            dirs.remove(FEEDS_FOLDER)
            for entry in sorted(os.listdir(Path(folder, FEEDS_FOLDER))):
                if entry not in KNOWN_FEEDS and not entry.startswith("."):
                    ignored.append((_display_path(f"{FEEDS_FOLDER}/{entry}"), FEEDS_WHY))
        for name in files:
            relative = (base / name).as_posix()
            if name.startswith("."):
                ignored.append((_display_path(relative), "hidden file (name starts with '.')"))
            elif relative == MARKER_NAME:
                ignored.append((relative, "the demo set's list of its files, not a return"))
            else:
                location = Path(folder, name)
                found.append(CandidateFile(path=_display_path(relative), location=location))
    return sorted(found, key=lambda f: f.path), sorted(ignored)


def check_readable(candidate: CandidateFile, raw_dir: Path) -> int:
    """The file's size; raises OSError with a reason for a person when a load must not read it:
    a link to somewhere outside the raw folder, or not a regular file (returns and feeds)."""
    location = candidate.location
    if location.is_symlink():
        target = location.resolve()
        if not target.is_relative_to(raw_dir.resolve()):
            raise OSError("the file is a link to somewhere outside the raw folder")
    if not location.is_file():
        raise OSError("not a regular file")
    return location.stat().st_size


def read_file_bytes(candidate: CandidateFile, raw_dir: Path) -> bytes:
    """The file's bytes; raises OSError with a reason for a person when it cannot be read."""
    location = candidate.location
    size = check_readable(candidate, raw_dir)
    if size > RETURN_MAX_BYTES:
        raise OSError(
            f"the file is {size / 2**20:,.0f} MB, more than the {RETURN_MAX_BYTES // 2**20} MB "
            "a return may be (one area's return is a few KB; split a national file by area)"
        )
    return location.read_bytes()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

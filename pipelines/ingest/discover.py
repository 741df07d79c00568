"""Finding return files under the raw folder and deciding which a load takes up (contract §1)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


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
    """Every file under raw_dir in lexical path order, skipping names that start with '.'.

    Hidden folders (`.git`, `.ipynb_checkpoints`) are skipped too, and folder links are not
    followed, so a load never wanders outside the raw folder.
    """
    if not raw_dir.is_dir():
        return []
    found: list[CandidateFile] = []
    for folder, dirs, files in os.walk(raw_dir, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            location = Path(folder, name)
            relative = location.relative_to(raw_dir).as_posix()
            found.append(CandidateFile(path=_display_path(relative), location=location))
    return sorted(found, key=lambda f: f.path)


def read_file_bytes(candidate: CandidateFile, raw_dir: Path) -> bytes:
    """The file's bytes; raises OSError with a reason for a person when it cannot be read."""
    location = candidate.location
    if location.is_symlink():
        target = location.resolve()
        if not target.is_relative_to(raw_dir.resolve()):
            raise OSError("the file is a link to somewhere outside the raw folder")
    if not location.is_file():
        raise OSError("not a regular file")
    return location.read_bytes()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

"""The retention rule for releases (docs/operations.md, "Disk growth and retention").

A release's data files, changes and manifest are kept forever: they are the record of what
was published. Its site (about two thirds of its size) can be drawn again from those files, so
the site of a superseded release is pruned once `keep_sites` newer releases have sites: the
latest release and the `keep_sites - 1` before it keep theirs. A pruned release holds
SITE-PRUNED.txt saying when and why; its manifest is unchanged (it still says what was
published), `niw verify` accepts the missing site files, and SHA256SUMS is rewritten without
them so that `sha256sum -c` still passes. Warehouse generations are bounded separately by
NIW_KEEP_GENERATIONS (pipelines/warehouse/build_file.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from .release import SITE_PRUNED_FILE, latest_release, list_release_manifests


@dataclass(frozen=True)
class Pruned:
    release: str
    files: int
    bytes: int


def prune_sites(publish_dir: Path, keep_sites: int, *, dry_run: bool = False) -> list[Pruned]:
    """Remove the sites of releases older than the newest `keep_sites` (never the latest's)."""
    if keep_sites < 1:
        raise ValueError("keep_sites must be at least 1: the latest release keeps its site")
    latest = latest_release(publish_dir)
    with_sites = [
        path for path, _ in list_release_manifests(publish_dir) if (path / "site").is_dir()
    ]
    # newest first, by the load that made them (release ids sort in load order)
    with_sites.sort(key=lambda path: path.name, reverse=True)
    done = []
    for path in with_sites[keep_sites:]:
        if latest is not None and path.resolve() == latest:
            continue
        files = [p for p in (path / "site").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        done.append(Pruned(path.name, len(files), size))
        if dry_run:
            continue
        (path / SITE_PRUNED_FILE).write_text(
            f"The site of this release was pruned on {dt.date.today().isoformat()} under the "
            f"retention rule (the {keep_sites} newest releases keep their sites). Its data files, "
            "changes and manifest are kept; the manifest still lists the site as published.\n",
            encoding="utf-8",
        )
        shutil.rmtree(path / "site")
        _rewrite_checksums(path)
    return done


def _rewrite_checksums(folder: Path) -> None:
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    kept = [line for line in sums if not line.split("  ", 1)[-1].startswith("site/")]
    (folder / "SHA256SUMS").write_text("\n".join(kept) + "\n", encoding="utf-8")


def describe_pruned(done: list[Pruned], dry_run: bool) -> list[str]:
    verb = "would prune" if dry_run else "pruned"
    if not done:
        return ["No release site to prune: every superseded site is within the retention rule."]
    lines = [
        f"{verb} the site of {r.release}: {r.files:,} files, {r.bytes / 2**20:,.1f} MB"
        for r in done
    ]
    total = sum(r.bytes for r in done) / 2**20
    lines.append(f"{verb} {len(done)} sites, {total:,.1f} MB; data files and manifests are kept.")
    return lines

"""`niw releases|verify|rollback|serve|fetch`: the publication commands (docs/publication.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..nightly import shown
from ..warehouse.build_file import RollbackError, describe, list_generations, rollback
from .release import latest_release, list_release_manifests, point_latest, verify_release


def describe_release(publish_dir: Path, unchanged: bool) -> list[str]:
    """Summary lines for `niw run` about the release the load made (or kept)."""
    release = latest_release(publish_dir)
    if release is None:
        return ["  release:   none"]
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    changes = manifest["changes"]
    released = manifest["tables"]["fct_indicator_values"]["rows"]
    if unchanged:
        first = f"  release:   unchanged: nothing publishable differs, latest stays {release.name}"
    else:
        since = manifest["previous_release"] or "nothing (the first release)"
        first = (
            f"  release:   {release.name} ({released:,} final values published as of "
            f"{manifest['as_of']}; {changes['new']:,} new, {changes['revised']:,} revised, "
            f"{changes.get('restated', 0):,} restated, {changes['withdrawn']:,} withdrawn "
            f"since {since})"
        )
    lines = [first]
    if manifest.get("demo"):
        lines.append(f"             {manifest['demo_note']}")
    return [
        *lines,
        f"             {publish_dir / 'latest'}/  (site/index.html, data/, manifest.json)",
        "             see it: niw serve   check it: niw verify",
    ]


def list_releases(publish_dir: Path, warehouse: Path | None = None) -> int:
    """Every release, marking the latest and those a rollback withdrew."""
    latest = latest_release(publish_dir)
    releases = list_release_manifests(publish_dir)
    if not releases:
        print(f"No releases under {publish_dir}: run `make run` first.")
        return 0
    withdrawn = _withdrawn_loads(warehouse) if warehouse else set()
    for path, manifest in releases:
        marker = "  <- latest" if latest and path.resolve() == latest else ""
        if manifest["source_load"]["load_id"] in withdrawn:
            marker += "  (withdrawn: its load was rolled back)"
        if manifest.get("demo"):
            marker += "  DEMO DATA (invented figures)"
        changes = manifest["changes"]
        print(
            f"{path.name}  as of {manifest['as_of']}  "
            f"{manifest['tables']['fct_indicator_values']['rows']:>9,} values  "
            f"+{changes['new']:,} ~{changes['revised']:,} ={changes.get('restated', 0):,} "
            f"-{changes['withdrawn']:,}{marker}"
        )
    return 0


def _withdrawn_loads(warehouse: Path) -> set[str]:
    """The load ids rollbacks undid, as the live warehouse records them."""
    import duckdb

    from ..ingest.ledger import withdrawn_loads

    if not warehouse.exists():
        return set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return withdrawn_loads(con)


def verify(folder: Path) -> int:
    """Check a release folder against its manifest; 0 when every file and row count matches."""
    if not folder.is_dir():
        print(f"No release at {folder}.", file=sys.stderr)
        return 1
    problems = verify_release(folder)
    if problems:
        print(f"{folder}: DOES NOT VERIFY ({len(problems)} problems)", file=sys.stderr)
        for problem in problems[:50]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    print(
        f"{folder}: OK, release {manifest['release_id']}: {len(manifest['files'])} files match "
        "their SHA-256 and size, every table's Parquet and CSV row counts match the manifest"
    )
    return 0


def show_or_rollback(warehouse: Path, publish_dir: Path, load_id: str | None, keep: int) -> int:
    """List the live warehouse and the kept generations, or make a generation live again."""
    if load_id is None:
        generations = list_generations(warehouse)
        live = describe(warehouse) if warehouse.exists() else None
        if live:
            print(
                f"Live: {warehouse} holds load {live[0]} (finished {live[1]}, {live[2]:,} values)"
            )
        if not generations:
            print(f"No earlier generations of {warehouse} are kept yet.")
            return 0
        withdrawn = _withdrawn_loads(warehouse)
        print("Kept generations (roll back with `niw rollback LOAD_ID`):")
        for generation in generations:
            mark = "  (withdrawn: rolled back)" if generation.load_id in withdrawn else ""
            if live and generation.load_id == live[0]:
                mark += "  <- live"
            print(
                f"  {generation.load_id}  finished {generation.finished_at}  "
                f"{generation.current_values:,} current values{mark}"
            )
        return 0
    try:
        done = rollback(warehouse, load_id, keep)
    except RollbackError as error:
        print(f"Cannot roll back: {error}", file=sys.stderr)
        return 1
    print(
        f"{warehouse} now holds load {done.generation.load_id} again (the file it replaced is kept)."
    )
    if done.undone_loads:
        print(f"Undone: loads {', '.join(done.undone_loads)}.")
    if done.withdrawn_paths:
        print(
            f"Withdrawn: {len(done.withdrawn_paths)} files those loads had taken up; the next "
            "load takes them up again only if their bytes change:"
        )
        for path in done.withdrawn_paths[:20]:
            print(f"  {shown(path)}")
        if len(done.withdrawn_paths) > 20:
            print(f"  ... and {len(done.withdrawn_paths) - 20} more (ingest.withdrawn_files)")
    release = release_of_load(publish_dir, done.generation.load_id)
    if release is None:
        print(f"No release was made from load {done.generation.load_id}: `latest` is unchanged.")
    else:
        point_latest(publish_dir, release.name)
        print(f"{publish_dir / 'latest'} now points to {release.name}.")
    return 0


def release_of_load(publish_dir: Path, load_id: str) -> Path | None:
    """The newest release whose source load is `load_id` or earlier."""
    candidates = [
        (manifest["source_load"]["load_id"], path.name, path)
        for path, manifest in list_release_manifests(publish_dir)
        # load ids sort in time order (L<UTC timestamp>-<seq>)
        if manifest["source_load"]["load_id"] <= load_id
    ]
    return max(candidates)[2] if candidates else None

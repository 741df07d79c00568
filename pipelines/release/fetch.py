"""Fetch a release over HTTP and check every file against its manifest (docs/publication.md).

    niw fetch http://host:8000/latest/ DEST
    python fetch.py http://host:8000/latest/ DEST     (this file alone, standard library only)

Downloads manifest.json, then every file it lists into DEST, checking each file's size and
SHA-256 as it arrives. A file that does not match is deleted and reported; the exit status is
1 if anything failed. Paths in the manifest are checked to stay inside DEST.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urljoin


def download(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (the user's URL)
        return response.read()


def fetch_release(base_url: str, dest: Path) -> list[str]:
    """Fetch the release at base_url into dest; return the problems (empty when it verifies)."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    manifest_bytes = download(urljoin(base, "manifest.json"))
    manifest = json.loads(manifest_bytes)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "manifest.json").write_bytes(manifest_bytes)
    problems = []
    for entry in manifest["files"]:
        relative = PurePosixPath(entry["path"])
        if relative.is_absolute() or ".." in relative.parts:
            problems.append(f"{relative}: refused, a path outside the release")
            continue
        target = dest.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = download(urljoin(base, quote(str(relative))))
        if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{relative}: size or SHA-256 differs from the manifest; not kept")
            target.unlink(missing_ok=True)
            continue
        target.write_bytes(data)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the release's address, e.g. http://127.0.0.1:8000/latest/")
    parser.add_argument("dest", type=Path, help="an empty folder to fetch into")
    args = parser.parse_args(argv)
    problems = fetch_release(args.url, args.dest)
    manifest = json.loads((args.dest / "manifest.json").read_text(encoding="utf-8"))
    if problems:
        print(f"release {manifest['release_id']}: {len(problems)} files failed:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"release {manifest['release_id']}: {len(manifest['files'])} files fetched into "
        f"{args.dest}, every one matching the manifest's size and SHA-256"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

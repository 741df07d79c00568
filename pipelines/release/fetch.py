"""Fetch a release over HTTP and check every file against its manifest (docs/publication.md).

    niw fetch http://host:8000/latest/ DEST
    python fetch.py http://host:8000/latest/ DEST     (this file alone, standard library only)

Downloads manifest.json, then every file it lists into DEST, checking each file's size and
SHA-256 as it arrives, and SHA256SUMS, checked against the manifest, so that `sha256sum -c
SHA256SUMS` works in DEST. A file that does not match is deleted and reported; the exit
status is 1 if anything failed, or if the release cannot be reached (said in one line, with
no traceback). Paths in the manifest are checked to stay inside DEST.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.error
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
    problems += _fetch_checksums(base, dest, manifest, manifest_bytes)
    return problems


def _fetch_checksums(base: str, dest: Path, manifest: dict, manifest_bytes: bytes) -> list[str]:
    """Download SHA256SUMS and keep it only if every line agrees with the manifest."""
    expected = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    expected["manifest.json"] = hashlib.sha256(manifest_bytes).hexdigest()
    try:
        sums = download(urljoin(base, "SHA256SUMS")).decode("utf-8")
    except urllib.error.HTTPError as error:
        return [f"SHA256SUMS: not fetched (HTTP {error.code})"]
    listed = {}
    for line in sums.splitlines():
        digest, _, path = line.partition("  ")
        listed[path] = digest
    if listed != expected:
        return ["SHA256SUMS: does not agree with the manifest; not kept"]
    (dest / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the release's address, e.g. http://127.0.0.1:8000/latest/")
    parser.add_argument("dest", type=Path, help="an empty folder to fetch into")
    args = parser.parse_args(argv)
    try:
        problems = fetch_release(args.url, args.dest)
    except urllib.error.HTTPError as error:
        print(f"cannot fetch {error.url}: HTTP {error.code} {error.reason}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        print(f"cannot fetch the release at {args.url}: {reason}", file=sys.stderr)
        return 1
    except (ValueError, KeyError) as error:
        print(f"{args.url} does not serve a release manifest: {error}", file=sys.stderr)
        return 1
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

"""What a release of the national demo data costs, printed as figures (nothing asserted).

    .venv/bin/python bench/bench_release.py [WAREHOUSE]     (default data/warehouse/ni.duckdb)

Copies the warehouse (a load's output: run `make run` first) to a temporary folder, stages a
release from it twice (data files, changes, site, manifest, verification) and prints the time
of each part, the size of the release and the time to verify it again. The second build checks
that the same warehouse gives the same bytes.
"""

from __future__ import annotations

import functools
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pipelines.release.release as release  # noqa: E402


def timed(label: str, times: dict[str, float], function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times[label] = times.get(label, 0.0) + time.perf_counter() - start

    return wrapper


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "data" / "warehouse" / "ni.duckdb"
    if not source.exists():
        sys.exit(f"no warehouse at {source}: run `make run` first")
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "ni.duckdb"
        shutil.copyfile(source, warehouse)
        digests = []
        for attempt in (1, 2):
            times: dict[str, float] = {}
            release.write_table = timed("tables + changes", times, release.write_table)
            release.build_release_site = timed("site", times, release.build_release_site)
            release.write_manifest = timed("manifest (SHA-256)", times, release.write_manifest)
            release.verify_release = timed("verify", times, release.verify_release)
            start = time.perf_counter()
            staged = release.stage_release(warehouse, Path(tmp) / f"published{attempt}")
            total = time.perf_counter() - start
            files = staged.manifest["files"]
            size = sum(f["bytes"] for f in files)
            values = staged.manifest["tables"]["fct_indicator_values"]["rows"]
            print(f"release {staged.release_id} (build {attempt})")
            print(f"  {values:,} values, {len(files):,} files, {size / 1e6:.1f} MB")
            for label, seconds in times.items():
                print(f"  {label:<20} {seconds:6.1f} s")
            print(f"  {'total':<20} {total:6.1f} s")
            digests.append([(f["path"], f["sha256"]) for f in files])
            for name in ("write_table", "build_release_site", "write_manifest", "verify_release"):
                setattr(release, name, getattr(release, name).__wrapped__)
        print(f"same bytes both times: {digests[0] == digests[1]}")


if __name__ == "__main__":
    main()

"""Dagster resources: where returns, seeds and the warehouse live, and the dbt CLI.

The warehouse resource owns the build-then-swap life cycle of the DuckDB file: a run builds
into its own copy and only a run whose every step succeeded moves it over the published file.
"""

import os
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb

from .settings import Settings

STALE_BUILD_SECONDS = 6 * 3600


class WarehouseResource(dg.ConfigurableResource):
    """Paths from NIW_* settings; tests pass temporary folders."""

    raw_dir: str
    warehouse: str
    seeds_dir: str
    # Great Expectations results and Data Docs; empty means a `quality` folder beside the file.
    quality_dir: str = ""

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "WarehouseResource":
        settings = settings or Settings.from_env()
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse=str(settings.warehouse),
            seeds_dir=str(settings.seeds_dir),
            quality_dir=str(settings.quality_dir),
        )

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def quality_path(self) -> Path:
        return (
            Path(self.quality_dir) if self.quality_dir else self.warehouse_path.parent / "quality"
        )

    def build_path(self, run_id: str) -> Path:
        """The file this run builds into, beside the published warehouse (same filesystem)."""
        published = self.warehouse_path
        return published.with_name(f".{published.name}.build-{run_id[:8]}")

    def start_build(self, run_id: str) -> Path:
        """Copy the published warehouse (if any) to this run's build file."""
        published = self.warehouse_path
        published.parent.mkdir(parents=True, exist_ok=True)
        for old in published.parent.glob(f".{published.name}.build-*"):
            if time.time() - old.stat().st_mtime > STALE_BUILD_SECONDS:
                old.unlink(missing_ok=True)  # left by a failed run long ago
        build = self.build_path(run_id)
        for leftover in (build, build.with_name(build.name + ".wal")):
            leftover.unlink(missing_ok=True)
        if published.exists():
            shutil.copyfile(published, build)
        return build

    def publish_build(self, run_id: str) -> Path:
        """Atomically move this run's build file over the published warehouse."""
        build = self.build_path(run_id)
        if not build.exists():
            raise FileNotFoundError(f"build file {build} is missing: nothing to publish")
        with duckdb.connect(str(build)) as con:
            con.execute("checkpoint")
        os.replace(build, self.warehouse_path)
        return self.warehouse_path

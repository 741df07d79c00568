"""Dagster resources: where returns, seeds and the warehouse live, and the dbt CLI.

The warehouse resource owns the build-then-swap life cycle of the DuckDB file: a run builds
into its own copy and only a run whose every step succeeded moves it over the published file.
"""

import os
import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg
import duckdb

from .settings import Settings
from .warehouse.build_file import keep_generation, swap_lock

STALE_BUILD_SECONDS = 6 * 3600


class WarehouseResource(dg.ConfigurableResource):
    """Paths from NIW_* settings; tests pass temporary folders."""

    raw_dir: str
    warehouse: str
    seeds_dir: str
    # Great Expectations results and Data Docs; empty means a `quality` folder beside the file.
    quality_dir: str = ""
    # Releases (docs/publication.md); empty means a `published` folder beside the warehouse's.
    publish_dir: str = ""
    # The embargo date YYYY-MM-DD; empty means today in England when the load runs.
    publish_as_of: str = ""
    # Earlier warehouse files kept for `niw rollback`.
    keep_generations: int = 5

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "WarehouseResource":
        settings = settings or Settings.from_env()
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse=str(settings.warehouse),
            seeds_dir=str(settings.seeds_dir),
            quality_dir=str(settings.quality_dir),
            publish_dir=str(settings.publish_dir),
            publish_as_of=settings.publish_as_of or "",
            keep_generations=settings.keep_generations,
        )

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def quality_path(self) -> Path:
        return (
            Path(self.quality_dir) if self.quality_dir else self.warehouse_path.parent / "quality"
        )

    @property
    def publish_path(self) -> Path:
        return (
            Path(self.publish_dir)
            if self.publish_dir
            else self.warehouse_path.parent.parent / "published"
        )

    def as_of(self) -> str:
        """The embargo date of a load: publish_as_of, else today's date in England."""
        if self.publish_as_of:
            return date.fromisoformat(self.publish_as_of).isoformat()  # fails on a non-date
        try:
            england = ZoneInfo("Europe/London")
        except ZoneInfoNotFoundError:  # a machine without a time zone database
            england = UTC
        return datetime.now(england).date().isoformat()

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
        for leftover in (build, build.with_name(build.name + ".wal"), self._base_marker(run_id)):
            leftover.unlink(missing_ok=True)
        if published.exists():
            shutil.copyfile(published, build)
        self._base_marker(run_id).write_text(self._identity(published))
        return build

    def _base_marker(self, run_id: str) -> Path:
        build = self.build_path(run_id)
        return build.with_name(build.name + ".base")

    @staticmethod
    def _identity(path: Path) -> str:
        """Which file is at path: inode and modification time (a swap changes both)."""
        if not path.exists():
            return "none"
        stat = path.stat()
        return f"{stat.st_ino}:{stat.st_mtime_ns}"

    def checkpoint_build(self, run_id: str) -> Path:
        """Fold the build file's WAL into it, so that the file alone is the whole warehouse."""
        build = self.build_path(run_id)
        if not build.exists():
            raise FileNotFoundError(f"build file {build} is missing: nothing to publish")
        with duckdb.connect(str(build)) as con:
            con.execute("checkpoint")
        return build

    def publish_build(self, run_id: str) -> Path:
        """Atomically move this run's build file over the published warehouse.

        The outgoing file is kept as a generation first (pipelines/warehouse/build_file.py).
        Readers with it open keep reading it; the next connection opens the new file.
        """
        build = self.checkpoint_build(run_id)
        marker = self._base_marker(run_id)
        with swap_lock(self.warehouse_path):
            if marker.exists() and marker.read_text() != self._identity(self.warehouse_path):
                raise RuntimeError(
                    f"{self.warehouse_path} was replaced while this load ran (a rollback or "
                    "another load): not publishing over it. Run the load again."
                )
            keep_generation(self.warehouse_path, self.keep_generations)
            os.replace(build, self.warehouse_path)
        marker.unlink(missing_ok=True)
        return self.warehouse_path

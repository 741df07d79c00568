"""The Dagster resource every step shares: where returns, seeds, the warehouse and releases live.

Paths only, from the NIW_* settings (pipelines/settings.py); tests pass temporary folders. What
happens to the warehouse file itself (build, swap, generations) is pipelines/warehouse/build_file.py.
"""

from pathlib import Path

import dagster as dg

from .settings import Settings, embargo_date
from .warehouse import build_file


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
    # How many of the newest releases keep their site (release/retention.py); 0: never prune.
    keep_sites: int = 3

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
            keep_sites=settings.keep_sites,
        )

    @property
    def warehouse_path(self) -> Path:
        """The live warehouse file analysts open."""
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

    def build_path(self, run_id: str) -> Path:
        """The file this run builds into (build_file.start_build makes it)."""
        return build_file.build_path(self.warehouse_path, run_id)

    def as_of(self) -> str:
        """The embargo date of a load: publish_as_of, else today's date in England."""
        return embargo_date(self.publish_as_of or None)

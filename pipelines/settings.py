"""Settings for NI Warehouse, read once from NIW_* environment variables (contract §4).

Relative paths are taken from the repository root, never from the current directory, so the
pipeline behaves the same from `make run`, `dagster dev`, tests and cron.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def embargo_date(publish_as_of: str | None) -> str:
    """A load's embargo date, YYYY-MM-DD: publish_as_of (NIW_PUBLISH_AS_OF), else today in
    England. A publish_as_of that is not a date raises ValueError. The time zone database
    comes from the `tzdata` package where the system has none."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    if publish_as_of:
        return date.fromisoformat(publish_as_of).isoformat()
    return datetime.now(ZoneInfo("Europe/London")).date().isoformat()


def _path_from_env(name: str, default: str) -> Path:
    raw = os.environ.get(name) or default
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


@dataclass(frozen=True)
class Settings:
    """Where returns land, the warehouse lives, quality reports go and releases are published."""

    raw_dir: Path
    warehouse: Path
    publish_dir: Path
    seeds_dir: Path
    quality_dir: Path
    # The embargo date (YYYY-MM-DD) releases are judged on; None means today in England.
    publish_as_of: str | None = None
    # How many earlier warehouse files `niw rollback` can go back to.
    keep_generations: int = 5
    # How many of the newest releases keep their site; older sites are pruned (0: never).
    keep_sites: int = 3

    @classmethod
    def defaults(cls) -> Settings:
        """The settings with no NIW_* variable set (the embedded default deployment)."""
        return cls(
            raw_dir=REPO_ROOT / "data" / "raw",
            warehouse=REPO_ROOT / "data" / "warehouse" / "ni.duckdb",
            publish_dir=REPO_ROOT / "data" / "published",
            seeds_dir=REPO_ROOT / "data" / "seeds",
            quality_dir=REPO_ROOT / "data" / "quality",
        )

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            raw_dir=_path_from_env("NIW_RAW_DIR", "data/raw"),
            warehouse=_path_from_env("NIW_WAREHOUSE", "data/warehouse/ni.duckdb"),
            publish_dir=_path_from_env("NIW_PUBLISH_DIR", "data/published"),
            # Tests only: dbt always seeds from data/seeds (its seed-paths must stay relative).
            seeds_dir=_path_from_env("NIW_SEEDS_DIR", "data/seeds"),
            # Great Expectations validation results and Data Docs of every load.
            quality_dir=_path_from_env("NIW_QUALITY_DIR", "data/quality"),
            publish_as_of=os.environ.get("NIW_PUBLISH_AS_OF") or None,
            keep_generations=int(os.environ.get("NIW_KEEP_GENERATIONS") or 5),
            keep_sites=int(os.environ.get("NIW_KEEP_SITES") or 3),
        )

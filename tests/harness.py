"""The one harness for end-to-end tests: the real nightly_load job over a temporary folder.

`NightlyLoad(root)` lays out, under `root`, what a deployment has: `raw/` (the returns a test
writes), `warehouse/ni.duckdb` (the live warehouse), `published/` (releases) and `quality/`
(Great Expectations results and Data Docs). `run()` runs the real Dagster job in this process
on an ephemeral instance and returns its result; `query()` reads the live warehouse as an
analyst would. Tests get one through the fixtures in conftest.py (`make_nightly_load` for
loads shared by a module, `nightly_load` for a test's own), which also mark them `e2e`.

This is a module of its own, not conftest.py, so tests can import the class for their type
hints (conftest.py is not meant to be imported).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.demo.summary import DemoSummary
from pipelines.settings import REPO_ROOT, Settings

if TYPE_CHECKING:  # dagster is imported where a job runs: `make test-fast` never pays for it
    import dagster as dg

    from pipelines.resources import WarehouseResource

SEEDS = REPO_ROOT / "data" / "seeds"


class NightlyLoad:
    """A raw folder, a live warehouse, a publish folder and a quality folder under one root."""

    def __init__(self, root: Path, *, seeds: Path = SEEDS, as_of: str = "") -> None:
        self.root = root
        self.raw = root / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.warehouse = root / "warehouse" / "ni.duckdb"
        self.published = root / "published"
        self.quality = root / "quality"
        self.seeds = seeds
        self.as_of = as_of  # the embargo date; empty means today in England, as in production

    @property
    def resource(self) -> WarehouseResource:
        from pipelines.resources import WarehouseResource

        return WarehouseResource.from_settings(self.settings())

    def write(self, relative: str, text: str) -> Path:
        """A return file under raw/, its folders made as needed."""
        path = self.raw / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def run(self) -> dg.ExecuteInProcessResult:
        """The real nightly_load job, in process; a failed run is returned, not raised."""
        # imported here: dagster and dagster-dbt cost ~6 s, which `make test-fast` need not pay
        import dagster as dg

        from pipelines.definitions import build_definitions

        job = build_definitions(self.resource).resolve_job_def("nightly_load")
        return job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)

    def query(self, sql: str, *params) -> list[tuple]:
        """Rows from the live warehouse, through a read-only connection of its own."""
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()

    def latest(self) -> Path:
        """The release folder published/latest points at."""
        return (self.published / "latest").resolve()

    def sha256(self) -> str:
        """The live warehouse file's bytes, to show a load left it alone."""
        return hashlib.sha256(self.warehouse.read_bytes()).hexdigest()

    def copy(self, root: Path) -> NightlyLoad:
        """The same deployment copied to `root` (links kept), for a test that changes it."""
        shutil.copytree(self.root, root, symlinks=True)
        return NightlyLoad(root, seeds=self.seeds, as_of=self.as_of)

    def with_seeds(self, seeds: Path) -> NightlyLoad:
        """This deployment's folders, read with other reference data (e.g. broken seeds)."""
        return NightlyLoad(self.root, seeds=seeds, as_of=self.as_of)

    def settings(self) -> Settings:
        """The settings `niw` would read for this deployment (for in-process CLI calls)."""
        return Settings(
            raw_dir=self.raw,
            warehouse=self.warehouse,
            publish_dir=self.published,
            seeds_dir=self.seeds,
            quality_dir=self.quality,
            publish_as_of=self.as_of or None,
        )

    def niw(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """`niw ARGS` in a process of its own, as a data team runs it, on this deployment."""
        return subprocess.run(
            [sys.executable, "-m", "pipelines.cli", *args],
            env={**os.environ, **self.env()},
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def env(self) -> dict[str, str]:
        """The NIW_* variables (and DAGSTER_HOME) that point `niw` at this deployment."""
        env = {
            "NIW_RAW_DIR": str(self.raw),
            "NIW_WAREHOUSE": str(self.warehouse),
            "NIW_PUBLISH_DIR": str(self.published),
            "NIW_QUALITY_DIR": str(self.quality),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
        }
        if self.seeds != SEEDS:  # a test knob only: users never set it (settings.py)
            env["NIW_SEEDS_DIR"] = str(self.seeds)
        if self.as_of:
            env["NIW_PUBLISH_AS_OF"] = self.as_of
        return env


@dataclass(frozen=True)
class DemoLoad:
    """A deployment that loaded the demo return set, and what the generator says it wrote."""

    load: NightlyLoad
    summary: DemoSummary
    extra_files: dict[str, int]  # files written beside the demo's: path -> data rows

"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and audit tables."""

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ..resources import WarehouseResource
from ..settings import DBT_PROJECT_DIR, REPO_ROOT, Settings

# dbt is installed beside this interpreter; make it findable even when the venv is not activated.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
# profiles.yml reads the build file's path from here; parsing needs a value too.
os.environ.setdefault("NIW_DBT_DATABASE", str(Settings.from_env().build_warehouse))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)


def _newest_source_mtime() -> float:
    sources = [DBT_PROJECT_DIR / name for name in ("models", "macros", "tests", "seeds")]
    sources.append(REPO_ROOT / "data" / "seeds")
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in sources:
        if folder.is_dir():
            files.extend(p for p in folder.rglob("*") if p.is_file())
    return max(p.stat().st_mtime for p in files if p.exists())


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than the project files.

    `dagster dev` does this through prepare_if_dev; `make run`, tests and CI come here, so a
    fresh clone never needs a manual `dbt parse`.
    """
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        dbt_project.preparer.prepare(dbt_project)
    return manifest


dbt_project.prepare_if_dev()
ensure_manifest()


class WarehouseTranslator(DagsterDbtTranslator):
    """Groups assets by dbt folder (staging, intermediate, marts, audit) and seeds as reference."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "warehouse"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
)
def warehouse_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """`dbt build` (seeds, models, tests) into this run's build file, on today's embargo date."""
    os.environ["NIW_DBT_DATABASE"] = str(warehouse.build_path(context.run.run_id))
    as_of = json.dumps({"publish_as_of": warehouse.as_of()})
    yield from dbt.cli(["build", "--vars", as_of], context=context).stream()

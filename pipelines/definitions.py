"""The one Dagster code location: assets, checks, job, schedule, sensor and resources."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from .ingest.assets import ingest_returns
from .quality.checks import QUALITY_CHECKS
from .resources import WarehouseResource
from .sensors import build_automation
from .warehouse.dbt import dbt_project, warehouse_dbt_assets
from .warehouse.go_live import published_warehouse

nightly_load = dg.define_asset_job(
    name="nightly_load",
    selection=dg.AssetSelection.all(),
    description=(
        "Ingest new returns, check them, build the warehouse with dbt, check it, and publish "
        "it only if every blocking check passed."
    ),
)
nightly_load_schedule, new_returns_sensor = build_automation(nightly_load)


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    """Definitions bound to a warehouse (the NIW_* settings unless one is given)."""
    return dg.Definitions(
        assets=[ingest_returns, warehouse_dbt_assets, published_warehouse],
        asset_checks=QUALITY_CHECKS,
        jobs=[nightly_load],
        schedules=[nightly_load_schedule],
        sensors=[new_returns_sensor],
        resources={
            "warehouse": warehouse or WarehouseResource.from_settings(),
            "dbt": DbtCliResource(project_dir=dbt_project),
        },
    )


defs = build_definitions()

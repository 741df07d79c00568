"""The one Dagster code location: assets, checks, job, schedule, sensor and resources.

Importing this module does nothing; Dagster's tools call `defs()` (marked @dg.definitions),
and tests and `niw run` call `build_definitions()` with their own warehouse settings.
"""

import dagster as dg

from .ingest.assets import ingest_returns
from .quality.checks import build_quality_checks
from .resources import WarehouseResource
from .sensors import build_automation
from .warehouse.dbt import build_dbt_assets
from .warehouse.go_live import build_go_live

nightly_load = dg.define_asset_job(
    name="nightly_load",
    selection=dg.AssetSelection.all(),
    # A national load takes minutes; run monitoring fails a run that hangs far beyond that.
    tags={"dagster/max_runtime": 3600},
    # Every step in the run's one process (also under `dagster dev`): Great Expectations is
    # imported once a load, not once per check step, and dbt's parse is made once.
    executor_def=dg.in_process_executor,
    description=(
        "Ingest new returns, check them, build the warehouse with dbt, check it, and go live "
        "(release, then swap in the warehouse) only if every blocking check passed."
    ),
)


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    """Definitions bound to a warehouse (the NIW_* settings unless one is given)."""
    dbt_assets = build_dbt_assets()
    schedule, sensor = build_automation(nightly_load)
    return dg.Definitions(
        assets=[ingest_returns, dbt_assets, build_go_live(dbt_assets)],
        asset_checks=build_quality_checks(),
        jobs=[nightly_load],
        schedules=[schedule],
        sensors=[sensor],
        resources={"warehouse": warehouse or WarehouseResource.from_settings()},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()

"""The last step of a load: swap the checked build file in as the published warehouse."""

import dagster as dg
import duckdb

from ..resources import WarehouseResource
from .dbt import warehouse_dbt_assets


@dg.asset(
    key=["warehouse", "ni_duckdb"],
    deps=list(warehouse_dbt_assets.keys),
    group_name="publish",
    kinds={"duckdb"},
    description="The published warehouse file (NIW_WAREHOUSE) analysts open read-only.",
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Runs only when ingestion and every dbt model and test succeeded in this run."""
    path = warehouse.publish_build(context.run.run_id)
    with duckdb.connect(str(path), read_only=True) as con:
        current_values, load_id = con.execute(
            "select (select count(*) from marts.fct_indicator_values), "
            "(select max_by(load_id, load_seq) from audit.loads)"
        ).fetchone()
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": path.stat().st_size,
            "current_values": current_values,
            "load_id": load_id,
        }
    )

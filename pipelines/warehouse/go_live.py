"""The last step of a load: release the checked build, then swap it in as the warehouse.

Order matters (docs/publication.md): the release is staged and verified from the build file
first; only then is the warehouse swapped (keeping the old file as a generation) and the
release renamed into place with `latest` moved to it. A failure at any step before the swap
leaves the published warehouse and the latest release exactly as they were.
"""

import dagster as dg
import duckdb

from ..release.release import stage_release
from ..resources import WarehouseResource
from .dbt import warehouse_dbt_assets


@dg.asset(
    key=["warehouse", "ni_duckdb"],
    deps=list(warehouse_dbt_assets.keys),
    group_name="publish",
    kinds={"duckdb", "parquet"},
    description=(
        "The published warehouse file (NIW_WAREHOUSE) analysts open read-only, and the CAA "
        "release under NIW_PUBLISH_DIR that `latest` points to."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Runs only when ingestion, every dbt model and test, and every blocking check passed."""
    run_id = context.run.run_id
    build = warehouse.checkpoint_build(run_id)
    staged = stage_release(build, warehouse.publish_path, progress=context.log.info)
    try:
        path = warehouse.publish_build(run_id)
    except BaseException:
        staged.discard()
        raise
    release = staged.commit()
    with duckdb.connect(str(path), read_only=True) as con:
        current_values, load_id = con.execute(
            "select (select count(*) from marts.fct_indicator_values), "
            "(select max_by(load_id, load_seq) from audit.loads)"
        ).fetchone()
    tables = staged.manifest["tables"]
    changes = staged.manifest["changes"]
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": path.stat().st_size,
            "current_values": current_values,
            "load_id": load_id,
            "release": dg.MetadataValue.path(str(release)),
            "release_id": release.name,
            "release_unchanged": staged.unchanged_from is not None,
            "as_of": staged.manifest["as_of"],
            "released_values": tables["fct_indicator_values"]["rows"],
            "changes": f"{changes['new']} new, {changes['revised']} revised, "
            f"{changes['withdrawn']} withdrawn",
            "site": dg.MetadataValue.path(str(release / "site" / "index.html")),
        }
    )

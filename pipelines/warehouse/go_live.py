"""The last step of a load: release the checked build, then swap it in as the live warehouse.

Order matters (docs/publication.md): the release is staged and verified from the build file
first; only then is the warehouse swapped (keeping the old file as a generation) and the
release renamed into place with `latest` moved to it. A failure at any step before the swap
leaves the live warehouse and the latest release exactly as they were.
"""

import dagster as dg
import duckdb

from ..ingest.ledger import last_load
from ..release.release import stage_release
from ..release.retention import prune_sites
from ..resources import WarehouseResource
from .build_file import checkpoint_build, swap_in


def build_go_live(dbt_assets: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The go-live asset, downstream of every dbt asset."""
    return dg.asset(
        key=["warehouse", "live"],
        deps=list(dbt_assets.keys),
        group_name="release",
        kinds={"duckdb", "parquet"},
        description=(
            "Goes live: makes the CAA release under NIW_PUBLISH_DIR (that `latest` points to) from "
            "the checked build, and swaps the build in as the live warehouse file (NIW_WAREHOUSE) "
            "analysts open read-only."
        ),
    )(go_live)


def go_live(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Runs only when ingestion, every dbt model and test, and every blocking check passed."""
    run_id = context.run.run_id
    build = checkpoint_build(warehouse.warehouse_path, run_id)
    staged = stage_release(build, warehouse.publish_path, progress=context.log.info)
    try:
        path = swap_in(warehouse.warehouse_path, run_id, warehouse.keep_generations)
    except BaseException:
        staged.discard()
        raise
    release = staged.commit()
    if warehouse.keep_sites > 0:  # the retention rule: old sites go, their data stays
        for pruned in prune_sites(warehouse.publish_path, warehouse.keep_sites):
            context.log.info(
                f"retention: pruned the site of {pruned.release} ({pruned.bytes / 2**20:,.1f} MB)"
            )
    with duckdb.connect(str(path), read_only=True) as con:
        load_id = last_load(con).load_id
        current_values = con.execute("select count(*) from marts.fct_indicator_values").fetchone()
    tables = staged.manifest["tables"]
    changes = staged.manifest["changes"]
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": path.stat().st_size,
            "current_values": current_values[0],
            "load_id": load_id,
            "release": dg.MetadataValue.path(str(release)),
            "release_id": release.name,
            "release_unchanged": staged.unchanged_from is not None,
            "as_of": staged.manifest["as_of"],
            "released_values": tables["fct_indicator_values"]["rows"],
            "changes": f"{changes['new']} new, {changes['revised']} revised, "
            f"{changes['restated']} restated, "
            f"{changes['withdrawn']} withdrawn",
            "site": dg.MetadataValue.path(str(release / "site" / "index.html")),
        }
    )

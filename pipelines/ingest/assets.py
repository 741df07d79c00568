"""The ingest step of the nightly load as a Dagster multi-asset over the ledger tables."""

from pathlib import Path

import dagster as dg
import duckdb

from ..resources import WarehouseResource
from ..warehouse.build_file import refuse_if_another_load, start_build
from ..warehouse.quiet_night import project_digest
from .ledger import record_load_settings
from .load import run_ingest

LEDGER_TABLES = {
    "loads": "One row per load: when it ran, what it took up, rows accepted and rejected.",
    "load_files": "One row per file a load took up, with its outcome and row accounting.",
    "rejected_rows": "Every rejected row with file, line, the row as read, reason and message.",
    "accepted_values": "Every accepted row (one version of each value), in version order.",
    "load_settings": "What each load ran with: its embargo date and the project's digest.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["ingest", table], description=text, group_name="ingest", kinds={"duckdb"})
        for table, text in LEDGER_TABLES.items()
    ],
    can_subset=False,
)
def ingest_returns(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Take up new return files under NIW_RAW_DIR into this run's build warehouse."""
    refuse_if_another_load(warehouse.warehouse_path)  # a Dagster run beside a `niw run`
    build = start_build(warehouse.warehouse_path, context.run.run_id)
    with duckdb.connect(str(build)) as con:
        result = run_ingest(
            con, Path(warehouse.raw_dir), Path(warehouse.seeds_dir), progress=context.log.info
        )
        # the embargo date the dbt models publish on, and what the build is made from
        as_of, digest = warehouse.as_of(), project_digest(Path(warehouse.seeds_dir))
        record_load_settings(con, result.load_id, result.load_seq, as_of, digest)
    common = {
        "load_id": result.load_id,
        "build_file": dg.MetadataValue.path(str(build)),
    }
    yield dg.MaterializeResult(
        asset_key=["ingest", "load_files"],
        metadata={
            **common,
            "files_taken_up": len(result.files),
            "files_loaded": result.count("LOADED"),
            "files_already_loaded": result.count("ALREADY_LOADED"),
            "files_rejected": result.count("REJECTED"),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "rejected_rows"],
        metadata={
            **common,
            "rows_rejected": result.rows_rejected,
            **{f"rejected_{reason}": n for reason, n in result.rejected_by_reason.items()},
        },
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "accepted_values"],
        metadata={**common, "rows_accepted": result.rows_accepted},
    )
    yield dg.MaterializeResult(asset_key=["ingest", "loads"], metadata=common)
    yield dg.MaterializeResult(
        asset_key=["ingest", "load_settings"],
        metadata={**common, "publish_as_of": as_of, "project_digest": digest},
    )

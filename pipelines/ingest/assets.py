"""The ingest step of the nightly load as a Dagster multi-asset over the ledger tables."""

from pathlib import Path

import dagster as dg
import duckdb

from ..feeds.load import feed_store, referenced_load_ids
from ..resources import WarehouseResource
from ..warehouse.build_file import generations_dir, refuse_if_another_load, start_build
from ..warehouse.quiet_night import project_digest
from .ledger import record_load_settings
from .load import run_ingest

LEDGER_TABLES = {
    "loads": "One row per load: when it ran, what it took up, rows accepted and rejected.",
    "load_files": "One row per file a load took up, with its outcome and row accounting.",
    "rejected_rows": "Every rejected row with file, line, the row as read, reason and message.",
    "accepted_values": "Every accepted row (one version of each value), in version order.",
    "load_settings": "What each load ran with: its embargo date and the project's digest.",
    "feed_files": "One row per WPLS feed file a load took up, with its outcome and counts.",
    "feed_rejected_rows": "Every rejected feed row with file, line, the row as read, reason.",
    "feed_stored": "The Parquet files (beside the warehouse) holding the accepted feed rows.",
    "feed_lsoa_rates": "Each LSOA's out-of-work rate per quarter, a version per quarter derived.",
    "feed_neighbourhoods": "NI 153's qualifying LSOAs, a version each time the baseline moved.",
    "derived_values": "NI 152 and NI 153 versions derived from the feed, tagged with its file.",
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
    live = warehouse.warehouse_path
    build = start_build(live, context.run.run_id)
    kept = referenced_load_ids(generations_dir(live).glob(f"{live.stem}.*{live.suffix}"))
    with duckdb.connect(str(build)) as con:
        result = run_ingest(
            con,
            Path(warehouse.raw_dir),
            Path(warehouse.seeds_dir),
            feed_store=feed_store(live),
            keep_feed_loads=kept,
            progress=context.log.info,
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
    feeds = result.feeds
    yield dg.MaterializeResult(
        asset_key=["ingest", "feed_files"],
        metadata={
            **common,
            "feed_files_taken_up": len(feeds.files),
            "feed_rows_accepted": feeds.rows_accepted,
            "summary": feeds.describe(),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "feed_rejected_rows"],
        metadata={**common, "feed_rows_rejected": feeds.rows_rejected},
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "feed_stored"],
        metadata={**common, "store": dg.MetadataValue.path(str(feed_store(live)))},
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "feed_lsoa_rates"],
        metadata={**common, "quarters_derived": len(feeds.quarters_derived)},
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "feed_neighbourhoods"],
        metadata={
            **common,
            "moved": feeds.neighbourhoods_changed,
            "qualifying_neighbourhoods": feeds.qualifying,
        },
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "derived_values"],
        metadata={
            **common,
            "quarters_derived": len(feeds.quarters_derived),
            "versions_appended": feeds.versions,
            "qualifying_neighbourhoods": feeds.qualifying,
        },
    )
    yield dg.MaterializeResult(
        asset_key=["ingest", "load_settings"],
        metadata={**common, "publish_as_of": as_of, "project_digest": digest},
    )

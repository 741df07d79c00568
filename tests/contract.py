"""The warehouse tables docs/contract.md §2 promises analysts, named once for every test.

The views `marts.area_return_quality`, `marts.lsoa_quarter_rates` and `audit.quality_warnings`
are in the contract too, but are not tables, so they are not listed here.
"""

from __future__ import annotations

CONTRACT_TABLES = (
    "marts.dim_indicator",
    "marts.dim_area",
    "marts.dim_period",
    "marts.dim_maa",
    "marts.bridge_maa_area",
    "marts.fct_indicator_values",
    "marts.fct_indicator_value_history",
    "marts.fct_group_values",
    "marts.fct_laa_target_progress",
    "marts.caa_area_performance",
    "marts.caa_flag_candidates",
    "marts.dim_comparator_group",
    "marts.bridge_comparator_area",
    "marts.ni153_neighbourhoods",
    "marts.ni153_area_neighbourhoods",
    "audit.load_files",
    "audit.rejected_rows",
    "audit.loads",
    "audit.feed_files",
    "audit.feed_rejected_rows",
)


def asset_key(table: str) -> str:
    """'marts.dim_area' -> 'marts/dim_area', the table's Dagster asset key."""
    return table.replace(".", "/")

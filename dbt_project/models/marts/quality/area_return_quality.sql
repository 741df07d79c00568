-- What the central data team needs to chase missing and faulty returns: one row per area and
-- period, for every area that existed in the period and every period in which at least one
-- area has a current value. Indicators expected are the live ones of the period's type.
-- Rejected rows, files and warnings are attributed by the area and period validation parsed
-- (ingest.rejected_rows.area_code / period_id); a row with an unknown area or a period that
-- could not be read has neither and is not counted here (it stays in audit.rejected_rows), nor
-- is a whole-file rejection, which has no rows.
--
-- A view, not a table: the quality checks append their warnings to quality.warnings after
-- `dbt build` has run (and before the file is published), so a table would count the warnings
-- of every load but the last.
{{ config(materialized='view') }}

with area_periods as (
    select * from {{ ref('int_area_periods') }}
),

current_values as (
    select * from {{ ref('fct_indicator_values') }}
),

live_indicators as (
    select * from {{ ref('dim_indicator') }}
    where is_live
),

areas as (
    select * from {{ ref('dim_area') }}
),

accepted_values as (
    select * from {{ ref('stg_ingest__accepted_values') }}
),

rejected_rows as (
    select * from {{ ref('stg_ingest__rejected_rows') }}
    where area_code is not null
        and period_id is not null
),

load_files as (
    select * from {{ ref('stg_ingest__load_files') }}
),

warnings as (
    select * from {{ ref('stg_quality__warnings') }}
    where area_code is not null
        and period_id is not null
),

reported_periods as (
    select distinct period_id
    from current_values
),

chased_area_periods as (
    select
        area_periods.area_code,
        area_periods.period_id,
        area_periods.period_type
    from area_periods
    inner join reported_periods
        on area_periods.period_id = reported_periods.period_id
),

expected_values as (
    select
        chased_area_periods.area_code,
        chased_area_periods.period_id,
        live_indicators.ni_code,
        live_indicators.ni_number,
        current_values.ni_code is not null as is_received
    from chased_area_periods
    inner join live_indicators
        on chased_area_periods.period_type = live_indicators.period_type
    left join current_values
        on chased_area_periods.area_code = current_values.area_code
        and chased_area_periods.period_id = current_values.period_id
        and live_indicators.ni_code = current_values.ni_code
),

indicator_counts as (
    select
        area_code,
        period_id,
        count(*) as indicators_expected,
        count(*) filter (where is_received) as indicators_received,
        -- DuckDB-only: a list (varchar[]) rather than one row per missing indicator, so the
        -- mart keeps one row per area and period and "who has not sent NI 117?" is
        -- list_contains(missing_ni_codes, 'NI 117'). Sorted by indicator number, not as text.
        list(ni_code order by ni_number) filter (where not is_received) as missing_ni_codes
    from expected_values
    group by
        area_code,
        period_id
),

rejections_by_reason as (
    select
        area_code,
        period_id,
        reason_code,
        count(*) as rejected_rows
    from rejected_rows
    group by
        area_code,
        period_id,
        reason_code
),

rejection_counts as (
    select
        area_code,
        period_id,
        sum(rejected_rows) as rows_rejected,
        -- DuckDB-only: a MAP(reason_code -> rows) keeps one row per area and period and reads
        -- as {'OUT_OF_RANGE': 2, 'BAD_NUMBER': 1}; rejected_by_reason['BAD_NUMBER'] picks one.
        map(
            list(reason_code order by reason_code),
            list(rejected_rows order by reason_code)
        ) as rejected_by_reason
    from rejections_by_reason
    group by
        area_code,
        period_id
),

-- every file (a load's path) that had a row, accepted or rejected, for an area and period
file_rows as (
    select
        load_id,
        source_file as path,
        area_code,
        period_id
    from accepted_values
    union
    select
        load_id,
        path,
        area_code,
        period_id
    from rejected_rows
),

submitted_files as (
    select
        file_rows.area_code,
        file_rows.period_id,
        load_files.path,
        load_files.sha256,
        max(load_files.rows_accepted) = 0 as is_fully_rejected,
        max(load_files.loaded_at) as loaded_at
    from file_rows
    inner join load_files
        on file_rows.load_id = load_files.load_id
        and file_rows.path = load_files.path
    group by
        file_rows.area_code,
        file_rows.period_id,
        load_files.path,
        load_files.sha256
),

file_counts as (
    select
        area_code,
        period_id,
        count(*) as files_received,
        count(*) filter (where is_fully_rejected) as files_fully_rejected,
        max(loaded_at) as last_submission_at
    from submitted_files
    group by
        area_code,
        period_id
),

distinct_warnings as (
    select distinct
        area_code,
        period_id,
        suite,
        rule,
        ni_code,
        path
    from warnings
),

warning_counts as (
    select
        area_code,
        period_id,
        count(*) as warnings_raised
    from distinct_warnings
    group by
        area_code,
        period_id
)

select
    chased_area_periods.area_code,
    areas.area_name,
    areas.region,
    chased_area_periods.period_id,
    chased_area_periods.period_type,
    cast(coalesce(indicator_counts.indicators_expected, 0) as integer) as indicators_expected,
    cast(coalesce(indicator_counts.indicators_received, 0) as integer) as indicators_received,
    cast(
        coalesce(indicator_counts.indicators_expected, 0)
        - coalesce(indicator_counts.indicators_received, 0)
        as integer
    ) as indicators_missing,
    coalesce(indicator_counts.missing_ni_codes, cast([] as varchar[])) as missing_ni_codes,
    cast(coalesce(rejection_counts.rows_rejected, 0) as bigint) as rows_rejected,
    coalesce(
        -- the duckdb dialect reads the type map(...) as the map keyword: not a spacing issue
        rejection_counts.rejected_by_reason, cast(map() as map(varchar, bigint))  -- noqa: LT01
    ) as rejected_by_reason,
    cast(coalesce(file_counts.files_received, 0) as integer) as files_received,
    cast(coalesce(file_counts.files_fully_rejected, 0) as integer) as files_fully_rejected,
    cast(coalesce(warning_counts.warnings_raised, 0) as integer) as warnings_raised,
    file_counts.last_submission_at
from chased_area_periods
left join areas
    on chased_area_periods.area_code = areas.area_code
left join indicator_counts
    on chased_area_periods.area_code = indicator_counts.area_code
    and chased_area_periods.period_id = indicator_counts.period_id
left join rejection_counts
    on chased_area_periods.area_code = rejection_counts.area_code
    and chased_area_periods.period_id = rejection_counts.period_id
left join file_counts
    on chased_area_periods.area_code = file_counts.area_code
    and chased_area_periods.period_id = file_counts.period_id
left join warning_counts
    on chased_area_periods.area_code = warning_counts.area_code
    and chased_area_periods.period_id = warning_counts.period_id

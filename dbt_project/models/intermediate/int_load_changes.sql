-- The indicators whose figures this build recomputes (docs/architecture.md, "What a load
-- recomputes"). The incremental models (int_group_values, int_values__intervals,
-- int_values__recent_trend, int_group_values__judged, int_area_performance) delete and rebuild
-- the rows of these indicators only; every other indicator's rows stay as the last build
-- left them. Every figure those models hold is computed within one indicator (ranks, groups,
-- trends, directions of travel, latest-period flags, targets), except through the
-- statistical neighbours, which every indicator's neighbour figures depend on.
-- One row per indicator to recompute, with why:
--   first build                 no earlier build recorded in ingest.load_settings
--   embargo date set            a bare `dbt build` with the publish_as_of var
--   embargo date passed         a publication date lies between the embargo date of the build
--                               before and this one's: whole periods enter the publishable scope
--   neighbour baseline changed  a contextual indicator's value changed in a baseline year, so
--                               the neighbour groups of every indicator may move
--   values changed              the indicator has a key whose new version differs, in anything
--                               but its lineage, from the key's current version or its latest
--                               final version before this load (a resubmitted return that
--                               repeats its figures recomputes nothing)
-- A change of the dbt project or the seeds makes the load run dbt with --full-refresh
-- (pipelines/warehouse/dbt.py), which rebuilds every incremental model whole.
with versions as (
    select * from {{ ref('int_values__versioned') }}
),

load_settings as (
    select * from {{ source('ingest', 'load_settings') }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

publication_dates as (
    select * from {{ ref('stg_reference__publication_dates') }}
),

contextual_variables as (
    select * from {{ ref('int_comparator_variables') }}
),

areas as (
    select * from {{ ref('stg_reference__areas') }}
),

this_build as (
    select
        load_seq,
        publish_as_of
    from load_settings
    order by load_seq desc
    limit 1
),

build_before as (
    select
        load_settings.load_seq,
        load_settings.publish_as_of
    from load_settings
    inner join this_build
        on load_settings.load_seq < this_build.load_seq
    order by load_settings.load_seq desc
    limit 1
),

-- The baseline years of int_comparator_baseline (macros/comparator_baseline_year.sql).
baseline_years as (
    select distinct
        {{ comparator_baseline_year('valid_from_period') }} as financial_year
    from areas
),

old_versions as (
    select versions.*
    from versions
    inner join build_before
        on versions.load_seq <= build_before.load_seq
),

new_versions as (
    select versions.*
    from versions
    left join build_before
        on versions.load_seq <= build_before.load_seq
    where build_before.load_seq is null
),

-- Each key's current and latest final version before this load, by the ledger's version
-- order (int_values__versioned numbers every version of a key in that order).
old_numbered as (
    select
        *,
        max(version_number) over by_key as last_version,
        max(case when status = 'final' then version_number end) over by_key
            as last_final_version
    from old_versions
    window by_key as (partition by area_code, ni_code, period_id)
),

old_current as (
    select * from old_numbered
    where version_number = last_version
),

old_final as (
    select * from old_numbered
    where version_number = last_final_version
),

changed_keys as (
    select distinct
        new_versions.ni_code,
        new_versions.period_id
    from new_versions
    left join old_current
        on new_versions.area_code = old_current.area_code
        and new_versions.ni_code = old_current.ni_code
        and new_versions.period_id = old_current.period_id
    left join old_final
        on new_versions.area_code = old_final.area_code
        and new_versions.ni_code = old_final.ni_code
        and new_versions.period_id = old_final.period_id
    where
        {{ content_differs('new_versions', 'old_current') }}
        or {{ content_differs('new_versions', 'old_final') }}
),

-- Publication dates on one side of the embargo date before and on the other side now.
embargo_moves as (
    select count(*) as periods
    from publication_dates
    cross join build_before
    cross join this_build
    where (publication_dates.publication_date <= build_before.publish_as_of)
        <> (publication_dates.publication_date <= this_build.publish_as_of)
),

baseline_changes as (
    select count(*) as keys_changed
    from changed_keys
    inner join contextual_variables
        on changed_keys.ni_code = contextual_variables.ni_code
    inner join periods
        on changed_keys.period_id = periods.period_id
    inner join baseline_years
        on periods.financial_year = baseline_years.financial_year
),

first_build as (
    select count(*) = 0 as is_first
    from build_before
),

reasons as (
    select
        indicators.ni_code,
        'first build' as reason
    from indicators
    cross join first_build
    where first_build.is_first

    union all

    select
        indicators.ni_code,
        'embargo date set' as reason
    from indicators
    where {{ 'true' if var('publish_as_of', none) is not none else 'false' }}

    union all

    select
        indicators.ni_code,
        'embargo date passed' as reason
    from indicators
    cross join embargo_moves
    where embargo_moves.periods > 0

    union all

    select
        indicators.ni_code,
        'neighbour baseline changed' as reason
    from indicators
    cross join baseline_changes
    where baseline_changes.keys_changed > 0

    union all

    select distinct
        changed_keys.ni_code,
        'values changed' as reason
    from changed_keys
)

select
    ni_code,
    min(reason) as reason
from reasons
group by ni_code

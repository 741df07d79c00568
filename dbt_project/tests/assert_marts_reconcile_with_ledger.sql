-- Reconciliation: every accepted ledger row (of returns, and derived from the feed) is one
-- version in the history, and every key's current value in fct_indicator_values is its last
-- version there. Returns the disagreements.
with ledger as (
    select
        (select count(*) from {{ source('ingest', 'accepted_values') }})
        + (select count(*) from {{ source('ingest', 'derived_values') }}) as accepted_rows
),

history as (
    select
        count(*) as versions,
        count(*) filter (where is_current) as current_versions
    from {{ ref('fct_indicator_value_history') }}
),

current_values as (
    select count(*) as current_values
    from {{ ref('fct_indicator_values') }}
),

last_versions as (
    select
        area_code,
        ni_code,
        period_id,
        max(version_number) as version_number
    from {{ ref('fct_indicator_value_history') }}
    group by area_code, ni_code, period_id
),

mismatched_current as (
    select count(*) as mismatches
    from last_versions
    inner join {{ ref('fct_indicator_value_history') }} as history
        on last_versions.area_code = history.area_code
        and last_versions.ni_code = history.ni_code
        and last_versions.period_id = history.period_id
        and last_versions.version_number = history.version_number
    left join {{ ref('fct_indicator_values') }} as current_values
        on history.area_code = current_values.area_code
        and history.ni_code = current_values.ni_code
        and history.period_id = current_values.period_id
    where not history.is_current
        or current_values.value is distinct from history.value
        or current_values.source_file is distinct from history.source_file
        or current_values.revision_count <> history.version_number - 1
)

select
    ledger.accepted_rows,
    history.versions,
    history.current_versions,
    current_values.current_values,
    mismatched_current.mismatches
from ledger
cross join history
cross join current_values
cross join mismatched_current
where ledger.accepted_rows <> history.versions
    or history.current_versions <> current_values.current_values
    or mismatched_current.mismatches > 0

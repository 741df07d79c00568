-- LAA targets of published periods, judged against the publishable values only: a target is
-- released with its period, and stays no_data until a final value for it is released.
{{ config(alias='fct_laa_target_progress') }}

with progress as (
    {{ laa_target_progress(ref('int_values__publishable')) }}
),

embargo as (
    select * from {{ ref('pub_embargo') }}
)

select
    progress.area_code,
    progress.ni_code,
    progress.period_id,
    progress.designated,
    progress.statutory,
    progress.target_value,
    progress.actual_value,
    progress.status,
    progress.polarity,
    progress.target_period,
    progress.baseline_period,
    progress.baseline_value,
    progress.is_illustrative
from progress
inner join embargo
    on progress.period_id = embargo.period_id
    and embargo.is_published

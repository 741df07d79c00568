-- LAA targets of published periods, judged against the publishable values only: a target is
-- released with its period, and stays no_data until a final value for it is released. The
-- rules: models/intermediate/int_laa_target_progress.sql (scope publishable).
{{ config(alias='fct_laa_target_progress') }}

with target_progress as (
    select * from {{ ref('int_laa_target_progress') }}
    where scope = 'publishable'
)

select
    area_code,
    ni_code,
    period_id,
    designated,
    statutory,
    target_value,
    actual_value,
    status,
    polarity,
    target_period,
    baseline_period,
    baseline_value,
    is_illustrative,
    target_period_id,
    baseline_period_id,
    trajectory_value
from target_progress

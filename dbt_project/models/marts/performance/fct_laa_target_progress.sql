-- LAA targets judged against the current values; the rules:
-- models/intermediate/int_laa_target_progress.sql (scope current).
with target_progress as (
    select * from {{ ref('int_laa_target_progress') }}
    where scope = 'current'
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

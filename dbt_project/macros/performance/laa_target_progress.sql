-- Each LAA target next to the current value for its area, indicator and period, judged with
-- the indicator's polarity: met when the actual is equal to or better than the target
-- (higher_is_better: actual >= target; lower_is_better: actual <= target; neither: actual =
-- target), not_met otherwise, no_data when there is no value. The difference is rounded to
-- 9 decimal places so float noise in a derived value (29 / 100 × 100 = 28.999999999999996)
-- cannot decide it.
{% macro laa_target_progress(area_values) %}
with targets as (
    select * from {{ ref('int_laa_targets__periods') }}
),

current_values as (
    select * from {{ area_values }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

compared as (
    select
        targets.area_code,
        targets.ni_code,
        targets.period_id,
        targets.designated,
        targets.statutory,
        targets.target_value,
        current_values.value as actual_value,
        indicators.polarity,
        round(current_values.value - targets.target_value, 9) as difference,
        targets.target_period,
        targets.baseline_period,
        targets.baseline_value,
        targets.is_illustrative
    from targets
    left join current_values
        on targets.area_code = current_values.area_code
        and targets.ni_code = current_values.ni_code
        and targets.period_id = current_values.period_id
    left join indicators
        on targets.ni_code = indicators.ni_code
)

select
    area_code,
    ni_code,
    period_id,
    designated,
    statutory,
    target_value,
    actual_value,
    case
        when actual_value is null then 'no_data'
        when polarity = 'higher_is_better' and difference >= 0 then 'met'
        when polarity = 'lower_is_better' and difference <= 0 then 'met'
        when polarity = 'neither' and difference = 0 then 'met'
        else 'not_met'
    end as status,
    polarity,
    target_period,
    baseline_period,
    baseline_value,
    is_illustrative
from compared
{% endmacro %}

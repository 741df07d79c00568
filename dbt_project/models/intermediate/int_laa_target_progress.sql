-- Each LAA target next to the value for its area, indicator and period in the same scope,
-- judged with the indicator's polarity: met when the actual is equal to or better than the
-- target (higher_is_better: actual >= target; lower_is_better: actual <= target; neither:
-- actual = target), not_met otherwise, no_data when there is no value. The difference is
-- rounded to 9 decimal places so float noise in a derived value (29 / 100 × 100 =
-- 28.999999999999996) cannot decide it.
-- Scope current holds every target; scope publishable only the targets of published periods
-- (int_periods__embargo): a target is released with its period, and stays no_data until a
-- final value for it is released.
with targets as (
    select * from {{ ref('int_laa_targets__periods') }}
),

embargo as (
    select * from {{ ref('int_periods__embargo') }}
),

scoped_values as (
    select * from {{ ref('int_values__scoped') }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

scoped_targets as (
    select
        'current' as scope,
        area_code,
        ni_code,
        period_id,
        designated,
        statutory,
        target_value,
        target_period,
        baseline_period,
        baseline_value,
        is_illustrative
    from targets

    union all

    select
        'publishable' as scope,
        targets.area_code,
        targets.ni_code,
        targets.period_id,
        targets.designated,
        targets.statutory,
        targets.target_value,
        targets.target_period,
        targets.baseline_period,
        targets.baseline_value,
        targets.is_illustrative
    from targets
    inner join embargo
        on targets.period_id = embargo.period_id
        and embargo.is_published
),

compared as (
    select
        scoped_targets.scope,
        scoped_targets.area_code,
        scoped_targets.ni_code,
        scoped_targets.period_id,
        scoped_targets.designated,
        scoped_targets.statutory,
        scoped_targets.target_value,
        scoped_values.value as actual_value,
        indicators.polarity,
        round(scoped_values.value - scoped_targets.target_value, 9) as difference,
        scoped_targets.target_period,
        scoped_targets.baseline_period,
        scoped_targets.baseline_value,
        scoped_targets.is_illustrative
    from scoped_targets
    left join scoped_values
        on scoped_targets.scope = scoped_values.scope
        and scoped_targets.area_code = scoped_values.area_code
        and scoped_targets.ni_code = scoped_values.ni_code
        and scoped_targets.period_id = scoped_values.period_id
    left join indicators
        on scoped_targets.ni_code = indicators.ni_code
)

select
    scope,
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

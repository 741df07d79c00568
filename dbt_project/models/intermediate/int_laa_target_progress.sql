-- LAA targets judged against the values of the same scope, for every period from the
-- baseline to the target, not only the target period. For each target with a baseline, the
-- straight-line trajectory runs from (baseline period end, baseline value) to (target period
-- end, target value); every period of the indicator's type that ends after the baseline and
-- no later than the target is judged against the nearest target still to come (a target with
-- no baseline period or value is judged in its own period only):
--   in the target's own period   met (the actual is equal to or better than the target, by
--                                polarity; neither: equal), not_met, or no_data;
--   before it                    on_track (the actual is equal to or better than the
--                                trajectory at that period's end), off_track, or no_data.
-- Differences are rounded to 9 decimal places so float noise in a derived value (29 / 100 ×
-- 100 = 28.999999999999996) cannot decide a status. Scope current holds every target; scope
-- publishable only rows whose period and target period are both published
-- (int_periods__embargo): a target is released with its period.
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

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

-- Each period a target governs: from after its baseline to its own period, the nearest target
-- of the area and indicator still to come.
judged_periods as (
    select
        targets.*,
        periods.period_id as judged_period_id,
        periods.end_date as judged_end_date,
        row_number() over (
            partition by targets.area_code, targets.ni_code, periods.period_id
            order by targets.end_date
        ) as nearness
    from targets
    inner join periods
        on targets.period_type = periods.period_type
        and targets.end_date >= periods.end_date
        and (
            targets.period_id = periods.period_id
            or targets.baseline_value is not null
            and targets.baseline_end_date < periods.end_date
        )
),

trajectories as (
    select
        area_code,
        ni_code,
        judged_period_id as period_id,
        period_id as target_period_id,
        designated,
        statutory,
        target_value,
        target_period,
        baseline_period,
        baseline_period_id,
        baseline_value,
        is_illustrative,
        case
            when judged_period_id = period_id then target_value
            else baseline_value + (target_value - baseline_value)
                * date_diff('day', baseline_end_date, judged_end_date)
                / date_diff('day', baseline_end_date, end_date)
        end as trajectory_value
    from judged_periods
    where nearness = 1
),

scoped_targets as (
    select
        'current' as scope,
        trajectories.*
    from trajectories

    union all

    select
        'publishable' as scope,
        trajectories.*
    from trajectories
    inner join embargo as judged_embargo
        on trajectories.period_id = judged_embargo.period_id
        and judged_embargo.is_published
    inner join embargo as target_embargo
        on trajectories.target_period_id = target_embargo.period_id
        and target_embargo.is_published
),

compared as (
    select
        scoped_targets.*,
        scoped_values.value as actual_value,
        indicators.polarity,
        round(scoped_values.value - scoped_targets.trajectory_value, 9) as difference
    from scoped_targets
    left join scoped_values
        on scoped_targets.scope = scoped_values.scope
        and scoped_targets.area_code = scoped_values.area_code
        and scoped_targets.ni_code = scoped_values.ni_code
        and scoped_targets.period_id = scoped_values.period_id
    left join indicators
        on scoped_targets.ni_code = indicators.ni_code
),

judged as (
    select
        *,
        coalesce(
            polarity = 'higher_is_better' and difference >= 0
            or polarity = 'lower_is_better' and difference <= 0
            or polarity = 'neither' and difference = 0,
            false
        ) as is_at_least_as_good
    from compared
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
        when period_id = target_period_id and is_at_least_as_good then 'met'
        when period_id = target_period_id then 'not_met'
        when is_at_least_as_good then 'on_track'
        else 'off_track'
    end as status,
    polarity,
    target_period,
    baseline_period,
    baseline_value,
    is_illustrative,
    target_period_id,
    baseline_period_id,
    trajectory_value
from judged

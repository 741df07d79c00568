-- Each area value next to the same area's value, in the same scope (int_values__scoped), for
-- its latest earlier period of the same type (periods in time order by end date), and the
-- direction of travel between them:
--   not_comparable  no earlier value, or the indicator's polarity is `neither`;
--   no_change       the difference is under 0.05 (in the value's unit);
--   improved / worsened  otherwise, by polarity.
-- The difference is rounded to 9 decimal places before the comparison so that float noise
-- (1.15 - 1.1 = 0.04999999999999982) does not turn a change of exactly 0.05 into no_change.
with scoped_values as (
    select * from {{ ref('int_values__scoped') }}
    where value is not null
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

with_previous as (
    select
        scope,
        area_code,
        ni_code,
        period_id,
        period_type,
        value,
        lag(period_id) over by_time as previous_period_id,
        lag(value) over by_time as previous_value
    from scoped_values
    window by_time as (
        partition by scope, area_code, ni_code, period_type
        order by end_date, sort_key, period_id
    )
),

compared as (
    select
        with_previous.scope,
        with_previous.area_code,
        with_previous.ni_code,
        with_previous.period_id,
        with_previous.value,
        with_previous.previous_period_id,
        with_previous.previous_value,
        indicators.polarity,
        round(with_previous.value - with_previous.previous_value, 9) as difference
    from with_previous
    left join indicators
        on with_previous.ni_code = indicators.ni_code
)

select
    scope,
    area_code,
    ni_code,
    period_id,
    value,
    previous_period_id,
    previous_value,
    case
        when previous_period_id is null then 'not_comparable'
        when coalesce(polarity, 'neither') not in ('higher_is_better', 'lower_is_better')
            then 'not_comparable'
        when abs(difference) < 0.05 then 'no_change'
        when polarity = 'higher_is_better' and difference > 0 then 'improved'
        when polarity = 'lower_is_better' and difference < 0 then 'improved'
        else 'worsened'
    end as direction_of_travel
from compared

-- Candidates for Oneplace-style flags, in each scope, for inspectors to review: never
-- verdicts. A red flag candidate is an area figure significantly worse than England at 99.8 %
-- (its 99.8 % interval excludes England's value on the worse side) and getting worse (a
-- significant recent trend the wrong way); a green flag candidate is significantly better at
-- 99.8 % and getting better. One row per candidate (area, indicator, period), with the
-- evidence; is_latest_period marks the area's latest period for the indicator.
with area_performance as (
    select * from {{ ref('int_area_performance') }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
)

select
    area_performance.scope,
    area_performance.area_code,
    area_performance.area_name,
    area_performance.ni_code,
    indicators.title,
    area_performance.period_id,
    area_performance.is_latest_period,
    case
        when area_performance.england_comparison_998 = 'worse'
            then 'red_flag_candidate'
        else 'green_flag_candidate'
    end as candidate,
    area_performance.value,
    area_performance.ci_lower_998,
    area_performance.ci_upper_998,
    area_performance.ci_method,
    area_performance.england_value,
    area_performance.england_comparison_998,
    area_performance.recent_trend,
    area_performance.recent_trend_direction,
    area_performance.recent_trend_chi_square,
    area_performance.polarity
from area_performance
left join indicators
    on area_performance.ni_code = indicators.ni_code
where
    (
        area_performance.england_comparison_998 = 'worse'
        and area_performance.recent_trend_direction = 'getting_worse'
    )
    or (
        area_performance.england_comparison_998 = 'better'
        and area_performance.recent_trend_direction = 'getting_better'
    )

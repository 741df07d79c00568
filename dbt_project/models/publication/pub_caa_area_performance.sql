-- The released CAA publication: every published period of each area and indicator, with
-- comparators, rank, quartile, direction and target all computed from publishable values only
-- (models/intermediate/int_area_performance.sql, scope publishable). The area's value and
-- previous value are released with a negative zero as 0.0, as they always have been
-- (macros/without_negative_zero.sql).
-- depends_on: {{ ref('int_load_changes') }}
{{ config(alias='caa_area_performance') }}

with area_performance as (
    select * from {{ ref('int_area_performance') }}
    where scope = 'publishable'
    {{ and_changed_indicators() }}
)

select
    area_code,
    area_name,
    ni_code,
    period_id,
    {{ without_negative_zero('value') }} as value,
    england_value,
    region_value,
    quartile,
    rank,
    areas_ranked,
    previous_period_id,
    {{ without_negative_zero('previous_value') }} as previous_value,
    direction_of_travel,
    target_value,
    target_status,
    status,
    region_code,
    polarity,
    is_latest_period,
    ci_lower_95,
    ci_upper_95,
    ci_lower_998,
    ci_upper_998,
    ci_method,
    ci_note,
    england_comparison,
    england_comparison_998,
    region_comparison,
    region_comparison_998,
    recent_trend,
    recent_trend_direction,
    recent_trend_note,
    recent_trend_chi_square,
    neighbours_value,
    neighbours_ci_lower_95,
    neighbours_ci_upper_95,
    neighbours_reporting,
    neighbours_rank,
    neighbours_ranked,
    neighbours_comparison
from area_performance

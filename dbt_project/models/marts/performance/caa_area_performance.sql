-- The CAA publication mart over the current values of every area (whatever their status); the
-- logic: models/intermediate/int_area_performance.sql. Its released namesake, over publishable
-- values only, is publication.caa_area_performance.
-- depends_on: {{ ref('int_load_changes') }}
with area_performance as (
    select * from {{ ref('int_area_performance') }}
    where scope = 'current'
    {{ and_changed_indicators() }}
)

select
    area_code,
    area_name,
    ni_code,
    period_id,
    value,
    england_value,
    region_value,
    quartile,
    rank,
    areas_ranked,
    previous_period_id,
    previous_value,
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

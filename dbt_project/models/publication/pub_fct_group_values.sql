-- England, region and MAA values from the publishable area values only; the rules:
-- models/intermediate/int_group_values.sql, and int_group_values__judged.sql for the
-- interval, the comparison with England and the recent trend (scope publishable).
{{ config(alias='fct_group_values') }}

with group_values as (
    select * from {{ ref('int_group_values__judged') }}
    where scope = 'publishable'
        -- area-type and neighbour groups are comparators (docs/comparators.md), not released
        and group_type in ('england', 'region', 'maa')
)

select
    group_type,
    group_code,
    group_name,
    ni_code,
    period_id,
    value,
    numerator,
    denominator,
    areas_reporting,
    areas_expected,
    median_area_value,
    aggregation,
    ci_lower_95,
    ci_upper_95,
    ci_lower_998,
    ci_upper_998,
    ci_method,
    ci_note,
    england_comparison,
    england_comparison_998,
    recent_trend,
    recent_trend_direction,
    recent_trend_note,
    recent_trend_chi_square
from group_values

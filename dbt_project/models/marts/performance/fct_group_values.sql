-- England, region and MAA values from the current area values; the rules:
-- models/intermediate/int_group_values.sql (scope current).
with group_values as (
    select * from {{ ref('int_group_values') }}
    where scope = 'current'
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
    aggregation
from group_values

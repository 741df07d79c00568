-- The CAA publication mart over the current values of every area (whatever their status); the
-- logic: models/intermediate/int_area_performance.sql. Its released namesake, over publishable
-- values only, is publication.caa_area_performance.
with area_performance as (
    select * from {{ ref('int_area_performance') }}
    where scope = 'current'
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
    polarity
from area_performance

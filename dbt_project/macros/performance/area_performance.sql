-- The CAA publication: one row per area and indicator, for the latest period in which the area
-- has a value for it (latest by period end date; an indicator has one period type). Rank and
-- quartile are among all areas with a value for that indicator and period; direction of travel
-- is against the area's latest earlier period with a value; targets are those for the same
-- area, indicator and period.
{% macro area_performance(area_values, ranked, trend, group_values, targets) %}
with current_values as (
    select * from {{ area_values }}
    where value is not null
),

periods as (
    select * from {{ ref('dim_period') }}
),

areas as (
    select * from {{ ref('dim_area') }}
),

ranked as (
    select * from {{ ranked }}
),

trend as (
    select * from {{ trend }}
),

group_values as (
    select * from {{ group_values }}
),

targets as (
    select * from {{ targets }}
),

latest as (
    select
        current_values.area_code,
        current_values.ni_code,
        current_values.period_id,
        current_values.value,
        current_values.status,
        row_number() over (
            partition by current_values.area_code, current_values.ni_code
            order by periods.end_date desc, periods.sort_key desc, current_values.period_id desc
        ) as recency
    from current_values
    inner join periods
        on current_values.period_id = periods.period_id
)

select
    latest.area_code,
    areas.area_name,
    latest.ni_code,
    latest.period_id,
    latest.value,
    england.value as england_value,
    region.value as region_value,
    ranked.quartile,
    ranked.rank,
    ranked.areas_ranked,
    trend.previous_period_id,
    trend.previous_value,
    trend.direction_of_travel,
    targets.target_value,
    targets.status as target_status,
    latest.status,
    areas.region_code,
    ranked.polarity
from latest
left join areas
    on latest.area_code = areas.area_code
left join ranked
    on latest.area_code = ranked.area_code
    and latest.ni_code = ranked.ni_code
    and latest.period_id = ranked.period_id
left join trend
    on latest.area_code = trend.area_code
    and latest.ni_code = trend.ni_code
    and latest.period_id = trend.period_id
left join group_values as england
    on england.group_type = 'england'
    and latest.ni_code = england.ni_code
    and latest.period_id = england.period_id
left join group_values as region
    on region.group_type = 'region'
    and areas.region_code = region.group_code
    and latest.ni_code = region.ni_code
    and latest.period_id = region.period_id
left join targets
    on latest.area_code = targets.area_code
    and latest.ni_code = targets.ni_code
    and latest.period_id = targets.period_id
where latest.recency = 1
{% endmacro %}

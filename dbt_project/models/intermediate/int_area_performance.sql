-- The CAA area performance in each scope: one row per scope, area and indicator, for the
-- latest period in which the area has a value for it in that scope (latest by period end date;
-- an indicator has one period type). Rank and quartile are among all areas with a value for
-- that indicator and period (int_area_values__ranked); direction of travel is against the
-- area's latest earlier period with a value (int_area_values__trend); England and region
-- values (int_group_values) and the target (int_laa_target_progress) are those of the same
-- period. Every join matches on scope too: nothing from one scope reaches the other.
with scoped_values as (
    select * from {{ ref('int_values__scoped') }}
    where value is not null
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

areas as (
    select * from {{ ref('stg_reference__areas') }}
),

ranked as (
    select * from {{ ref('int_area_values__ranked') }}
),

trend as (
    select * from {{ ref('int_area_values__trend') }}
),

group_values as (
    select * from {{ ref('int_group_values') }}
),

targets as (
    select * from {{ ref('int_laa_target_progress') }}
),

latest as (
    select
        scoped_values.scope,
        scoped_values.area_code,
        scoped_values.ni_code,
        scoped_values.period_id,
        scoped_values.value,
        scoped_values.status,
        row_number() over (
            partition by scoped_values.scope, scoped_values.area_code, scoped_values.ni_code
            order by periods.end_date desc, periods.sort_key desc, scoped_values.period_id desc
        ) as recency
    from scoped_values
    inner join periods
        on scoped_values.period_id = periods.period_id
)

select
    latest.scope,
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
    on latest.scope = ranked.scope
    and latest.area_code = ranked.area_code
    and latest.ni_code = ranked.ni_code
    and latest.period_id = ranked.period_id
left join trend
    on latest.scope = trend.scope
    and latest.area_code = trend.area_code
    and latest.ni_code = trend.ni_code
    and latest.period_id = trend.period_id
left join group_values as england
    on latest.scope = england.scope
    and england.group_type = 'england'
    and latest.ni_code = england.ni_code
    and latest.period_id = england.period_id
left join group_values as region
    on latest.scope = region.scope
    and region.group_type = 'region'
    and areas.region_code = region.group_code
    and latest.ni_code = region.ni_code
    and latest.period_id = region.period_id
left join targets
    on latest.scope = targets.scope
    and latest.area_code = targets.area_code
    and latest.ni_code = targets.ni_code
    and latest.period_id = targets.period_id
where latest.recency = 1

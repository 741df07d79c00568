-- The CAA area performance in each scope: one row per scope, area, indicator and period in
-- which the area has a value for it (is_latest_period marks the area's latest by period end
-- date; an indicator has one period type). Rank and quartile are among all areas with a value
-- for that indicator and period (int_area_values__ranked); direction of travel is against the
-- area's latest earlier period with a value (int_area_values__trend); England and region
-- values (int_group_values) and the target (int_laa_target_progress) are those of the same
-- period. The value's confidence interval (int_values__intervals), its comparison with England
-- and with its region at 95 % and 99.8 % (macros/judgement/compare_with.sql) and its recent
-- trend (int_values__recent_trend) are judged per period too. Beside them, the area's
-- statistical neighbours (docs/comparators.md): their aggregate value with its 95 % interval
-- (int_group_values__judged, group type neighbours), the area's rank among them
-- (int_area_values__neighbour_ranked) and the value's comparison with their aggregate, by the
-- same rule as England's. Every join matches on scope: nothing from one scope reaches the other.
-- depends_on: {{ ref('int_load_changes') }}
with scoped_values as (
    select * from {{ ref('int_values__scoped') }}
    where value is not null
    {{ and_changed_indicators() }}
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

areas as (
    select * from {{ ref('stg_reference__areas') }}
),

ranked as (
    select * from {{ ref('int_area_values__ranked') }}
    {{ where_changed_indicators() }}
),

trend as (
    select * from {{ ref('int_area_values__trend') }}
    {{ where_changed_indicators() }}
),

group_values as (
    select * from {{ ref('int_group_values') }}
    {{ where_changed_indicators() }}
),

targets as (
    select * from {{ ref('int_laa_target_progress') }}
    {{ where_changed_indicators() }}
),

intervals as (
    select * from {{ ref('int_values__intervals') }}
    where subject_type = 'area'
    {{ and_changed_indicators() }}
),

recent_trend as (
    select * from {{ ref('int_values__recent_trend') }}
    where subject_type = 'area'
    {{ and_changed_indicators() }}
),

neighbour_groups as (
    select * from {{ ref('int_comparator_groups') }}
    where group_type = 'neighbours'
),

neighbour_values as (
    select * from {{ ref('int_group_values__judged') }}
    where group_type = 'neighbours'
    {{ and_changed_indicators() }}
),

neighbour_ranked as (
    select * from {{ ref('int_area_values__neighbour_ranked') }}
    {{ where_changed_indicators() }}
),

dated_values as (
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
),

joined as (
    select
        dated_values.scope,
        dated_values.area_code,
        areas.area_name,
        dated_values.ni_code,
        dated_values.period_id,
        dated_values.recency = 1 as is_latest_period,
        dated_values.value,
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
        dated_values.status,
        areas.region_code,
        ranked.polarity,
        intervals.ci_lower_95,
        intervals.ci_upper_95,
        intervals.ci_lower_998,
        intervals.ci_upper_998,
        intervals.ci_method,
        intervals.ci_note,
        recent_trend.recent_trend,
        recent_trend.recent_trend_direction,
        recent_trend.recent_trend_note,
        recent_trend.recent_trend_chi_square,
        neighbour_values.value as neighbours_value,
        neighbour_values.ci_lower_95 as neighbours_ci_lower_95,
        neighbour_values.ci_upper_95 as neighbours_ci_upper_95,
        cast(coalesce(neighbour_values.areas_reporting, 0) as integer) as neighbours_reporting,
        neighbour_ranked.neighbours_rank,
        neighbour_ranked.neighbours_ranked
    from dated_values
    left join areas
        on dated_values.area_code = areas.area_code
    left join ranked
        on dated_values.scope = ranked.scope
        and dated_values.area_code = ranked.area_code
        and dated_values.ni_code = ranked.ni_code
        and dated_values.period_id = ranked.period_id
    left join trend
        on dated_values.scope = trend.scope
        and dated_values.area_code = trend.area_code
        and dated_values.ni_code = trend.ni_code
        and dated_values.period_id = trend.period_id
    left join group_values as england
        on dated_values.scope = england.scope
        and england.group_type = 'england'
        and dated_values.ni_code = england.ni_code
        and dated_values.period_id = england.period_id
    left join group_values as region
        on dated_values.scope = region.scope
        and region.group_type = 'region'
        and areas.region_code = region.group_code
        and dated_values.ni_code = region.ni_code
        and dated_values.period_id = region.period_id
    left join targets
        on dated_values.scope = targets.scope
        and dated_values.area_code = targets.area_code
        and dated_values.ni_code = targets.ni_code
        and dated_values.period_id = targets.period_id
    left join intervals
        on dated_values.scope = intervals.scope
        and dated_values.area_code = intervals.subject_code
        and dated_values.ni_code = intervals.ni_code
        and dated_values.period_id = intervals.period_id
    left join recent_trend
        on dated_values.scope = recent_trend.scope
        and dated_values.area_code = recent_trend.subject_code
        and dated_values.ni_code = recent_trend.ni_code
        and dated_values.period_id = recent_trend.period_id
    left join neighbour_groups
        on dated_values.area_code = neighbour_groups.neighbours_of
    left join neighbour_values
        on dated_values.scope = neighbour_values.scope
        and neighbour_groups.group_code = neighbour_values.group_code
        and dated_values.ni_code = neighbour_values.ni_code
        and dated_values.period_id = neighbour_values.period_id
    left join neighbour_ranked
        on dated_values.scope = neighbour_ranked.scope
        and dated_values.area_code = neighbour_ranked.area_code
        and dated_values.ni_code = neighbour_ranked.ni_code
        and dated_values.period_id = neighbour_ranked.period_id
)

select
    *,
    {{ compare_with('england_value', 'ci_lower_95', 'ci_upper_95', 'polarity') }}
        as england_comparison,
    {{ compare_with('england_value', 'ci_lower_998', 'ci_upper_998', 'polarity') }}
        as england_comparison_998,
    {{ compare_with('region_value', 'ci_lower_95', 'ci_upper_95', 'polarity') }}
        as region_comparison,
    {{ compare_with('region_value', 'ci_lower_998', 'ci_upper_998', 'polarity') }}
        as region_comparison_998,
    {{ compare_with('neighbours_value', 'ci_lower_95', 'ci_upper_95', 'polarity') }}
        as neighbours_comparison
from joined

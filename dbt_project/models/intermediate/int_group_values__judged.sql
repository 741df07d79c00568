-- Every group value (int_group_values) in each scope with its confidence interval
-- (int_values__intervals, from the summed numerators and denominators), its comparison with
-- England at 95 % and 99.8 % (null for England itself; macros/judgement/compare_with.sql) and
-- its recent trend (int_values__recent_trend): the same judgement as an area's, for every
-- region and MAA.
-- depends_on: {{ ref('int_load_changes') }}
with group_values as (
    select * from {{ ref('int_group_values') }}
    {{ where_changed_indicators() }}
),

intervals as (
    select * from {{ ref('int_values__intervals') }}
    where subject_type <> 'area'
    {{ and_changed_indicators() }}
),

recent_trend as (
    select * from {{ ref('int_values__recent_trend') }}
    where subject_type <> 'area'
    {{ and_changed_indicators() }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

joined as (
    select
        group_values.scope,
        group_values.group_type,
        group_values.group_code,
        group_values.group_name,
        group_values.ni_code,
        group_values.period_id,
        group_values.value,
        group_values.numerator,
        group_values.denominator,
        group_values.areas_reporting,
        group_values.areas_expected,
        group_values.median_area_value,
        group_values.aggregation,
        intervals.ci_lower_95,
        intervals.ci_upper_95,
        intervals.ci_lower_998,
        intervals.ci_upper_998,
        intervals.ci_method,
        case
            when group_values.value is null
                then 'no group value: the indicator''s values are not aggregated'
            else intervals.ci_note
        end as ci_note,
        england.value as england_value,
        indicators.polarity,
        recent_trend.recent_trend,
        recent_trend.recent_trend_direction,
        recent_trend.recent_trend_note,
        recent_trend.recent_trend_chi_square
    from group_values
    left join intervals
        on group_values.scope = intervals.scope
        and group_values.group_type = intervals.subject_type
        and group_values.group_code = intervals.subject_code
        and group_values.ni_code = intervals.ni_code
        and group_values.period_id = intervals.period_id
    left join recent_trend
        on group_values.scope = recent_trend.scope
        and group_values.group_type = recent_trend.subject_type
        and group_values.group_code = recent_trend.subject_code
        and group_values.ni_code = recent_trend.ni_code
        and group_values.period_id = recent_trend.period_id
    left join group_values as england
        on group_values.scope = england.scope
        and england.group_type = 'england'
        and group_values.ni_code = england.ni_code
        and group_values.period_id = england.period_id
    left join indicators
        on group_values.ni_code = indicators.ni_code
)

select
    *,
    case
        when group_type <> 'england'
            then {{ compare_with('england_value', 'ci_lower_95', 'ci_upper_95', 'polarity') }}
    end as england_comparison,
    case
        when group_type <> 'england'
            then {{ compare_with('england_value', 'ci_lower_998', 'ci_upper_998', 'polarity') }}
    end as england_comparison_998
from joined

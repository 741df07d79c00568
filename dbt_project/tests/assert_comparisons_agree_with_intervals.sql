-- Every comparison with England or a region, at 95 % and 99.8 %, for every area and group
-- figure in both scopes, and every area's comparison with its statistical neighbours (95 %),
-- agrees with its interval, its polarity and its comparator's value,
-- checked case by case apart from the rule's own macro (macros/judgement/compare_with.sql):
--   not_compared  exactly when the interval or the comparator's value is missing;
--   similar       the comparator lies inside the interval;
--   better/worse/higher/lower  the comparator lies outside, on the side the word says.
with area_performance as (
    select * from {{ ref('int_area_performance') }}
),

group_values as (
    select * from {{ ref('int_group_values__judged') }}
    where group_type <> 'england'
),

comparisons as (
    select
        scope,
        'area' as subject_type,
        area_code as subject_code,
        ni_code,
        period_id,
        polarity,
        'england_95' as against,
        england_value as comparator,
        ci_lower_95 as lower_limit,
        ci_upper_95 as upper_limit,
        england_comparison as comparison
    from area_performance
    union all
    select
        scope,
        'area' as subject_type,
        area_code,
        ni_code,
        period_id,
        polarity,
        'england_998' as against,
        england_value,
        ci_lower_998,
        ci_upper_998,
        england_comparison_998
    from area_performance
    union all
    select
        scope,
        'area' as subject_type,
        area_code,
        ni_code,
        period_id,
        polarity,
        'region_95' as against,
        region_value,
        ci_lower_95,
        ci_upper_95,
        region_comparison
    from area_performance
    union all
    select
        scope,
        'area' as subject_type,
        area_code,
        ni_code,
        period_id,
        polarity,
        'region_998' as against,
        region_value,
        ci_lower_998,
        ci_upper_998,
        region_comparison_998
    from area_performance
    union all
    select
        scope,
        'area' as subject_type,
        area_code,
        ni_code,
        period_id,
        polarity,
        'neighbours_95' as against,
        neighbours_value,
        ci_lower_95,
        ci_upper_95,
        neighbours_comparison
    from area_performance
    union all
    select
        scope,
        group_type,
        group_code,
        ni_code,
        period_id,
        polarity,
        'england_95' as against,
        england_value,
        ci_lower_95,
        ci_upper_95,
        england_comparison
    from group_values
    union all
    select
        scope,
        group_type,
        group_code,
        ni_code,
        period_id,
        polarity,
        'england_998' as against,
        england_value,
        ci_lower_998,
        ci_upper_998,
        england_comparison_998
    from group_values
),

placed as (
    select
        *,
        lower_limit is null or upper_limit is null or comparator is null as is_missing,
        round(comparator, 9) < round(lower_limit, 9) as is_below,
        round(comparator, 9) > round(upper_limit, 9) as is_above
    from comparisons
)

select *
from placed
where not coalesce(
        case comparison
            when 'not_compared' then is_missing
            when 'similar' then not is_missing and not is_below and not is_above
            when 'better'
                then
                    polarity = 'higher_is_better' and is_below
                    or polarity = 'lower_is_better' and is_above
            when 'worse'
                then
                    polarity = 'higher_is_better' and is_above
                    or polarity = 'lower_is_better' and is_below
            when 'higher' then polarity = 'neither' and is_below
            when 'lower' then polarity = 'neither' and is_above
            else false
        end,
        false
    )

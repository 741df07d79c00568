-- Indicator values for England, each region, each MAA, each area type and each area's
-- statistical neighbours (int_group_members), built from the area values of each scope
-- (int_values__scoped) on its own. A row exists for every scope, group, indicator and
-- period in which at least one member area has a value. By the indicator's aggregation:
--   ratio  sum(numerator) / sum(denominator) × multiplier over the member areas that reported
--          both numerator and denominator (a ratio of sums, not a mean of the areas' ratios);
--   sum    the sum of the member areas' values;
--   none   no group value (the median still shows).
-- Nothing is rounded; the multiplier is applied before the division, so whole-number parts
-- give the correctly rounded ratio (7.125, not 7.124999999999999). A rebuild of the same
-- ledger must give the same bits, and float addition depends on order (DuckDB would add in
-- whatever order its threads finish), so:
--   England, regions, MAAs   sums in area_code order (ordered aggregates), as they always were
--                            (their released figures keep their bits);
--   area types, neighbours   exact sums in DECIMAL(38, 18), cast back to double: the same
--                            whatever the order, and standard SQL. The 150-odd neighbour groups
--                            make 8 times as many groups as the rest, and ordered aggregates
--                            (one sort per group) took this model from 2 to 23 s of CPU on
--                            the demo set; exact sums about half that (docs/comparators.md).
--                            Figures to 20 digits before the point and 18 after, far beyond
--                            any indicator's.
-- depends_on: {{ ref('int_load_changes') }}
with scoped_values as (
    select * from {{ ref('int_values__scoped') }}
    where value is not null
    {{ and_changed_indicators() }}
),

group_members as (
    select * from {{ ref('int_group_members') }}
),

area_periods as (
    select * from {{ ref('int_area_periods') }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

member_values as (
    select
        scoped_values.scope,
        group_members.group_type,
        group_members.group_code,
        group_members.group_name,
        scoped_values.ni_code,
        scoped_values.period_id,
        scoped_values.area_code,
        scoped_values.value,
        scoped_values.numerator,
        scoped_values.denominator,
        scoped_values.numerator is not null
        and scoped_values.denominator is not null as has_ratio_parts,
        group_members.group_type in ('area_type', 'neighbours') as is_comparator
    from group_members
    inner join scoped_values
        on group_members.area_code = scoped_values.area_code
),

ordered_sums as (
    select
        scope,
        group_type,
        group_code,
        group_name,
        ni_code,
        period_id,
        count(*) as areas_with_value,
        count(*) filter (where has_ratio_parts) as areas_with_ratio_parts,
        sum(value order by area_code) as sum_of_values,
        sum(numerator order by area_code) filter (where has_ratio_parts) as sum_of_numerators,
        sum(denominator order by area_code) filter (where has_ratio_parts) as sum_of_denominators,
        -- DuckDB's median() averages the two middle values when the count is even.
        median(value) as median_area_value
    from member_values
    where not is_comparator
    group by
        scope,
        group_type,
        group_code,
        group_name,
        ni_code,
        period_id
),

exact_sums as (
    select
        scope,
        group_type,
        group_code,
        group_name,
        ni_code,
        period_id,
        count(*) as areas_with_value,
        count(*) filter (where has_ratio_parts) as areas_with_ratio_parts,
        cast(sum(cast(value as decimal(38, 18))) as double) as sum_of_values,
        cast(
            sum(cast(numerator as decimal(38, 18))) filter (where has_ratio_parts) as double
        ) as sum_of_numerators,
        cast(
            sum(cast(denominator as decimal(38, 18))) filter (where has_ratio_parts) as double
        ) as sum_of_denominators,
        median(value) as median_area_value
    from member_values
    where is_comparator
    group by
        scope,
        group_type,
        group_code,
        group_name,
        ni_code,
        period_id
),

aggregated as (
    select * from ordered_sums
    union all
    select * from exact_sums
),

-- The member areas that existed in the period: the same in every scope.
expected as (
    select
        group_members.group_type,
        group_members.group_code,
        area_periods.period_id,
        count(*) as areas_expected
    from group_members
    inner join area_periods
        on group_members.area_code = area_periods.area_code
    group by
        group_members.group_type,
        group_members.group_code,
        area_periods.period_id
)

select
    aggregated.scope,
    aggregated.group_type,
    aggregated.group_code,
    aggregated.group_name,
    aggregated.ni_code,
    aggregated.period_id,
    case indicators.aggregation
        when 'ratio'
            then aggregated.sum_of_numerators
                * indicators.multiplier
                / nullif(aggregated.sum_of_denominators, 0)
        when 'sum' then aggregated.sum_of_values
    end as value,
    case
        when indicators.aggregation = 'ratio' then aggregated.sum_of_numerators
    end as numerator,
    case
        when indicators.aggregation = 'ratio' then aggregated.sum_of_denominators
    end as denominator,
    cast(
        case
            when indicators.aggregation = 'ratio' then aggregated.areas_with_ratio_parts
            else aggregated.areas_with_value
        end as integer
    ) as areas_reporting,
    cast(coalesce(expected.areas_expected, 0) as integer) as areas_expected,
    aggregated.median_area_value,
    indicators.aggregation
from aggregated
left join indicators
    on aggregated.ni_code = indicators.ni_code
left join expected
    on aggregated.group_type = expected.group_type
    and aggregated.group_code = expected.group_code
    and aggregated.period_id = expected.period_id

-- The confidence interval of every area value and every group value, in each scope, at 95 %
-- and 99.8 % (statistical_methods.md; the method per indicator: the seed's ci_method):
--   as_returned    the return's own ci_lower / ci_upper (95 % only; 99.8 % stays null);
--   wilson         proportions, from numerator O and denominator n (0 <= O <= n, n > 0);
--   byar           rates (O = numerator, limits / n × multiplier) and counts (O = the value)
--                  with O >= 10;
--   exact_poisson  the same below 10, from the exact limits (seed poisson_limits; O whole);
--   null           no interval, and ci_note says why.
-- Group values (int_group_values) have no returned interval: theirs come from the summed
-- numerators and denominators (proportions, rates) or the summed count. An interval computed
-- from O and n that does not contain the value as returned (a value rounded differently from
-- its parts) is withheld with a note rather than shown beside a value it excludes.
-- depends_on: {{ ref('int_load_changes') }}
with scoped_values as (
    select * from {{ ref('int_values__scoped') }}
    where value is not null
    {{ and_changed_indicators() }}
),

group_values as (
    select * from {{ ref('int_group_values') }}
    where value is not null
    {{ and_changed_indicators() }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

poisson as (
    select * from {{ ref('stg_reference__poisson_limits') }}
),

figures as (
    select
        scope,
        'area' as subject_type,
        area_code as subject_code,
        ni_code,
        period_id,
        value,
        numerator,
        denominator,
        ci_lower as returned_lower,
        ci_upper as returned_upper
    from scoped_values

    union all

    select
        scope,
        group_type as subject_type,
        group_code as subject_code,
        ni_code,
        period_id,
        value,
        numerator,
        denominator,
        null as returned_lower,
        null as returned_upper
    from group_values
),

-- The method each figure gets, and O, the observed count the method works from.
planned as (
    select
        figures.*,
        indicators.multiplier,
        indicators.value_type,
        case
            when indicators.value_type = 'count' then figures.value
            else figures.numerator
        end as observed,
        case
            when figures.returned_lower is not null and figures.returned_upper is not null
                then 'as_returned'
            when indicators.ci_method = 'none' or indicators.ci_method is null then null
            when indicators.value_type = 'count' and figures.value < 0 then null
            when indicators.value_type = 'count' then 'poisson'
            when figures.numerator is null or figures.denominator is null then null
            when figures.denominator <= 0 or figures.numerator < 0 then null
            when indicators.ci_method = 'wilson' and figures.numerator > figures.denominator
                then null
            when indicators.ci_method = 'wilson' then 'wilson'
            else 'poisson'
        end as planned_method,
        case
            when figures.returned_lower is not null and figures.returned_upper is not null
                then null
            when indicators.ci_method = 'none' or indicators.ci_method is null
                then 'no interval method for a figure of type ' || indicators.value_type
            when indicators.value_type = 'count' and figures.value < 0
                then 'a negative count has no Poisson interval'
            when indicators.value_type = 'count' then null
            when figures.numerator is null or figures.denominator is null
                then 'no numerator and denominator (nor a returned interval)'
            when figures.denominator <= 0 or figures.numerator < 0
                then 'numerator or denominator out of range'
            when indicators.ci_method = 'wilson' and figures.numerator > figures.denominator
                then 'numerator exceeds denominator: not a proportion'
        end as plan_note
    from figures
    left join indicators
        on figures.ni_code = indicators.ni_code
),

-- Poisson limits of O itself: Byar's from 10, exact below (O must then be whole).
poisson_limits as (
    select
        planned.*,
        case
            when coalesce(planned.planned_method, '') <> 'poisson' then null
            when planned.observed >= 10 then 'byar'
            when planned.observed = floor(planned.observed) then 'exact_poisson'
        end as poisson_method,
        case
            when planned.observed >= 10 then {{ byar_limit('planned.observed', 1.959964, -1) }}
            else exact_95.lower_limit
        end as observed_lower_95,
        case
            when planned.observed >= 10 then {{ byar_limit('planned.observed', 1.959964, 1) }}
            else exact_95.upper_limit
        end as observed_upper_95,
        case
            when planned.observed >= 10 then {{ byar_limit('planned.observed', 3.090232, -1) }}
            else exact_998.lower_limit
        end as observed_lower_998,
        case
            when planned.observed >= 10 then {{ byar_limit('planned.observed', 3.090232, 1) }}
            else exact_998.upper_limit
        end as observed_upper_998
    from planned
    left join poisson as exact_95
        on planned.planned_method = 'poisson'
        and planned.observed < 10
        and planned.observed = exact_95.observed
        and exact_95.confidence = 0.95
    left join poisson as exact_998
        on planned.planned_method = 'poisson'
        and planned.observed < 10
        and planned.observed = exact_998.observed
        and exact_998.confidence = 0.998
),

-- A rate's limits are O's limits / n × multiplier; a count's are O's limits.
computed as (
    select
        *,
        case
            when planned_method = 'as_returned' then 'as_returned'
            when planned_method = 'wilson' then 'wilson'
            else poisson_method
        end as computed_method,
        case
            when planned_method = 'as_returned' then returned_lower
            when planned_method = 'wilson'
                then multiplier * {{ wilson_limit('numerator', 'denominator', 1.959964, -1) }}
            when value_type = 'count' then observed_lower_95
            else observed_lower_95 / denominator * multiplier
        end as lower_95,
        case
            when planned_method = 'as_returned' then returned_upper
            when planned_method = 'wilson'
                then multiplier * {{ wilson_limit('numerator', 'denominator', 1.959964, 1) }}
            when value_type = 'count' then observed_upper_95
            else observed_upper_95 / denominator * multiplier
        end as upper_95,
        case
            when planned_method = 'wilson'
                then multiplier * {{ wilson_limit('numerator', 'denominator', 3.090232, -1) }}
            when value_type = 'count' then observed_lower_998
            else observed_lower_998 / denominator * multiplier
        end as lower_998,
        case
            when planned_method = 'wilson'
                then multiplier * {{ wilson_limit('numerator', 'denominator', 3.090232, 1) }}
            when value_type = 'count' then observed_upper_998
            else observed_upper_998 / denominator * multiplier
        end as upper_998
    from poisson_limits
),

-- Withhold an interval that excludes its own value (compared to 9 decimal places).
checked as (
    select
        *,
        computed_method is not null
        and round(value, 9) between round(lower_95, 9) and round(upper_95, 9) as contains_value
    from computed
)

select
    checked.scope,
    checked.subject_type,
    checked.subject_code,
    checked.ni_code,
    checked.period_id,
    checked.value,
    checked.numerator,
    checked.denominator,
    checked.value_type,
    case when checked.contains_value then checked.lower_95 end as ci_lower_95,
    case when checked.contains_value then checked.upper_95 end as ci_upper_95,
    case
        when checked.contains_value and checked.computed_method <> 'as_returned'
            then checked.lower_998
    end as ci_lower_998,
    case
        when checked.contains_value and checked.computed_method <> 'as_returned'
            then checked.upper_998
    end as ci_upper_998,
    case when checked.contains_value then checked.computed_method end as ci_method,
    case
        when checked.plan_note is not null then checked.plan_note
        when checked.computed_method is null
            then 'a count under 10 that is not a whole number has no exact Poisson interval'
        when not checked.contains_value
            then 'value outside the interval of its numerator and denominator: withheld'
        when checked.computed_method = 'as_returned'
            then 'returned interval is 95 % only: no 99.8 % interval'
    end as ci_note,
    periods.period_type,
    periods.start_date,
    periods.end_date,
    periods.sort_key
from checked
left join periods
    on checked.period_id = periods.period_id

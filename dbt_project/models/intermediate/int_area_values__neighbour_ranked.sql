-- Each area value's place among its statistical neighbours (int_group_members, group type
-- neighbours) for the same indicator and period, in each scope on its own:
--   neighbours_ranked  the area and those of its neighbours with a value in the scope for
--                      that indicator and period (a neighbour without one is left out);
--   neighbours_rank    1 + the neighbours with a strictly better value (higher_is_better:
--                      greater; lower_is_better: smaller), so ties share a rank, as in
--                      int_area_values__ranked; null for polarity neither.
-- Values are compared to 9 decimal places so that float noise in derived values does not
-- split a tie. An area without neighbours is ranked 1 of 1.
-- depends_on: {{ ref('int_load_changes') }}
with scoped_values as (
    select * from {{ ref('int_values__scoped') }}
    where value is not null
    {{ and_changed_indicators() }}
),

comparator_groups as (
    select * from {{ ref('int_comparator_groups') }}
    where group_type = 'neighbours'
),

group_members as (
    select * from {{ ref('int_group_members') }}
    where group_type = 'neighbours'
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

neighbour_values as (
    select
        subject.scope,
        subject.area_code,
        subject.ni_code,
        subject.period_id,
        round(neighbour.value, 9) - round(subject.value, 9) as difference
    from scoped_values as subject
    inner join comparator_groups
        on subject.area_code = comparator_groups.neighbours_of
    inner join group_members
        on comparator_groups.group_code = group_members.group_code
    inner join scoped_values as neighbour
        on subject.scope = neighbour.scope
        and group_members.area_code = neighbour.area_code
        and subject.ni_code = neighbour.ni_code
        and subject.period_id = neighbour.period_id
),

counted as (
    select
        scope,
        area_code,
        ni_code,
        period_id,
        count(*) as neighbours_with_value,
        sum(case when difference > 0 then 1 else 0 end) as neighbours_higher,
        sum(case when difference < 0 then 1 else 0 end) as neighbours_lower
    from neighbour_values
    group by
        scope,
        area_code,
        ni_code,
        period_id
)

select
    scoped_values.scope,
    scoped_values.area_code,
    scoped_values.ni_code,
    scoped_values.period_id,
    indicators.polarity,
    cast(
        case indicators.polarity
            when 'higher_is_better' then 1 + coalesce(counted.neighbours_higher, 0)
            when 'lower_is_better' then 1 + coalesce(counted.neighbours_lower, 0)
        end as integer
    ) as neighbours_rank,
    cast(1 + coalesce(counted.neighbours_with_value, 0) as integer) as neighbours_ranked
from scoped_values
left join counted
    on scoped_values.scope = counted.scope
    and scoped_values.area_code = counted.area_code
    and scoped_values.ni_code = counted.ni_code
    and scoped_values.period_id = counted.period_id
left join indicators
    on scoped_values.ni_code = indicators.ni_code

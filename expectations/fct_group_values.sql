-- Batch for the fct_group_values suite: each group value dbt built, beside the same figure
-- recomputed from the member areas' current values and the reference seeds (ref_* temp
-- tables). A full outer join, so a group value missing on either side shows as a gap.
with member_values as (
    select
        m.group_type,
        m.group_code,
        v.ni_code,
        v.period_id,
        v.value,
        v.numerator,
        v.denominator,
        v.numerator is not null and v.denominator is not null as has_ratio_parts
    from ref_group_members as m
    inner join marts.fct_indicator_values as v on v.area_code = m.area_code
    where v.value is not null
),

recomputed as (
    select
        group_type,
        group_code,
        ni_code,
        period_id,
        count(*) as areas_with_value,
        count(*) filter (where has_ratio_parts) as areas_with_ratio_parts,
        sum(value) as sum_of_values,
        sum(numerator) filter (where has_ratio_parts) as sum_of_numerators,
        sum(denominator) filter (where has_ratio_parts) as sum_of_denominators
    from member_values
    group by group_type, group_code, ni_code, period_id
),

expected as (
    select
        m.group_type,
        m.group_code,
        p.period_id,
        count(*) as areas_expected
    from ref_group_members as m
    inner join ref_area_periods as p on p.area_code = m.area_code
    group by m.group_type, m.group_code, p.period_id
),

compared as (
    select
        coalesce(g.group_type, r.group_type) as group_type,
        coalesce(g.group_code, r.group_code) as group_code,
        coalesce(g.ni_code, r.ni_code) as ni_code,
        coalesce(g.period_id, r.period_id) as period_id,
        g.value,
        g.areas_reporting,
        g.areas_expected,
        case i.aggregation
            when 'ratio' then r.sum_of_numerators * i.multiplier / nullif(r.sum_of_denominators, 0)
            when 'sum' then r.sum_of_values
        end as members_value,
        case when i.aggregation = 'ratio' then r.areas_with_ratio_parts else r.areas_with_value end
            as members_reporting,
        g.group_type is not null and r.group_type is not null as on_both_sides
    from marts.fct_group_values as g
    full outer join recomputed as r
        on r.group_type = g.group_type
        and r.group_code = g.group_code
        and r.ni_code = g.ni_code
        and r.period_id = g.period_id
    left join ref_indicators as i on i.ni_code = coalesce(g.ni_code, r.ni_code)
)

select
    c.group_type,
    c.group_code,
    c.ni_code,
    c.period_id,
    c.value,
    c.members_value,
    c.areas_reporting,
    coalesce(c.members_reporting, 0) as members_reporting,
    c.areas_expected,
    coalesce(e.areas_expected, 0) as members_expected,
    case
        when not c.on_both_sides then 'inf'::double
        when c.value is null and c.members_value is null then 0
        when c.value is null or c.members_value is null then 'inf'::double
        else abs(c.value - c.members_value) / greatest(1, abs(c.members_value))
    end as value_gap
from compared as c
left join expected as e
    on e.group_type = c.group_type
    and e.group_code = c.group_code
    and e.period_id = c.period_id

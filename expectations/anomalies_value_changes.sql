-- Batch for the anomalies_value_changes suite: each current value whose key this load
-- ($load_id) touched, with the same area's value for the indicator's latest earlier period
-- of the same type (periods ordered by the seed's sort_key).
with touched as (
    select distinct
        area_code,
        ni_code,
        period_id
    from ingest.accepted_values
    where load_id = $load_id
),

with_previous as (
    select
        v.area_code,
        v.ni_code,
        v.period_id,
        v.value,
        lag(v.period_id) over by_period as previous_period_id,
        lag(v.value) over by_period as previous_value
    from marts.fct_indicator_values as v
    inner join ref_periods as p on p.period_id = v.period_id
    window by_period as (partition by v.area_code, v.ni_code, p.period_type order by p.sort_key)
)

select
    w.area_code,
    w.ni_code,
    w.period_id,
    w.previous_period_id,
    w.previous_value,
    w.value,
    case
        when w.value > 0 and w.previous_value > 0
            then greatest(w.value / w.previous_value, w.previous_value / w.value)
    end as change_factor
from with_previous as w
inner join touched as t
    on t.area_code = w.area_code and t.ni_code = w.ni_code and t.period_id = w.period_id
where w.previous_value is not null
order by w.area_code, w.ni_code, w.period_id

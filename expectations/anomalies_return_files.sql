-- Batch for the anomalies_return_files suite: each file this load ($load_id) took up, with
-- its share of rejected rows and the share of its accepted values that equal the same area's
-- value for the previous period of the same type (periods ordered by the seed's sort_key).
with with_previous as (
    select
        v.area_code,
        v.ni_code,
        v.period_id,
        lag(v.value) over by_period as previous_value
    from marts.fct_indicator_values as v
    inner join ref_periods as p on p.period_id = v.period_id
    window by_period as (partition by v.area_code, v.ni_code, p.period_type order by p.sort_key)
),

compared as (
    select
        a.path,
        a.sha256,
        count(w.previous_value) as rows_compared,
        count(*) filter (where a.value = w.previous_value) as rows_repeated
    from ingest.accepted_values as a
    left join with_previous as w
        on w.area_code = a.area_code and w.ni_code = a.ni_code and w.period_id = a.period_id
    where a.load_id = $load_id
    group by a.path, a.sha256
)

select
    f.path,
    f.outcome,
    f.reason,
    case
        when f.outcome = 'REJECTED' then 'rejected whole (' || f.reason || ')'
        else format('{} of {} rows rejected', f.rows_rejected, f.rows_read)
    end as rejection,
    f.rows_read,
    f.rows_rejected,
    case
        when f.outcome = 'REJECTED' then 1.0
        when f.rows_read > 0 then f.rows_rejected / f.rows_read
    end as share_rejected,
    coalesce(c.rows_compared, 0) as rows_compared,
    coalesce(c.rows_repeated, 0) as rows_repeated,
    case when c.rows_compared >= 10 then c.rows_repeated / c.rows_compared end as share_repeated,
    coalesce(f.cells_cut, 0) as cells_cut
from ingest.load_files as f
left join compared as c on c.path = f.path and c.sha256 = f.sha256
where f.load_id = $load_id
    and f.outcome <> 'ALREADY_LOADED'
order by f.file_order

-- Batch for the anomalies_missing_returns suite: each area and period of
-- marts.area_return_quality, for the periods in which at least half of the areas that
-- existed have sent something ("a period others have reported"; a period only a few areas
-- have reported yet is still being collected, not missing).
with periods as (
    select
        period_id,
        count(*) filter (where indicators_received > 0) as areas_reporting,
        count(*) as areas_in_period
    from marts.area_return_quality
    group by period_id
)

select
    q.area_code,
    q.area_name,
    q.period_id,
    q.indicators_received,
    q.indicators_expected,
    p.areas_reporting,
    p.areas_in_period
from marts.area_return_quality as q
inner join periods as p on p.period_id = q.period_id
where p.areas_reporting * 2 >= p.areas_in_period
order by q.period_id, q.area_code

-- Batch for the caa_area_performance suite: the publication mart as dbt built it.
select
    c.area_code,
    c.ni_code,
    c.period_id,
    c.value,
    c.rank,
    c.areas_ranked,
    c.quartile,
    c.direction_of_travel,
    c.target_status,
    c.status,
    case
        when c.polarity = 'neither' or c.rank is null then c.quartile is null
        else c.quartile is not distinct from cast(ceil(4.0 * c.rank / c.areas_ranked) as integer)
    end as quartile_expected
from marts.caa_area_performance as c

-- Batch for the fct_indicator_values suite: every current value as dbt built it, with what
-- the reference seeds (temp tables ref_*, read from data/seeds) say about its keys.
select
    v.area_code,
    v.ni_code,
    v.period_id,
    v.value,
    v.status,
    v.revision_count,
    v.source_file,
    i.valid_min,
    i.valid_max,
    coalesce(p.period_type = i.period_type, false) as period_fits_indicator,
    ap.area_code is not null as area_in_period
from marts.fct_indicator_values as v
left join ref_indicators as i on i.ni_code = v.ni_code
left join ref_periods as p on p.period_id = v.period_id
left join ref_area_periods as ap on ap.area_code = v.area_code and ap.period_id = v.period_id

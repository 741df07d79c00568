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
    coalesce(
        (a.valid_from_period is null or p.financial_year >= a.valid_from_period)
        and (a.valid_to_period is null or p.financial_year <= a.valid_to_period),
        false
    ) as area_in_period
from marts.fct_indicator_values as v
left join ref_indicators as i on i.ni_code = v.ni_code
left join ref_areas as a on a.area_code = v.area_code
left join ref_periods as p on p.period_id = v.period_id

-- Batch for the ingest_accepted_values suite: the rows this load ($load_id) accepted, with
-- what the reference seeds (temp tables ref_indicators, ref_areas, ref_periods, read from
-- data/seeds, not from anything dbt built) say about their keys.
select
    v.path,
    v.line_number,
    v.area_code,
    v.ni_code,
    v.period_id,
    v.value,
    v.numerator,
    v.denominator,
    v.ci_lower,
    v.ci_upper,
    v.status,
    i.valid_min,
    i.valid_max,
    coalesce(p.period_type = i.period_type, false) as period_fits_indicator,
    coalesce(
        (a.valid_from_period is null or p.financial_year >= a.valid_from_period)
        and (a.valid_to_period is null or p.financial_year <= a.valid_to_period),
        false
    ) as area_in_period,
    case
        when v.value_derived then null
        when v.numerator is not null and v.denominator > 0
            then abs(v.value - v.numerator * i.multiplier / v.denominator)
    end as ratio_gap
from ingest.accepted_values as v
left join ref_indicators as i on i.ni_code = v.ni_code
left join ref_areas as a on a.area_code = v.area_code
left join ref_periods as p on p.period_id = v.period_id
where v.load_id = $load_id
order by v.file_order, v.line_number

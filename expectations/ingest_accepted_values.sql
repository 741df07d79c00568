-- Batch for the ingest_accepted_values suite: the rows this load ($load_id) accepted, and the
-- NI 152 / NI 153 versions it derived from the neighbourhood feed (ingest.derived_values), with
-- what the reference seeds (temp tables ref_indicators, ref_periods, ref_area_periods, read from
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
    ap.area_code is not null as area_in_period,
    case
        when v.value_derived then null
        when v.numerator is not null and v.denominator > 0
            then abs(v.value - v.numerator * i.multiplier / v.denominator)
    end as ratio_gap
from (
    select
        load_id, file_order, path, line_number, area_code, ni_code, period_id, value,
        value_derived, numerator, denominator, ci_lower, ci_upper, status
    from ingest.accepted_values
    union all
    select
        load_id, file_order, path, line_number, area_code, ni_code, period_id, value,
        value_derived, numerator, denominator, ci_lower, ci_upper, status
    from ingest.derived_values
) as v
left join ref_indicators as i on i.ni_code = v.ni_code
left join ref_periods as p on p.period_id = v.period_id
left join ref_area_periods as ap on ap.area_code = v.area_code and ap.period_id = v.period_id
where v.load_id = $load_id
order by v.file_order, v.line_number

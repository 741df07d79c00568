-- Batch for the anomalies_partial_resends suite: each version this load ($load_id) brought,
-- beside the previous version of the same area, indicator and period (version order).
with versions as (
    select
        area_code,
        ni_code,
        period_id,
        version_number,
        value,
        numerator,
        denominator,
        source_file as path,
        load_id,
        lag(version_number) over by_key as previous_version,
        lag(value) over by_key as previous_value,
        lag(numerator) over by_key as previous_numerator,
        lag(denominator) over by_key as previous_denominator
    from marts.fct_indicator_value_history
    window by_key as (partition by area_code, ni_code, period_id order by version_number)
)

select
    area_code,
    ni_code,
    period_id,
    path,
    previous_version,
    version_number,
    previous_value,
    value,
    previous_numerator,
    previous_denominator,
    previous_numerator is not null
    and previous_denominator is not null
    and (numerator is null or denominator is null) as drops_parts
from versions
where load_id = $load_id and previous_version is not null
order by area_code, ni_code, period_id, version_number

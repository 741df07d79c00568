with indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
)

select
    ni_code,
    ni_number,
    title,
    theme,
    polarity,
    unit,
    period_type,
    multiplier,
    valid_min,
    valid_max,
    aggregation,
    value_type,
    ci_method,
    collection,
    is_live,
    is_statutory_education_target,
    frequency,
    status_2008,
    notes,
    source,
    attributes_source,
    derived_attributes_basis
from indicators

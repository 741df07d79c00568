with current_values as (
    select * from {{ ref('int_values__current') }}
)

select
    area_code,
    ni_code,
    period_id,
    value,
    numerator,
    denominator,
    ci_lower,
    ci_upper,
    status,
    revision_count,
    source_file,
    loaded_at,
    value_derived,
    comment,
    source_line,
    load_id,
    period_type,
    financial_year
from current_values

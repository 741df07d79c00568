with versions as (
    select * from {{ ref('int_values__versioned') }}
)

select
    area_code,
    ni_code,
    period_id,
    version_number,
    is_current,
    value,
    value_derived,
    numerator,
    denominator,
    ci_lower,
    ci_upper,
    status,
    comment,
    source_file,
    source_line,
    sha256,
    loaded_at,
    load_id,
    load_seq,
    file_order
from versions

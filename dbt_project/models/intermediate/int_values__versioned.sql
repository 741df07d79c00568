-- Every accepted version of every (area, indicator, period) value, numbered in the order the
-- contract gives revisions: later load first by load_seq, then lexical file order within the
-- load, then the row's line in its file. The last version is the current value.
with accepted_values as (
    select * from {{ ref('stg_ingest__accepted_values') }}
),

numbered as (
    select
        area_code,
        ni_code,
        period_id,
        row_number() over (
            partition by area_code, ni_code, period_id
            order by load_seq, file_order, source_line
        ) as version_number,
        count(*) over (
            partition by area_code, ni_code, period_id
        ) as version_count,
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
        file_order,
        load_id,
        load_seq,
        loaded_at
    from accepted_values
)

select
    area_code,
    ni_code,
    period_id,
    cast(version_number as integer) as version_number,
    version_number = version_count as is_current,
    cast(version_count - 1 as integer) as revision_count,
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
    file_order,
    load_id,
    load_seq,
    loaded_at
from numbered

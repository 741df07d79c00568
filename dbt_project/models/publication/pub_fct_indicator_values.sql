-- The released area values: one row per (area, indicator, period) that is publishable
-- (int_values__publishable, scope publishable of int_values__scoped). Only what may be
-- published: no source file, line or comment. A negative zero is released as 0.0, as it always
-- has been (macros/without_negative_zero.sql).
{{ config(alias='fct_indicator_values') }}

with publishable_values as (
    select * from {{ ref('int_values__scoped') }}
    where scope = 'publishable'
)

select
    area_code,
    ni_code,
    period_id,
    {{ without_negative_zero('value') }} as value,
    {{ without_negative_zero('numerator') }} as numerator,
    {{ without_negative_zero('denominator') }} as denominator,
    {{ without_negative_zero('ci_lower') }} as ci_lower,
    {{ without_negative_zero('ci_upper') }} as ci_upper,
    status,
    version_number,
    period_type,
    publication_date
from publishable_values

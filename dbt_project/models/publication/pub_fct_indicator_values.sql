-- The released area values: one row per (area, indicator, period) that is publishable
-- (int_values__publishable). Only what may be published: no source file, line or comment.
{{ config(alias='fct_indicator_values') }}

with publishable as (
    select * from {{ ref('int_values__publishable') }}
),

embargo as (
    select * from {{ ref('pub_embargo') }}
)

select
    publishable.area_code,
    publishable.ni_code,
    publishable.period_id,
    publishable.value,
    publishable.numerator,
    publishable.denominator,
    publishable.ci_lower,
    publishable.ci_upper,
    publishable.status,
    publishable.version_number,
    publishable.period_type,
    embargo.publication_date
from publishable
left join embargo
    on publishable.period_id = embargo.period_id

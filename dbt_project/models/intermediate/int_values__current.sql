-- The current (last) version of each (area, indicator, period) value, with the attributes of
-- its period that the group, ranking and trend models need. Same columns as
-- int_values__publishable; the two are unioned, by scope, in int_values__scoped.
with versions as (
    select * from {{ ref('int_values__versioned') }}
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

current_versions as (
    select * from versions
    where is_current
)

select
    current_versions.area_code,
    current_versions.ni_code,
    current_versions.period_id,
    current_versions.version_number,
    current_versions.value,
    current_versions.value_derived,
    current_versions.numerator,
    current_versions.denominator,
    current_versions.ci_lower,
    current_versions.ci_upper,
    current_versions.status,
    current_versions.comment,
    current_versions.revision_count,
    current_versions.source_file,
    current_versions.source_line,
    current_versions.load_id,
    current_versions.loaded_at,
    periods.period_type,
    periods.financial_year,
    periods.start_date,
    periods.end_date,
    periods.sort_key
from current_versions
left join periods
    on current_versions.period_id = periods.period_id

-- The area values every performance model is built from, once per scope:
--   current      the current (last) version of each key, whatever its status
--                (int_values__current; the marts);
--   publishable  the latest final version of each key whose period is published
--                (int_values__publishable; the publication schema).
-- Every model built on this one keeps scope in its partitions and joins, so the two scopes
-- never mix; the marts and the publication tables each select one scope.
with current_values as (
    select * from {{ ref('int_values__current') }}
),

publishable_values as (
    select * from {{ ref('int_values__publishable') }}
),

embargo as (
    select * from {{ ref('int_periods__embargo') }}
),

scoped_values as (
    select
        'current' as scope,
        area_code,
        ni_code,
        period_id,
        version_number,
        value,
        value_derived,
        numerator,
        denominator,
        ci_lower,
        ci_upper,
        status,
        comment,
        revision_count,
        source_file,
        source_line,
        load_id,
        loaded_at,
        period_type,
        financial_year,
        start_date,
        end_date,
        sort_key
    from current_values

    union all

    select
        'publishable' as scope,
        area_code,
        ni_code,
        period_id,
        version_number,
        value,
        value_derived,
        numerator,
        denominator,
        ci_lower,
        ci_upper,
        status,
        comment,
        revision_count,
        source_file,
        source_line,
        load_id,
        loaded_at,
        period_type,
        financial_year,
        start_date,
        end_date,
        sort_key
    from publishable_values
)

select
    scoped_values.scope,
    scoped_values.area_code,
    scoped_values.ni_code,
    scoped_values.period_id,
    scoped_values.version_number,
    scoped_values.value,
    scoped_values.value_derived,
    scoped_values.numerator,
    scoped_values.denominator,
    scoped_values.ci_lower,
    scoped_values.ci_upper,
    scoped_values.status,
    scoped_values.comment,
    scoped_values.revision_count,
    scoped_values.source_file,
    scoped_values.source_line,
    scoped_values.load_id,
    scoped_values.loaded_at,
    scoped_values.period_type,
    scoped_values.financial_year,
    scoped_values.start_date,
    scoped_values.end_date,
    scoped_values.sort_key,
    embargo.publication_date
from scoped_values
left join embargo
    on scoped_values.period_id = embargo.period_id

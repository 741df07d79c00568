-- The values a release may hold: for each (area, indicator, period) whose period is past its
-- publication date, the latest version whose status is `final`. A later provisional revision
-- does not withdraw a final value already publishable; it waits until it is sent as final.
-- A key with no final version yet is not publishable at all. Same columns as
-- int_values__current; the two are unioned, by scope, in int_values__scoped.
-- The latest final version is found by joining on its number, not by row_number() = 1: DuckDB
-- rewrites that filter into arg_max() over a struct of the columns a query reads, which turns
-- -0.0 into 0.0, so the sign of a zero would depend on which columns a consumer selects.
with versions as (
    select * from {{ ref('int_values__versioned') }}
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

embargo as (
    select * from {{ ref('int_periods__embargo') }}
),

final_versions as (
    select versions.*
    from versions
    inner join embargo
        on versions.period_id = embargo.period_id
        and embargo.is_published
    where versions.status = 'final'
),

latest_final_versions as (
    select
        area_code,
        ni_code,
        period_id,
        max(version_number) as version_number
    from final_versions
    group by
        area_code,
        ni_code,
        period_id
)

select
    final_versions.area_code,
    final_versions.ni_code,
    final_versions.period_id,
    final_versions.version_number,
    final_versions.value,
    final_versions.value_derived,
    final_versions.numerator,
    final_versions.denominator,
    final_versions.ci_lower,
    final_versions.ci_upper,
    final_versions.status,
    final_versions.comment,
    final_versions.revision_count,
    final_versions.source_file,
    final_versions.source_line,
    final_versions.load_id,
    final_versions.loaded_at,
    periods.period_type,
    periods.financial_year,
    periods.start_date,
    periods.end_date,
    periods.sort_key
from final_versions
inner join latest_final_versions
    on final_versions.area_code = latest_final_versions.area_code
    and final_versions.ni_code = latest_final_versions.ni_code
    and final_versions.period_id = latest_final_versions.period_id
    and final_versions.version_number = latest_final_versions.version_number
left join periods
    on final_versions.period_id = periods.period_id

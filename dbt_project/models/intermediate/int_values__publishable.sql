-- The values a release may hold: for each (area, indicator, period) whose period is past its
-- publication date, the latest version whose status is `final`. A later provisional revision
-- does not withdraw a final value already publishable; it waits until it is sent as final.
-- A key with no final version yet is not publishable at all. Same columns as
-- int_values__current, so the shared macros (macros/performance/) work on either.
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
    select
        versions.*,
        row_number() over (
            partition by versions.area_code, versions.ni_code, versions.period_id
            order by versions.version_number desc
        ) as final_recency
    from versions
    inner join embargo
        on versions.period_id = embargo.period_id
        and embargo.is_published
    where versions.status = 'final'
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
left join periods
    on final_versions.period_id = periods.period_id
where final_versions.final_recency = 1

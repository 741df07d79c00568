-- Nothing in the publication schema may come from a provisional value or an embargoed period:
-- every released value is a final version of the ledger whose period's publication date is on
-- or before the embargo date, checked against the seeds rather than the models that chose it.
with released as (
    select
        area_code,
        ni_code,
        period_id,
        version_number,
        value
    from {{ ref('pub_fct_indicator_values') }}
),

versions as (
    select * from {{ ref('int_values__versioned') }}
),

publication_dates as (
    select * from {{ ref('publication_dates') }}
),

released_periods as (
    select period_id from {{ ref('pub_fct_group_values') }}
    union
    select period_id from {{ ref('pub_caa_area_performance') }}
    union
    select period_id from {{ ref('pub_fct_laa_target_progress') }}
    union
    select period_id from released
)

select
    released.area_code,
    released.ni_code,
    released.period_id,
    'not a final version of the ledger' as problem
from released
left join versions
    on released.area_code = versions.area_code
    and released.ni_code = versions.ni_code
    and released.period_id = versions.period_id
    and released.version_number = versions.version_number
where versions.status is distinct from 'final'
    or versions.value is distinct from released.value

union all

select
    null as area_code,
    null as ni_code,
    released_periods.period_id,
    'period not yet published' as problem
from released_periods
left join publication_dates
    on released_periods.period_id = publication_dates.period_id
where publication_dates.publication_date is null
    or cast(publication_dates.publication_date as date) > {{ publish_as_of() }}

-- Every period with its publication date and whether, on the embargo date of this build
-- (var publish_as_of), its final values may be published: publication_date <= as_of. A period
-- with no publication date is never published.
with periods as (
    select * from {{ ref('stg_reference__periods') }}
),

publication_dates as (
    select * from {{ ref('stg_reference__publication_dates') }}
)

select
    periods.period_id,
    periods.period_type,
    periods.label,
    publication_dates.publication_date,
    publication_dates.publication_basis,
    {{ publish_as_of() }} as as_of,
    coalesce(publication_dates.publication_date <= {{ publish_as_of() }}, false) as is_published
from periods
left join publication_dates
    on periods.period_id = publication_dates.period_id

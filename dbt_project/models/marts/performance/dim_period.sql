with periods as (
    select * from {{ ref('stg_reference__periods') }}
)

select
    period_id,
    period_type,
    label,
    start_date,
    end_date,
    financial_year,
    sort_key
from periods

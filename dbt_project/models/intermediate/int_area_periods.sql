-- Which area existed in which period. An area exists in a period when the period's reporting
-- year (its financial_year) lies within the area's valid_from_period..valid_to_period, a null
-- bound being open. Financial-year ids ('2008-09') sort as text in time order.
with areas as (
    select * from {{ ref('stg_reference__areas') }}
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
)

select
    areas.area_code,
    periods.period_id,
    periods.period_type,
    periods.financial_year
from areas
inner join periods
    on (areas.valid_from_period is null or areas.valid_from_period <= periods.financial_year)
    and (areas.valid_to_period is null or areas.valid_to_period >= periods.financial_year)

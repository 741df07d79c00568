-- The current LSOA rates: each quarter's rows from the last load that derived that quarter
-- (a load derives a quarter whole, so its rows replace the quarter's earlier version).
with rates as (
    select * from {{ source('ingest', 'feed_lsoa_rates') }}
),

latest as (
    select
        quarter,
        max(load_seq) as load_seq
    from rates
    group by quarter
)

select
    cast(rates.lsoa_code as varchar) as lsoa_code,
    cast(rates.quarter as varchar) as quarter,  -- noqa: RF04
    cast(rates.main_claimants as bigint) as main_claimants,
    cast(rates.working_age_population as bigint) as working_age_population,
    cast(rates.population_year as integer) as population_year,
    cast(rates.rate as double) as rate,
    cast(rates.load_id as varchar) as load_id
from rates
inner join latest
    on rates.quarter = latest.quarter and rates.load_seq = latest.load_seq

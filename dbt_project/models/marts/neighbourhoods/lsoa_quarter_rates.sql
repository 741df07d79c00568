{{ config(materialized='view') }}
-- Each LSOA's out-of-work rate in each quarter of the feed, current (a view: ~1.7 million rows
-- at national scale, kept once in the ledger table ingest.feed_lsoa_rates, not copied).
with rates as (
    select * from {{ ref('stg_ingest__feed_lsoa_rates') }}
),

neighbourhoods as (
    select * from {{ ref('stg_ingest__feed_neighbourhoods') }}
)

select
    rates.lsoa_code,
    rates.quarter,
    case
        when rates.quarter < '2009-04' then neighbourhoods.area_code_before_2009
        else neighbourhoods.area_code_from_2009
    end as area_code,
    rates.main_claimants,
    rates.working_age_population,
    rates.population_year,
    rates.rate,
    coalesce(neighbourhoods.is_qualifying, false) as is_qualifying,
    rates.load_id
from rates
left join neighbourhoods on rates.lsoa_code = neighbourhoods.lsoa_code

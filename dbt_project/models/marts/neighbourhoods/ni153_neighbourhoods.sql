-- NI 153's neighbourhoods: every 2001 LSOA of the lookup, its baseline out-of-work rate (the
-- mean of its rates in 2006-05, 2006-08, 2006-11 and 2007-02) and whether it qualifies (a
-- baseline of 25 % or more). Fixed by the baseline; a new version only when a baseline
-- quarter's or a population file's rows were revised (pipelines/feeds/load.py).
with neighbourhoods as (
    select * from {{ ref('stg_ingest__feed_neighbourhoods') }}
),

lookup as (
    select * from {{ ref('stg_reference__lsoa_area_lookup') }}
)

select
    neighbourhoods.lsoa_code,
    neighbourhoods.area_code_from_2009 as area_code,
    neighbourhoods.area_code_before_2009,
    neighbourhoods.baseline_rate,
    neighbourhoods.baseline_quarters,
    neighbourhoods.is_qualifying,
    coalesce(lookup.is_illustrative, false) as is_lookup_illustrative,
    neighbourhoods.load_id
from neighbourhoods
left join lookup on neighbourhoods.lsoa_code = lookup.lsoa_code

-- NI 153's neighbourhoods as the last load that moved them left them (one whole version).
with neighbourhoods as (
    select * from {{ source('ingest', 'feed_neighbourhoods') }}
),

latest as (
    select max(load_seq) as load_seq from neighbourhoods
)

select
    cast(neighbourhoods.lsoa_code as varchar) as lsoa_code,
    cast(neighbourhoods.area_code_before_2009 as varchar) as area_code_before_2009,
    cast(neighbourhoods.area_code_from_2009 as varchar) as area_code_from_2009,
    cast(neighbourhoods.baseline_rate as double) as baseline_rate,
    cast(neighbourhoods.baseline_quarters as integer) as baseline_quarters,
    cast(neighbourhoods.qualifying as boolean) as is_qualifying,
    cast(neighbourhoods.load_id as varchar) as load_id
from neighbourhoods
inner join latest on neighbourhoods.load_seq = latest.load_seq

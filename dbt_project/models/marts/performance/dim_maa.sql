-- One row per Multi-Area Agreement; the members file repeats the MAA on every member row.
with maa_members as (
    select * from {{ ref('stg_reference__maa_members') }}
)

select distinct
    maa_code,
    maa_name,
    wave,
    established
from maa_members

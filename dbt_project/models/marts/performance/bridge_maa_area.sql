-- MAA membership. District members whose code is not an LAA area keep a null area_code; a
-- member is identified by maa_code + member_name.
with maa_members as (
    select * from {{ ref('stg_reference__maa_members') }}
)

select
    maa_code,
    area_code,
    member_tier,
    member_name,
    member_type,
    membership_basis,
    source
from maa_members

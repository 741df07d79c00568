with source as (
    select * from {{ ref('maa_members') }}
),

renamed as (
    select
        cast(maa_code as varchar) as maa_code,
        cast(maa_name as varchar) as maa_name,
        cast(wave as integer) as wave,
        cast(established as varchar) as established,
        cast(member_name as varchar) as member_name,
        cast(area_code as varchar) as area_code,
        cast(member_tier as varchar) as member_tier,
        cast(member_type as varchar) as member_type,
        cast(membership_basis as varchar) as membership_basis,
        cast(source as varchar) as source
    from source
)

select * from renamed

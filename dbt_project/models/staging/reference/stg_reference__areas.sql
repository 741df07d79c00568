with source as (
    select * from {{ ref('areas') }}
),

renamed as (
    select
        cast(area_code as varchar) as area_code,
        cast(area_name as varchar) as area_name,
        cast(area_type as varchar) as area_type,
        cast(region as varchar) as region,
        cast(region_code as varchar) as region_code,
        cast(valid_from_period as varchar) as valid_from_period,
        cast(valid_to_period as varchar) as valid_to_period,
        cast(is_laa_2008 as boolean) as is_laa_2008,
        cast(code_is_inferred as boolean) as code_is_inferred,
        cast(successor_gss_code as varchar) as successor_gss_code,
        cast(source as varchar) as source,
        cast(notes as varchar) as notes
    from source
)

select * from renamed

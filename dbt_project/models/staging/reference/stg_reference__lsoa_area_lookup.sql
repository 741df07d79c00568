-- Each 2001 LSOA of England with the LAA area it lies in before April 2009 and from April 2009
-- (the seed lsoa_area_lookup; ILLUSTRATIVE until replaced by the real lookup, see
-- data/seeds/README.md). NI 152 and NI 153 are derived over these neighbourhoods.
with source as (
    select * from {{ ref('lsoa_area_lookup') }}
),

renamed as (
    select
        cast(lsoa_code as varchar) as lsoa_code,
        cast(area_code_before_2009 as varchar) as area_code_before_2009,
        cast(area_code_from_2009 as varchar) as area_code_from_2009,
        cast(is_illustrative as boolean) as is_illustrative
    from source
)

select * from renamed

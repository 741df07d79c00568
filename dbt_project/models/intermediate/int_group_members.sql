-- The areas that make up each reporting group: England (every area), each region (areas by
-- their region_code) and each MAA (its top-tier members that are LAA areas; district members
-- have no LAA values of their own and are left out).
with areas as (
    select * from {{ ref('stg_reference__areas') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

maa_members as (
    select * from {{ ref('stg_reference__maa_members') }}
),

england as (
    select
        'england' as group_type,
        'E92000001' as group_code,
        'England' as group_name,
        area_code
    from areas
),

region as (
    select
        'region' as group_type,
        areas.region_code as group_code,
        coalesce(regions.region_name, areas.region) as group_name,
        areas.area_code
    from areas
    left join regions
        on areas.region_code = regions.region_code
),

maa as (
    select
        'maa' as group_type,
        maa_code as group_code,
        maa_name as group_name,
        area_code
    from maa_members
    where member_tier = 'top_tier'
        and area_code is not null
)

select * from england
union all
select * from region
union all
select * from maa

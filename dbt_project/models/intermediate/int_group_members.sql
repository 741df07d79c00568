-- The areas that make up each reporting group: England (every area), each region (areas by
-- their region_code), each MAA (its top-tier members that are LAA areas; district members
-- have no LAA values of their own and are left out), each area type (every area of the type)
-- and each area's statistical neighbours (its 15 nearest, int_comparator_distances; the area
-- itself is never one). member_rank and distance are the neighbour's rank (1 = nearest) and
-- distance (0 to 1); null in every other group. The groups' names: int_comparator_groups.
with areas as (
    select * from {{ ref('stg_reference__areas') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

maa_members as (
    select * from {{ ref('stg_reference__maa_members') }}
),

comparator_groups as (
    select * from {{ ref('int_comparator_groups') }}
),

nearest as (
    select * from {{ ref('int_comparator_distances') }}
    where is_neighbour
),

england as (
    select
        'england' as group_type,
        'E92000001' as group_code,
        'England' as group_name,
        area_code,
        cast(null as integer) as member_rank,
        cast(null as double) as distance
    from areas
),

region as (
    select
        'region' as group_type,
        areas.region_code as group_code,
        coalesce(regions.region_name, areas.region) as group_name,
        areas.area_code,
        cast(null as integer) as member_rank,
        cast(null as double) as distance
    from areas
    left join regions
        on areas.region_code = regions.region_code
),

maa as (
    select
        'maa' as group_type,
        maa_code as group_code,
        maa_name as group_name,
        area_code,
        cast(null as integer) as member_rank,
        cast(null as double) as distance
    from maa_members
    where member_tier = 'top_tier'
        and area_code is not null
),

area_type as (
    select
        'area_type' as group_type,
        comparator_groups.group_code,
        comparator_groups.group_name,
        areas.area_code,
        cast(null as integer) as member_rank,
        cast(null as double) as distance
    from areas
    inner join comparator_groups
        on comparator_groups.group_type = 'area_type'
        and areas.area_type = comparator_groups.area_type
),

neighbours as (
    select
        'neighbours' as group_type,
        comparator_groups.group_code,
        comparator_groups.group_name,
        nearest.other_area_code as area_code,
        nearest.neighbour_rank as member_rank,
        nearest.distance
    from nearest
    inner join comparator_groups
        on comparator_groups.group_type = 'neighbours'
        and nearest.area_code = comparator_groups.neighbours_of
)

select * from england
union all
select * from region
union all
select * from maa
union all
select * from area_type
union all
select * from neighbours

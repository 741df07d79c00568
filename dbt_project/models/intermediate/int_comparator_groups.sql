-- Every comparator group an area can be set beside (docs/comparators.md), one row per group:
--   neighbours  each area's statistical neighbours (int_comparator_distances), one group per
--               area code, whether or not the area could be placed (its members are then
--               none); group_code NEIGHBOURS_ + the area's code;
--   area_type   every area of the same type (areas seed area_type: counties, unitaries,
--               metropolitan districts, London boroughs); group_code AREA_TYPE_ + the type;
--   region      every area of the region (its GSS code);
--   maa         an MAA's top-tier members that are LAA areas (its maa_code).
-- int_group_members lists the members; this model names the groups and says how each is made.
with areas as (
    select * from {{ ref('stg_reference__areas') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

maa_members as (
    select * from {{ ref('stg_reference__maa_members') }}
),

contextual_variables as (
    select * from {{ ref('int_comparator_variables') }}
),

-- the indicators in words for the method (string_agg: standard in PostgreSQL and DuckDB,
-- listagg elsewhere)
variable_list as (
    select string_agg(ni_code, ', ' order by ni_code) as ni_codes
    from contextual_variables
),

neighbours as (
    select
        'neighbours' as group_type,
        'NEIGHBOURS_' || areas.area_code as group_code,
        'Statistical neighbours of ' || areas.area_name as group_name,
        areas.area_code as neighbours_of,
        cast(null as varchar) as area_type,
        'the 15 nearest areas by Euclidean distance over the standardised contextual '
        || 'indicators of the baseline year (' || variable_list.ni_codes || '; 2008-09, '
        || 'or 2009-10 for an area created in 2009), among the areas that existed with it '
        || 'in at least one year' as method
    from areas
    cross join variable_list
),

area_types as (
    select distinct
        'area_type' as group_type,
        'AREA_TYPE_' || upper(area_type) as group_code,
        case area_type
            when 'county' then 'Counties'
            when 'unitary' then 'Unitary authorities'
            when 'metropolitan_district' then 'Metropolitan districts'
            when 'london_borough' then 'London boroughs'
            else area_type
        end as group_name,
        cast(null as varchar) as neighbours_of,
        area_type,
        'every area of the type (areas seed area_type)' as method
    from areas
),

region as (
    select
        'region' as group_type,
        region_code as group_code,
        region_name as group_name,
        cast(null as varchar) as neighbours_of,
        cast(null as varchar) as area_type,
        'every area of the region (areas seed region_code)' as method
    from regions
),

maa as (
    select distinct
        'maa' as group_type,
        maa_code as group_code,
        maa_name as group_name,
        cast(null as varchar) as neighbours_of,
        cast(null as varchar) as area_type,
        'the MAA''s top-tier members that are LAA areas (districts have none)' as method
    from maa_members
)

select * from neighbours
union all
select * from area_types
union all
select * from region
union all
select * from maa

with areas as (
    select * from {{ ref('stg_reference__areas') }}
),

tiles as (
    select * from {{ ref('stg_reference__area_tiles') }}
)

select
    areas.area_code,
    areas.area_name,
    areas.area_type,
    areas.region,
    areas.valid_from_period,
    areas.valid_to_period,
    areas.region_code,
    areas.code_is_inferred,
    areas.is_laa_2008,
    areas.successor_gss_code,
    areas.source,
    areas.notes,
    tiles.tile_col,
    tiles.tile_row
from areas
left join tiles on areas.area_code = tiles.area_code

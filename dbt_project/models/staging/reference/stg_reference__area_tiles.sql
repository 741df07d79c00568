with source as (
    select * from {{ ref('area_tiles') }}
),

renamed as (
    select
        cast(area_code as varchar) as area_code,
        cast(tile_col as integer) as tile_col,
        cast(tile_row as integer) as tile_row,
        cast(source as varchar) as source
    from source
)

select * from renamed

with source as (
    select * from {{ source('ingest', 'load_files') }}
),

renamed as (
    select
        cast(load_id as varchar) as load_id,
        cast(path as varchar) as path,
        cast(sha256 as varchar) as sha256,
        cast(format as varchar) as format,
        cast(file_order as integer) as file_order,
        cast(outcome as varchar) as outcome,
        cast(reason as varchar) as reason,
        cast(message as varchar) as message,
        cast(encoding as varchar) as encoding,
        cast(sheet as varchar) as sheet,
        cast(header_line as integer) as header_line,
        cast(extra_columns as varchar) as extra_columns,
        cast(rows_read as bigint) as rows_read,
        cast(rows_accepted as bigint) as rows_accepted,
        cast(rows_rejected as bigint) as rows_rejected,
        cast(loaded_at as timestamp) as loaded_at,
        coalesce(cast(demo as boolean), false) as is_demo,
        coalesce(cast(cells_cut as integer), 0) as cells_cut
    from source
)

select * from renamed

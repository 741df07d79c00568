with source as (
    select * from {{ source('ingest', 'feed_files') }}
)

select
    cast(load_id as varchar) as load_id,
    cast(load_seq as integer) as load_seq,
    cast(path as varchar) as path,
    cast(sha256 as varchar) as sha256,
    cast(format as varchar) as format,
    cast(kind as varchar) as kind,
    cast(file_order as integer) as file_order,
    cast(outcome as varchar) as outcome,
    cast(reason as varchar) as reason,
    cast(message as varchar) as message,
    cast(rows_read as bigint) as rows_read,
    cast(rows_accepted as bigint) as rows_accepted,
    cast(rows_rejected as bigint) as rows_rejected,
    cast(keys_stored as bigint) as keys_stored,
    cast(loaded_at as timestamp) as loaded_at,
    cast(demo as boolean) as is_demo
from source

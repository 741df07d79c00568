with source as (
    select * from {{ source('ingest', 'feed_rejected_rows') }}
)

select
    cast(load_id as varchar) as load_id,
    cast(path as varchar) as path,
    cast(sha256 as varchar) as sha256,
    cast(line_number as bigint) as line_number,
    cast(raw as varchar) as raw,
    cast(reason_code as varchar) as reason_code,
    cast(message as varchar) as message,
    cast(lsoa_code as varchar) as lsoa_code
from source

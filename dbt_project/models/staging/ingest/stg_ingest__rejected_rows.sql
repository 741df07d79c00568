with source as (
    select * from {{ source('ingest', 'rejected_rows') }}
),

renamed as (
    select
        cast(load_id as varchar) as load_id,
        cast(path as varchar) as path,
        cast(sha256 as varchar) as sha256,
        cast(line_number as integer) as line_number,
        cast(raw as varchar) as raw,
        cast(reason_code as varchar) as reason_code,
        cast(message as varchar) as message,
        cast(area_code as varchar) as area_code,
        cast(ni_code as varchar) as ni_code,
        cast(period_id as varchar) as period_id
    from source
)

select * from renamed

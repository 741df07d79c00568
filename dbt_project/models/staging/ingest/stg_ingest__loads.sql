with source as (
    select * from {{ source('ingest', 'loads') }}
),

renamed as (
    select
        cast(load_id as varchar) as load_id,
        cast(load_seq as integer) as load_seq,
        cast(started_at as timestamp) as started_at,
        cast(finished_at as timestamp) as finished_at,
        cast(outcome as varchar) as outcome,
        cast(files as integer) as files,
        cast(rows_accepted as bigint) as rows_accepted,
        cast(rows_rejected as bigint) as rows_rejected
    from source
)

select * from renamed

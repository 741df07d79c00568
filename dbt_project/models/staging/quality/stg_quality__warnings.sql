with source as (
    select * from {{ source('quality', 'warnings') }}
),

renamed as (
    select
        cast(load_id as varchar) as load_id,
        cast(run_id as varchar) as run_id,
        cast(raised_at as timestamp) as raised_at,
        cast(suite as varchar) as suite,
        cast(rule as varchar) as rule,
        cast(area_code as varchar) as area_code,
        cast(ni_code as varchar) as ni_code,
        cast(period_id as varchar) as period_id,
        cast(path as varchar) as path,
        cast(previous_period_id as varchar) as previous_period_id,
        cast(previous_value as double) as previous_value,
        cast(value as double) as value,
        cast(message as varchar) as message
    from source
)

select * from renamed

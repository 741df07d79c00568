with source as (
    select * from {{ source('quality', 'check_results') }}
),

renamed as (
    select
        cast(load_id as varchar) as load_id,
        cast(run_id as varchar) as run_id,
        cast(checked_at as timestamp) as checked_at,
        cast(suite as varchar) as suite,
        cast(asset as varchar) as asset,
        cast(rule as varchar) as rule,
        cast(expectation as varchar) as expectation,
        cast(severity as varchar) as severity,
        cast(success as boolean) as success,
        cast(element_count as bigint) as element_count,
        cast(unexpected_count as bigint) as unexpected_count,
        cast(examples as varchar) as examples
    from source
)

select * from renamed

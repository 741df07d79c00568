with source as (
    select * from {{ ref('poisson_limits') }}
),

renamed as (
    select
        cast(observed as integer) as observed,
        cast(confidence as double) as confidence,
        cast(lower as double) as lower_limit,
        cast(upper as double) as upper_limit
    from source
)

select * from renamed

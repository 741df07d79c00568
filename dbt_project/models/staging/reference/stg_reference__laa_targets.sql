with source as (
    select * from {{ ref('laa_targets') }}
),

renamed as (
    select
        cast(area_code as varchar) as area_code,
        cast(ni_code as varchar) as ni_code,
        trim(cast(period as varchar)) as period,
        cast(target_value as double) as target_value,
        cast(designated as boolean) as designated,
        cast(statutory as boolean) as statutory,
        trim(cast(baseline_period as varchar)) as baseline_period,
        cast(baseline_value as double) as baseline_value,
        cast(is_illustrative as boolean) as is_illustrative
    from source
)

select * from renamed

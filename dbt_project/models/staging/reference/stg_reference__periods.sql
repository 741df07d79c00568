with source as (
    select * from {{ ref('periods') }}
),

renamed as (
    select
        cast(period_id as varchar) as period_id,
        cast(period_type as varchar) as period_type,
        cast(label as varchar) as label,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(financial_year as varchar) as financial_year,
        cast(sort_key as integer) as sort_key
    from source
)

select * from renamed

with source as (
    select * from {{ ref('publication_dates') }}
),

renamed as (
    select
        cast(period_id as varchar) as period_id,
        cast(publication_date as date) as publication_date,
        cast(basis as varchar) as publication_basis
    from source
)

select * from renamed

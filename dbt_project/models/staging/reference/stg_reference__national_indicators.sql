with source as (
    select * from {{ ref('national_indicators') }}
),

renamed as (
    select
        cast(ni_code as varchar) as ni_code,
        cast(ni_number as integer) as ni_number,
        cast(title as varchar) as title,
        cast(theme as varchar) as theme,
        cast(polarity as varchar) as polarity,
        cast(unit as varchar) as unit,
        cast(period_type as varchar) as period_type,
        cast(multiplier as double) as multiplier,
        cast(valid_min as double) as valid_min,
        cast(valid_max as double) as valid_max,
        cast(aggregation as varchar) as aggregation,
        cast(value_type as varchar) as value_type,
        cast(ci_method as varchar) as ci_method,
        cast(collection as varchar) as collection,
        cast(frequency as varchar) as frequency,
        cast(is_live as boolean) as is_live,
        cast(is_statutory_education_target as boolean) as is_statutory_education_target,
        cast(status_2008 as varchar) as status_2008,
        cast(notes as varchar) as notes,
        cast(source as varchar) as source,
        cast(attributes_source as varchar) as attributes_source,
        cast(derived_attributes_basis as varchar) as derived_attributes_basis
    from source
)

select * from renamed

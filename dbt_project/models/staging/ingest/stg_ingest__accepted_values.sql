-- Every accepted version: the rows of returns, and the NI 152 / NI 153 versions derived from
-- the neighbourhood feed (pipelines/feeds/load.py), which sort after the load's returns.
-- the columns both ledger tables share, in the ledger's order
{% set ledger_columns = [
    'load_id',
    'load_seq',
    'path',
    'sha256',
    'file_order',
    'line_number',
    'area_code',
    'ni_code',
    'period_id',
    'value',
    'value_derived',
    'numerator',
    'denominator',
    'ci_lower',
    'ci_upper',
    'status',
    'comment',
    'loaded_at',
    'copies',
] %}

with source as (
    select * from {{ source('ingest', 'accepted_values') }}
),

derived as (
    select * from {{ source('ingest', 'derived_values') }}
),

unioned as (
    select {{ ledger_columns | join(', ') }}
    from source
    union all
    select {{ ledger_columns | join(', ') }}
    from derived
),

renamed as (
    select
        cast(load_id as varchar) as load_id,
        cast(load_seq as integer) as load_seq,
        cast(path as varchar) as source_file,
        cast(sha256 as varchar) as sha256,
        cast(file_order as integer) as file_order,
        cast(line_number as integer) as source_line,
        cast(area_code as varchar) as area_code,
        cast(ni_code as varchar) as ni_code,
        cast(period_id as varchar) as period_id,
        cast(value as double) as value,
        cast(value_derived as boolean) as value_derived,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(ci_lower as double) as ci_lower,
        cast(ci_upper as double) as ci_upper,
        cast(status as varchar) as status,
        cast(comment as varchar) as comment,
        cast(loaded_at as timestamp) as loaded_at,
        cast(copies as integer) as copies
    from unioned
)

select * from renamed

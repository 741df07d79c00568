with areas as (
    select * from {{ ref('stg_reference__areas') }}
)

select
    area_code,
    area_name,
    area_type,
    region,
    valid_from_period,
    valid_to_period,
    region_code,
    code_is_inferred,
    is_laa_2008,
    successor_gss_code,
    source,
    notes
from areas

-- Every warning the quality checks raised, over all loads. A view, not a table: a load's
-- warnings are appended to quality.warnings after `dbt build` has run (the checks look at the
-- built marts, before the file is published), so a table would always be one load behind.
{{ config(materialized='view') }}

with warnings as (
    select * from {{ ref('stg_quality__warnings') }}
),

loads as (
    select * from {{ ref('stg_ingest__loads') }}
)

select
    warnings.load_id,
    loads.load_seq,
    warnings.raised_at,
    warnings.suite,
    warnings.rule,
    warnings.area_code,
    warnings.ni_code,
    warnings.period_id,
    warnings.path,
    warnings.previous_period_id,
    warnings.previous_value,
    warnings.value,
    warnings.message,
    warnings.run_id
from warnings
left join loads
    on warnings.load_id = loads.load_id

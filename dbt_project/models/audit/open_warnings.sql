-- The warnings still open: those raised by the last load that took files up. A night that
-- brings nothing new judges nothing new (only missing returns are judged again), so without
-- this view "the last load's warnings" would read as none after every quiet night.
{{ config(materialized='view') }}

with warnings as (
    select * from {{ ref('quality_warnings') }}
),

loads as (
    select * from {{ ref('stg_ingest__loads') }}
),

last_with_files as (
    select load_id
    from loads
    where outcome = 'loaded'
    order by load_seq desc
    limit 1
)

select
    warnings.load_id,
    warnings.load_seq,
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
inner join last_with_files
    on warnings.load_id = last_with_files.load_id

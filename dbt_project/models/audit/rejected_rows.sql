with rejected_rows as (
    select * from {{ ref('stg_ingest__rejected_rows') }}
),

load_files as (
    select * from {{ ref('stg_ingest__load_files') }}
),

loads as (
    select * from {{ ref('stg_ingest__loads') }}
)

select
    rejected_rows.path,
    rejected_rows.sha256,
    rejected_rows.line_number,
    rejected_rows.raw,
    rejected_rows.reason_code,
    rejected_rows.message,
    rejected_rows.load_id,
    load_files.loaded_at,
    load_files.file_order,
    loads.load_seq,
    rejected_rows.area_code,
    rejected_rows.ni_code,
    rejected_rows.period_id
from rejected_rows
left join load_files
    on rejected_rows.load_id = load_files.load_id
    and rejected_rows.path = load_files.path
left join loads
    on rejected_rows.load_id = loads.load_id

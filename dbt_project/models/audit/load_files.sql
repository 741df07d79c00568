with load_files as (
    select * from {{ ref('stg_ingest__load_files') }}
),

loads as (
    select * from {{ ref('stg_ingest__loads') }}
)

select
    load_files.path,
    load_files.sha256,
    load_files.format,
    load_files.outcome,
    load_files.reason,
    load_files.extra_columns,
    load_files.rows_read,
    load_files.rows_accepted,
    load_files.rows_rejected,
    load_files.load_id,
    load_files.loaded_at,
    load_files.message,
    load_files.file_order,
    loads.load_seq,
    load_files.encoding,
    load_files.sheet,
    load_files.header_line,
    load_files.is_demo,
    load_files.cells_cut
from load_files
left join loads
    on load_files.load_id = loads.load_id

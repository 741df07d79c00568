with loads as (
    select * from {{ ref('stg_ingest__loads') }}
)

select
    load_id,
    started_at,
    finished_at,
    outcome,
    files,
    rows_accepted,
    rows_rejected,
    load_seq
from loads

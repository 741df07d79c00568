-- Every departmental feed file a load took up: outcome, kind and row accounting.
with feed_files as (
    select * from {{ ref('stg_ingest__feed_files') }}
)

select
    load_id,
    load_seq,
    path,
    sha256,
    format,
    kind,
    file_order,
    outcome,
    reason,
    message,
    rows_read,
    rows_accepted,
    rows_rejected,
    keys_stored,
    loaded_at,
    is_demo
from feed_files

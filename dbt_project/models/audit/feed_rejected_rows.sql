-- Every rejected feed row: file, line, the row as read, reason and a sentence for a person.
with feed_rejected_rows as (
    select * from {{ ref('stg_ingest__feed_rejected_rows') }}
)

select
    load_id,
    path,
    sha256,
    line_number,
    raw,
    reason_code,
    message,
    lsoa_code
from feed_rejected_rows

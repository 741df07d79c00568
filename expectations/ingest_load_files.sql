-- Batch for the ingest_load_files suite: the files this load ($load_id) took up, each with
-- its rows re-counted from the ledger rows it left behind.
with accepted as (
    select
        path,
        sha256,
        sum(coalesce(copies, 1)) as rows_in_ledger
    from ingest.accepted_values
    where load_id = $load_id
    group by path, sha256
),

rejected as (
    select
        path,
        sha256,
        count(*) as rows_in_ledger
    from ingest.rejected_rows
    where load_id = $load_id
    group by path, sha256
)

select
    f.path,
    f.outcome,
    case when f.outcome = 'REJECTED' then coalesce(f.reason, '(none)') end as rejection_reason,
    f.rows_read,
    f.rows_accepted,
    f.rows_rejected,
    f.rows_accepted + f.rows_rejected as rows_accounted,
    coalesce(a.rows_in_ledger, 0) as accepted_rows_in_ledger,
    coalesce(r.rows_in_ledger, 0) as rejected_rows_in_ledger
from ingest.load_files as f
left join accepted as a
    on a.path = f.path and a.sha256 = f.sha256
left join rejected as r
    on r.path = f.path and r.sha256 = f.sha256
where f.load_id = $load_id
order by f.file_order

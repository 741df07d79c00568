-- The embargo of this build as released: every period, its publication date and whether it is
-- published. The rule: models/intermediate/int_periods__embargo.sql.
{{ config(alias='embargo') }}

with embargo as (
    select * from {{ ref('int_periods__embargo') }}
)

select
    period_id,
    period_type,
    label,
    publication_date,
    publication_basis,
    as_of,
    is_published
from embargo

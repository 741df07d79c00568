-- The comparator groups an area can be set beside, one row per group: each area's statistical
-- neighbours, each area type, each region and each MAA; the rules and the method:
-- models/intermediate/int_comparator_groups.sql and docs/comparators.md. Members:
-- bridge_comparator_area.
with comparator_groups as (
    select * from {{ ref('int_comparator_groups') }}
)

select
    group_code,
    group_name,
    group_type,
    neighbours_of,
    method
from comparator_groups

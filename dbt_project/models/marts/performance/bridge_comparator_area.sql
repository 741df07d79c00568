-- The member areas of each comparator group (dim_comparator_group), one row per group and
-- member; for a neighbours group its 15 nearest areas with their rank (1 = nearest) and
-- distance (0 to 1, the farthest pair of areas being 1), null in the other groups. The rules:
-- models/intermediate/int_group_members.sql and int_comparator_distances.sql.
with group_members as (
    select * from {{ ref('int_group_members') }}
    where group_type <> 'england'
)

select
    group_code,
    area_code,
    member_rank as rank,
    distance
from group_members

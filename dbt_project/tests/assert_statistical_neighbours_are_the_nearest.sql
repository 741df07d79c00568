-- Each area's statistical neighbours (int_comparator_distances, docs/comparators.md) are its
-- nearest candidates, checked apart from the model's own ranking. Returns a row per breach:
--   count      an area has min(15, its candidates with a distance) neighbours;
--   ranks      its neighbours are ranked 1..n without a gap;
--   order      distance never decreases with rank, and no candidate left out is nearer than
--              the farthest neighbour;
--   symmetry   the distance from a to b is the distance from b to a;
--   together   a neighbour existed in at least one period with the area (int_area_periods);
--   farthest   the largest distance of all is 1 (when any pair has one).
with distances as (
    select * from {{ ref('int_comparator_distances') }}
),

area_periods as (
    select * from {{ ref('int_area_periods') }}
),

per_area as (
    select
        area_code,
        count(distance) as candidates,
        sum(case when is_neighbour then 1 else 0 end) as neighbours,
        max(case when is_neighbour then neighbour_rank end) as last_rank,
        max(case when is_neighbour then distance end) as farthest_neighbour,
        min(case when not is_neighbour then distance end) as nearest_left_out
    from distances
    group by area_code
),

count_breaches as (
    select
        'count' as breach,
        area_code,
        cast(null as varchar) as other_area_code
    from per_area
    where neighbours <> least(15, candidates)
        or last_rank <> neighbours
        or nearest_left_out < farthest_neighbour
),

order_breaches as (
    select
        'order' as breach,
        nearer.area_code,
        nearer.other_area_code
    from distances as nearer
    inner join distances as farther
        on nearer.area_code = farther.area_code
        and nearer.neighbour_rank + 1 = farther.neighbour_rank
    where nearer.distance > farther.distance
),

symmetry_breaches as (
    select
        'symmetry' as breach,
        one_way.area_code,
        one_way.other_area_code
    from distances as one_way
    left join distances as other_way
        on one_way.area_code = other_way.other_area_code
        and one_way.other_area_code = other_way.area_code
    where other_way.area_code is null
        or one_way.distance <> other_way.distance
),

together_breaches as (
    select
        'together' as breach,
        distances.area_code,
        distances.other_area_code
    from distances
    where distances.is_neighbour
        and not exists (
            select 1
            from area_periods as area_period
            inner join area_periods as other_period
                on area_period.period_id = other_period.period_id
            where area_period.area_code = distances.area_code
                and other_period.area_code = distances.other_area_code
        )
),

farthest_breaches as (
    select
        'farthest' as breach,
        cast(null as varchar) as area_code,
        cast(null as varchar) as other_area_code
    from distances
    having count(distance) > 0
        and max(distance) <> 1
)

select * from count_breaches
union all
select * from order_breaches
union all
select * from symmetry_breaches
union all
select * from together_breaches
union all
select * from farthest_breaches

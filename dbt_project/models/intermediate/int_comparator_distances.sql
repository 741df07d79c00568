-- The distance between every two areas that could be neighbours, and each area's nearest 15
-- (docs/comparators.md), as in CIPFA's nearest-neighbour model: Euclidean distance between
-- the areas' standardised contextual profiles (int_comparator_baseline), rescaled so that the
-- farthest pair is 1.
--   candidates   two different areas that exist together in at least one reporting year
--                (their valid_from_period..valid_to_period overlap), so Bedfordshire (to
--                2008-09) may have Cheshire as a neighbour but never Bedford (from 2009-10);
--   missing      a pair is compared over the indicators both areas have (with an sd), the
--                sum of squares scaled by K / compared (K: indicators that place anyone), so
--                a gap makes an area neither nearer nor farther; a pair sharing fewer than
--                half of the K indicators has no distance and is not a candidate;
--   rank         1 = nearest; ties in distance are broken by area_code, so the order is
--                total and the same on every rebuild; is_neighbour marks ranks 1 to 15.
-- The pair's sum is taken in ni_code order (a rebuild gives the same bits). sqrt and the
-- window functions are standard SQL.
with baseline as (
    select * from {{ ref('int_comparator_baseline') }}
    where z_score is not null
),

areas as (
    select * from {{ ref('stg_reference__areas') }}
),

placing_variables as (
    select count(distinct ni_code) as variables_placing
    from baseline
),

candidate_pairs as (
    select
        area.area_code,
        candidate.area_code as other_area_code
    from areas as area
    inner join areas as candidate
        on area.area_code <> candidate.area_code
        and (
            area.valid_from_period is null
            or candidate.valid_to_period is null
            or area.valid_from_period <= candidate.valid_to_period
        )
        and (
            candidate.valid_from_period is null
            or area.valid_to_period is null
            or area.valid_to_period >= candidate.valid_from_period
        )
),

pair_sums as (
    select
        candidate_pairs.area_code,
        candidate_pairs.other_area_code,
        count(*) as variables_compared,
        sum(
            (area_profile.z_score - other_profile.z_score)
            * (area_profile.z_score - other_profile.z_score)
            order by area_profile.ni_code
        ) as sum_of_squares
    from candidate_pairs
    inner join baseline as area_profile
        on candidate_pairs.area_code = area_profile.area_code
    inner join baseline as other_profile
        on candidate_pairs.other_area_code = other_profile.area_code
        and area_profile.ni_code = other_profile.ni_code
    group by
        candidate_pairs.area_code,
        candidate_pairs.other_area_code
),

raw_distances as (
    select
        pair_sums.area_code,
        pair_sums.other_area_code,
        pair_sums.variables_compared,
        placing_variables.variables_placing,
        sqrt(
            pair_sums.sum_of_squares
            * placing_variables.variables_placing
            / pair_sums.variables_compared
        ) as raw_distance
    from pair_sums
    cross join placing_variables
    where 2 * pair_sums.variables_compared >= placing_variables.variables_placing
),

rescaled as (
    select
        area_code,
        other_area_code,
        variables_compared,
        variables_placing,
        raw_distance / nullif(max(raw_distance) over (), 0) as distance
    from raw_distances
),

ranked as (
    select
        area_code,
        other_area_code,
        variables_compared,
        variables_placing,
        distance,
        row_number() over (
            partition by area_code
            order by distance, other_area_code
        ) as neighbour_rank
    from rescaled
)

select
    area_code,
    other_area_code,
    cast(variables_compared as integer) as variables_compared,
    cast(variables_placing as integer) as variables_placing,
    distance,
    cast(neighbour_rank as integer) as neighbour_rank,
    neighbour_rank <= 15 as is_neighbour
from ranked

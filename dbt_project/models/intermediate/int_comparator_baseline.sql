-- Each area's contextual profile for the statistical neighbours (docs/comparators.md): one row
-- per area and contextual indicator (int_comparator_variables) with a value in the area's
-- baseline year, standardised over the areas that have one.
--   baseline year   2008-09, the framework's first year; for an area created by the 2009
--                   reorganisation (Bedford, Central Bedfordshire, Cheshire East, Cheshire
--                   West and Chester) its own first year, 2009-10 (its valid_from_period):
--                   the predecessor county's figure would give both successors the same
--                   profile, a distance of 0 between two very different places.
--   baseline_value  the mean of the area's current values of the indicator in periods of
--                   that reporting year (one value for an annual indicator; up to four
--                   quarters for NI 152), whatever their status.
--   z_score         (baseline_value - mean) / sd over every area with a baseline value of the
--                   indicator (sample sd); null when the sd is 0 (to 9 dp) or undefined
--                   (fewer than two areas), and the indicator then places no one.
-- Means and sds are taken in area_code order so a rebuild gives the same bits (float addition
-- depends on order; DuckDB would otherwise add in whatever order its threads finish); an
-- engine without ordered aggregates can drop the `order by` at the cost of that guarantee.
with contextual_variables as (
    select * from {{ ref('int_comparator_variables') }}
),

areas as (
    select * from {{ ref('stg_reference__areas') }}
),

current_values as (
    select * from {{ ref('int_values__scoped') }}
    where scope = 'current'
        and value is not null
),

area_baselines as (
    select
        area_code,
        {{ comparator_baseline_year('valid_from_period') }} as baseline_year
    from areas
),

baseline_values as (
    select
        area_baselines.area_code,
        current_values.ni_code,
        area_baselines.baseline_year,
        avg(current_values.value order by current_values.period_id) as baseline_value,
        count(*) as periods_averaged
    from area_baselines
    inner join current_values
        on area_baselines.area_code = current_values.area_code
        and area_baselines.baseline_year = current_values.financial_year
    inner join contextual_variables
        on current_values.ni_code = contextual_variables.ni_code
    group by
        area_baselines.area_code,
        current_values.ni_code,
        area_baselines.baseline_year
),

variable_statistics as (
    select
        ni_code,
        avg(baseline_value order by area_code) as variable_mean,
        stddev_samp(baseline_value order by area_code) as variable_sd,
        count(*) as areas_with_value
    from baseline_values
    group by ni_code
)

select
    baseline_values.area_code,
    baseline_values.ni_code,
    baseline_values.baseline_year,
    baseline_values.baseline_value,
    cast(baseline_values.periods_averaged as integer) as periods_averaged,
    variable_statistics.variable_mean,
    variable_statistics.variable_sd,
    cast(variable_statistics.areas_with_value as integer) as areas_with_value,
    case
        -- an sd of float noise (every value the same) is no variation to standardise
        when round(variable_statistics.variable_sd, 9) > 0
            then
                (baseline_values.baseline_value - variable_statistics.variable_mean)
                / variable_statistics.variable_sd
    end as z_score
from baseline_values
inner join variable_statistics
    on baseline_values.ni_code = variable_statistics.ni_code

-- LAA targets (and their baselines) must be on the scale of the indicator: a target outside
-- the indicator's valid range, or more than ten times the largest area value returned for it
-- (any area, any period), or, where every value is positive, under a tenth of the smallest,
-- is a unit or scale error in the targets file (e.g. 34.9 million bus journeys against area
-- values in the hundreds). Such a target must fail the load rather than become a published
-- met / not_met status: fix data/seeds/laa_targets.csv. The scale test needs at least 10
-- values of the indicator; before then only the range applies.
with targets as (
    select * from {{ ref('int_laa_targets__periods') }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

current_values as (
    select * from {{ ref('int_values__current') }}
    where value is not null
),

scale as (
    select
        ni_code,
        count(*) as values_returned,
        max(abs(value)) as largest,
        min(value) as smallest
    from current_values
    group by ni_code
),

figures as (
    select
        area_code,
        ni_code,
        target_period,
        'target_value' as field,
        target_value as figure
    from targets
    where target_value is not null

    union all

    select
        area_code,
        ni_code,
        target_period,
        'baseline_value' as field,
        baseline_value as figure
    from targets
    where baseline_value is not null
),

judged as (
    select
        figures.area_code,
        figures.ni_code,
        figures.target_period,
        figures.field,
        figures.figure,
        scale.largest,
        scale.smallest,
        case
            when figures.figure < indicators.valid_min or figures.figure > indicators.valid_max
                then 'outside the indicator''s valid range'
            when scale.values_returned >= 10 and scale.largest > 0
                and abs(figures.figure) > 10 * scale.largest
                then 'more than 10 times the largest area value'
            when scale.values_returned >= 10 and scale.smallest > 0
                and figures.figure > 0 and figures.figure < scale.smallest / 10
                then 'under a tenth of the smallest area value'
        end as problem
    from figures
    left join indicators
        on figures.ni_code = indicators.ni_code
    left join scale
        on figures.ni_code = scale.ni_code
)

select *
from judged
where problem is not null

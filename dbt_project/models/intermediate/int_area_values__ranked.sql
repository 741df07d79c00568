-- Each area's place among all areas with a value for the same indicator and period, in each
-- scope (int_values__scoped) on its own.
-- rank = 1 + the number of areas with a strictly better value (SQL rank() over the values
-- ordered best first gives exactly that, ties sharing a rank); quartile = ceil(4 × rank /
-- areas_ranked). Values are compared to 9 decimal places so that float noise in derived
-- values (num / den × 100) does not split a tie. Polarity `neither` has no better value:
-- rank and quartile are null.
with scoped_values as (
    select * from {{ ref('int_values__scoped') }}
    where value is not null
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

ranked as (
    select
        scoped_values.scope,
        scoped_values.area_code,
        scoped_values.ni_code,
        scoped_values.period_id,
        scoped_values.value,
        indicators.polarity,
        case indicators.polarity
            when 'higher_is_better' then rank() over highest_first
            when 'lower_is_better' then rank() over lowest_first
        end as value_rank,
        count(*) over same_indicator_and_period as areas_ranked
    from scoped_values
    left join indicators
        on scoped_values.ni_code = indicators.ni_code
    window
        same_indicator_and_period as (
            partition by scoped_values.scope, scoped_values.ni_code, scoped_values.period_id
        ),
        highest_first as (
            partition by scoped_values.scope, scoped_values.ni_code, scoped_values.period_id
            order by round(scoped_values.value, 9) desc
        ),
        lowest_first as (
            partition by scoped_values.scope, scoped_values.ni_code, scoped_values.period_id
            order by round(scoped_values.value, 9) asc
        )
)

select
    scope,
    area_code,
    ni_code,
    period_id,
    value,
    polarity,
    cast(value_rank as integer) as rank,
    cast(areas_ranked as integer) as areas_ranked,
    cast(ceil(4.0 * value_rank / areas_ranked) as integer) as quartile
from ranked

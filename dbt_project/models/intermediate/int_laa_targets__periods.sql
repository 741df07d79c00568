-- LAA targets with their period and their baseline's period spelled as period_ids. The
-- targets file spells periods the plain way returns do ('2008/09', '2008/09 Q4', '2008'); the
-- indicator's period type says which id that spelling means. A target period that names no
-- period in the periods seed keeps a null period_id, which the not_null test on this model
-- reports (a target is never guessed); so does a baseline period given but not found.
with targets as (
    select * from {{ ref('stg_reference__laa_targets') }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

periods as (
    select * from {{ ref('stg_reference__periods') }}
),

spelled as (
    select
        targets.area_code,
        targets.ni_code,
        targets.period as target_period,
        indicators.period_type,
        case indicators.period_type
            when 'financial_year' then replace(targets.period, '/', '-')
            when 'academic_year' then 'AY' || replace(targets.period, '/', '-')
            when 'quarter' then replace(replace(targets.period, '/', '-'), ' ', '')
            when 'calendar_year' then targets.period
            when 'survey' then 'PS' || targets.period
        end as candidate_period_id,
        case indicators.period_type
            when 'financial_year' then replace(targets.baseline_period, '/', '-')
            when 'academic_year' then 'AY' || replace(targets.baseline_period, '/', '-')
            when 'quarter' then replace(replace(targets.baseline_period, '/', '-'), ' ', '')
            when 'calendar_year' then targets.baseline_period
            when 'survey' then 'PS' || targets.baseline_period
        end as candidate_baseline_period_id,
        targets.target_value,
        targets.designated,
        targets.statutory,
        targets.baseline_period,
        targets.baseline_value,
        targets.is_illustrative
    from targets
    left join indicators
        on targets.ni_code = indicators.ni_code
)

select
    spelled.area_code,
    spelled.ni_code,
    periods.period_id,
    spelled.target_period,
    spelled.period_type,
    spelled.target_value,
    spelled.designated,
    spelled.statutory,
    spelled.baseline_period,
    baseline_periods.period_id as baseline_period_id,
    spelled.baseline_value,
    spelled.is_illustrative,
    periods.end_date,
    baseline_periods.end_date as baseline_end_date
from spelled
left join periods
    on spelled.candidate_period_id = periods.period_id
    and spelled.period_type = periods.period_type
left join periods as baseline_periods
    on spelled.candidate_baseline_period_id = baseline_periods.period_id
    and spelled.period_type = baseline_periods.period_type

-- Flag candidates over the current values of every area; the rules:
-- models/intermediate/int_flag_candidates.sql. Candidates for inspectors to review, never
-- verdicts. Its released namesake, over publishable values only, is
-- publication.caa_flag_candidates.
with flag_candidates as (
    select * from {{ ref('int_flag_candidates') }}
    where scope = 'current'
)

select
    area_code,
    area_name,
    ni_code,
    title,
    period_id,
    is_latest_period,
    candidate,
    value,
    ci_lower_998,
    ci_upper_998,
    ci_method,
    england_value,
    england_comparison_998,
    recent_trend,
    recent_trend_direction,
    recent_trend_chi_square,
    polarity
from flag_candidates

-- The recent trend of every area and group figure, in each scope: for each figure of an
-- annual indicator, the trend over the five consecutive annual points ending with it (so a
-- series' latest figure carries its "recent trend", and every earlier period the trend as it
-- stood then). The method is Fingertips' (statistical_methods.md, "Recent trend"):
--   proportions  chi-square test for trend, chi2 = N (N Σ r t − R Σ n t)^2 /
--                (R (N − R) (N Σ n t^2 − (Σ n t)^2)), r = numerator, n = denominator;
--   otherwise    weighted least squares of value on t, weights 1 / SE^2 with
--                SE = (upper95 − lower95) / 3.92; chi2 = (slope / SE(slope))^2;
-- with t = 1..5 oldest to newest. Significant when chi2 > 9.5495 (chi-square, 1 d.f., 99.8 %)
-- and the slope keeps its sign with each point left out in turn (the leave-one-out guard).
-- recent_trend: increasing, decreasing, no_significant_change or cannot_be_calculated (the
-- reason in recent_trend_note); recent_trend_direction turns a significant trend into
-- getting_better / getting_worse by polarity (null without polarity or significance).
-- depends_on: {{ ref('int_load_changes') }}
with intervals as (
    select * from {{ ref('int_values__intervals') }}
    {{ where_changed_indicators() }}
),

indicators as (
    select * from {{ ref('stg_reference__national_indicators') }}
),

-- Every figure, with what each trend method needs of it as a point.
points as (
    select
        intervals.scope,
        intervals.subject_type,
        intervals.subject_code,
        intervals.ni_code,
        intervals.period_id,
        intervals.period_type,
        year(intervals.start_date) as period_year,
        indicators.value_type = 'proportion' as is_proportion,
        indicators.polarity,
        intervals.value,
        intervals.numerator,
        intervals.denominator,
        -- weight 1 / SE^2, SE = (upper − lower) / 3.92
        case
            when intervals.ci_upper_95 > intervals.ci_lower_95
                then pow(3.92 / (intervals.ci_upper_95 - intervals.ci_lower_95), 2)
        end as weight,
        intervals.numerator is not null
        and intervals.denominator > 0
        and intervals.numerator between 0 and intervals.denominator as has_counts
    from intervals
    left join indicators
        on intervals.ni_code = indicators.ni_code
),

-- Each annual figure with the points of the five years ending with it (t = 5 is itself).
windows as (
    select
        anchor.scope,
        anchor.subject_type,
        anchor.subject_code,
        anchor.ni_code,
        anchor.period_id,
        anchor.is_proportion,
        window_point.period_year - anchor.period_year + 5 as t,
        window_point.value,
        window_point.weight,
        window_point.has_counts,
        cast(window_point.numerator as double) as r,
        cast(window_point.denominator as double) as n
    from points as anchor
    inner join points as window_point
        on anchor.scope = window_point.scope
        and anchor.subject_type = window_point.subject_type
        and anchor.subject_code = window_point.subject_code
        and anchor.ni_code = window_point.ni_code
        and window_point.period_year between anchor.period_year - 4 and anchor.period_year
    where anchor.period_type in ('financial_year', 'academic_year', 'calendar_year')
),

-- The window's five points of each figure, in time order (t).
ordered_points as (
    select
        scope,
        subject_type,
        subject_code,
        ni_code,
        period_id,
        any_value(is_proportion) as is_proportion,
        count(*) as points,
        bool_and(has_counts) as all_counts,
        bool_and(weight is not null) as all_weights,
        list(
            { 't': t, 'r': r, 'n': n, 'weight': weight, 'value': value } order by t
        ) as window_points
    from windows
    group by scope, subject_type, subject_code, ni_code, period_id
),

-- The sums both tests are made of, each added in time order along the list: a sum of doubles
-- in whatever order the join gave them differs in its last bits from one build to the next,
-- and a rebuild must give the same bytes (one ordered list a figure costs a third of ten
-- ordered sums).
sums as (
    select
        ordered_points.scope,
        ordered_points.subject_type,
        ordered_points.subject_code,
        ordered_points.ni_code,
        ordered_points.period_id,
        ordered_points.is_proportion,
        ordered_points.points,
        ordered_points.all_counts,
        ordered_points.all_weights,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.r)
        ) as sum_r,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.n)
        ) as sum_n,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.r * x.t)
        ) as sum_rt,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.n * x.t)
        ) as sum_nt,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.n * x.t * x.t)
        ) as sum_ntt,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.weight)
        ) as sum_w,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.weight * x.t)
        ) as sum_wt,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.weight * x.t * x.t)
        ) as sum_wtt,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.weight * x.value)
        ) as sum_wy,
        list_sum(
            list_transform(ordered_points.window_points, lambda x: x.weight * x.t * x.value)
        ) as sum_wty
    from ordered_points
),

-- The sign of the slope with each point left out: the sums less that point's share.
left_out_signs as (
    select
        windows.scope,
        windows.subject_type,
        windows.subject_code,
        windows.ni_code,
        windows.period_id,
        case
            when sums.is_proportion
                then sign(
                        (sums.sum_n - windows.n) * (sums.sum_rt - windows.r * windows.t)
                        - (sums.sum_r - windows.r) * (sums.sum_nt - windows.n * windows.t)
                    )
            else sign(
                    (sums.sum_w - windows.weight)
                    * (sums.sum_wty - windows.weight * windows.t * windows.value)
                    - (sums.sum_wt - windows.weight * windows.t)
                    * (sums.sum_wy - windows.weight * windows.value)
                )
        end as slope_sign
    from windows
    inner join sums
        on windows.scope = sums.scope
        and windows.subject_type = sums.subject_type
        and windows.subject_code = sums.subject_code
        and windows.ni_code = sums.ni_code
        and windows.period_id = sums.period_id
    where sums.points = 5
),

left_out as (
    select
        scope,
        subject_type,
        subject_code,
        ni_code,
        period_id,
        min(slope_sign) as lowest_sign,
        max(slope_sign) as highest_sign
    from left_out_signs
    group by scope, subject_type, subject_code, ni_code, period_id
),

tested as (
    select
        sums.*,
        left_out.lowest_sign,
        left_out.highest_sign,
        case
            when sums.is_proportion then sign(sums.sum_n * sums.sum_rt - sums.sum_r * sums.sum_nt)
            else sign(sums.sum_w * sums.sum_wty - sums.sum_wt * sums.sum_wy)
        end as slope_sign,
        case
            when sums.points < 5 or sums.is_proportion and not sums.all_counts then null
            when not sums.is_proportion and not sums.all_weights then null
            when sums.is_proportion
                then sums.sum_n * pow(sums.sum_n * sums.sum_rt - sums.sum_r * sums.sum_nt, 2)
                    / nullif(
                        sums.sum_r * (sums.sum_n - sums.sum_r)
                        * (sums.sum_n * sums.sum_ntt - pow(sums.sum_nt, 2)),
                        0
                    )
            -- slope^2 / var(slope) = (Sw Swty − Swt Swy)^2 / (Sw (Sw Swtt − Swt^2))
            else pow(sums.sum_w * sums.sum_wty - sums.sum_wt * sums.sum_wy, 2)
                / nullif(sums.sum_w * (sums.sum_w * sums.sum_wtt - pow(sums.sum_wt, 2)), 0)
        end as chi_square
    from sums
    left join left_out
        on sums.scope = left_out.scope
        and sums.subject_type = left_out.subject_type
        and sums.subject_code = left_out.subject_code
        and sums.ni_code = left_out.ni_code
        and sums.period_id = left_out.period_id
),

judged as (
    select
        points.scope,
        points.subject_type,
        points.subject_code,
        points.ni_code,
        points.period_id,
        points.polarity,
        tested.chi_square,
        case
            when points.period_type not in ('financial_year', 'academic_year', 'calendar_year')
                then 'not an annual indicator: a recent trend needs 5 annual points'
            when tested.points < 5
                then 'fewer than 5 consecutive annual points (' || tested.points
                    || ' of the 5 years ending here)'
            when tested.is_proportion and not tested.all_counts
                then 'a point has no numerator and denominator'
            when not tested.is_proportion and not tested.all_weights
                then 'a point has no confidence interval (or one of zero width)'
            when tested.chi_square is null
                then 'no variation to test: the points do not differ'
        end as trend_note,
        tested.chi_square > 9.5495
        and tested.slope_sign <> 0
        and tested.lowest_sign = tested.slope_sign
        and tested.highest_sign = tested.slope_sign as is_significant,
        tested.slope_sign
    from points
    left join tested
        on points.scope = tested.scope
        and points.subject_type = tested.subject_type
        and points.subject_code = tested.subject_code
        and points.ni_code = tested.ni_code
        and points.period_id = tested.period_id
)

select
    scope,
    subject_type,
    subject_code,
    ni_code,
    period_id,
    case
        when trend_note is not null then 'cannot_be_calculated'
        when is_significant and slope_sign > 0 then 'increasing'
        when is_significant and slope_sign < 0 then 'decreasing'
        else 'no_significant_change'
    end as recent_trend,
    case
        when trend_note is not null or not is_significant then null
        when polarity = 'higher_is_better' and slope_sign > 0 then 'getting_better'
        when polarity = 'lower_is_better' and slope_sign < 0 then 'getting_better'
        when polarity in ('higher_is_better', 'lower_is_better') then 'getting_worse'
    end as recent_trend_direction,
    trend_note as recent_trend_note,
    chi_square as recent_trend_chi_square
from judged

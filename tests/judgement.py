"""The CAA judgement recomputed in Python from the published formulas, for the tests.

Written apart from the warehouse's SQL (dbt_project/models/intermediate/int_values__*.sql and
macros/judgement/): intervals from statistical_methods.md (exact Poisson limits from scipy's
chi-square quantiles), the comparison rule written out by cases, the recent trend's weighted
regression by numpy.polyfit and its chi-square test for trend in the Cochran-Armitage
regression form, and target trajectories from the seeds' dates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np

Z = {"95": 1.959964, "998": 3.090232}
ALPHA = {"95": 0.05, "998": 0.002}
ANNUAL = ("financial_year", "academic_year", "calendar_year")


def wilson(observed: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score limits of O / n as proportions (0 and 1 exactly at the ends)."""
    centre, spread = 2 * observed + z * z, z * math.sqrt(z * z + 4 * observed * (1 - observed / n))
    lower = 0.0 if observed == 0 else (centre - spread) / (2 * (n + z * z))
    upper = 1.0 if observed == n else (centre + spread) / (2 * (n + z * z))
    return lower, upper


def poisson_limits(observed: float, level: str) -> tuple[float, float, str] | None:
    """Limits of a Poisson count: Byar's from 10, exact (chi-square quantiles) below."""
    z, alpha = Z[level], ALPHA[level]
    if observed >= 10:
        o = observed
        lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
        return lower, upper, "byar"
    if observed != int(observed):
        return None
    from scipy.stats import chi2  # imported here: ~1.5 s that tests without counts need not pay

    lower = chi2.ppf(alpha / 2, 2 * observed) / 2 if observed > 0 else 0.0
    return lower, chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2, "exact_poisson"


def interval(
    indicator: Mapping, value: float, numerator, denominator, ci_lower=None, ci_upper=None
) -> dict:
    """The interval columns of one figure (ci_note left out: it is wording)."""
    none = dict.fromkeys(("ci_lower_95", "ci_upper_95", "ci_lower_998", "ci_upper_998"))
    none["ci_method"] = None
    if ci_lower is not None and ci_upper is not None:
        return {
            **none,
            "ci_lower_95": ci_lower,
            "ci_upper_95": ci_upper,
            "ci_method": "as_returned",
        }
    kind, method, m = indicator["value_type"], indicator["ci_method"], indicator["multiplier"]
    out = dict(none)
    if method == "wilson":
        if numerator is None or denominator is None or denominator <= 0:
            return none
        if not 0 <= numerator <= denominator:
            return none
        for level in ("95", "998"):
            low, high = wilson(numerator, denominator, Z[level])
            out[f"ci_lower_{level}"], out[f"ci_upper_{level}"] = low * m, high * m
        out["ci_method"] = "wilson"
    elif method == "byar":
        observed = value if kind == "count" else numerator
        if observed is None or observed < 0:
            return none
        if kind != "count" and (denominator is None or denominator <= 0):
            return none
        scale = 1.0 if kind == "count" else m / denominator
        for level in ("95", "998"):
            limits = poisson_limits(observed, level)
            if limits is None:
                return none
            out[f"ci_lower_{level}"], out[f"ci_upper_{level}"] = (
                limits[0] * scale,
                limits[1] * scale,
            )
            out["ci_method"] = limits[2]
    else:
        return none
    if not round(out["ci_lower_95"], 9) <= round(value, 9) <= round(out["ci_upper_95"], 9):
        return none  # withheld: the value as returned lies outside its parts' interval
    return out


def compare(comparator, lower, upper, polarity: str) -> str:
    """Fingertips' overlap rule (statistical_methods.md), written out by cases."""
    if comparator is None or lower is None or upper is None:
        return "not_compared"
    if round(lower, 9) <= round(comparator, 9) <= round(upper, 9):
        return "similar"
    area_is_higher = round(comparator, 9) < round(lower, 9)
    if polarity == "neither":
        return "higher" if area_is_higher else "lower"
    better = area_is_higher == (polarity == "higher_is_better")
    return "better" if better else "worse"


def _slope_chi2(points: Sequence[dict], proportion: bool) -> tuple[float, float] | None:
    """(slope, chi-square) of the points at t = their 't'; None when there is nothing to test."""
    t = np.array([p["t"] for p in points], dtype=float)
    if proportion:
        r = np.array([p["numerator"] for p in points], dtype=float)
        n = np.array([p["denominator"] for p in points], dtype=float)
        p_bar = r.sum() / n.sum()
        if p_bar in (0.0, 1.0):
            return None
        t_bar = (n * t).sum() / n.sum()
        # Cochran-Armitage as a regression of p_i on t_i weighted by n_i, variance p̄ (1 - p̄)
        covariance = (n * (r / n - p_bar) * (t - t_bar)).sum()
        spread = (n * (t - t_bar) ** 2).sum()
        return covariance / spread, covariance**2 / (p_bar * (1 - p_bar) * spread)
    y = np.array([p["value"] for p in points], dtype=float)
    se = np.array([(p["ci_upper_95"] - p["ci_lower_95"]) / 3.92 for p in points])
    # polyfit weights multiply residuals: 1 / SE gives weights 1 / SE^2 on the squares
    (slope, _), cov = np.polyfit(t, y, 1, w=1 / se, cov="unscaled")
    return slope, slope**2 / cov[0][0]


def recent_trend(series: Sequence[dict], polarity: str, proportion: bool, period_type: str):
    """(recent_trend, direction) of the 5 annual points ending with series[-1].

    series: the figure's points by year (dicts with year, value, numerator, denominator,
    ci_lower_95, ci_upper_95), oldest first, ending with the figure judged.
    """
    if period_type not in ANNUAL:
        return "cannot_be_calculated", None
    last = series[-1]["year"]
    window = [p for p in series if last - 4 <= p["year"] <= last]
    if len(window) < 5:
        return "cannot_be_calculated", None
    points = [{**p, "t": p["year"] - last + 5} for p in window]
    if proportion and any(
        p["numerator"] is None
        or not p["denominator"]
        or not 0 <= p["numerator"] <= p["denominator"]
        for p in points
    ):
        return "cannot_be_calculated", None
    if not proportion and any(
        p["ci_lower_95"] is None or not p["ci_upper_95"] > p["ci_lower_95"] for p in points
    ):
        return "cannot_be_calculated", None
    fitted = _slope_chi2(points, proportion)
    if fitted is None:
        return "cannot_be_calculated", None
    slope, statistic = fitted
    left_out = [_slope_chi2(points[:i] + points[i + 1 :], proportion) for i in range(5)]
    keeps_sign = all(f is not None and np.sign(f[0]) == np.sign(slope) for f in left_out)
    if not (statistic > 9.5495 and slope != 0 and keeps_sign):
        return "no_significant_change", None
    trend = "increasing" if slope > 0 else "decreasing"
    if polarity == "neither":
        return trend, None
    better = (slope > 0) == (polarity == "higher_is_better")
    return trend, "getting_better" if better else "getting_worse"


def period_id_of(spelled: str, period_type: str) -> str:
    """A targets-file period spelling as a period_id (contract section 1, Periods)."""
    dashed = spelled.replace("/", "-")
    return {
        "financial_year": dashed,
        "academic_year": "AY" + dashed,
        "quarter": dashed.replace(" ", ""),
        "calendar_year": spelled,
        "survey": "PS" + spelled,
    }[period_type]


def target_progress(
    targets: Sequence[Mapping[str, str]],
    indicators: Mapping[str, Mapping[str, str]],
    periods: Mapping[str, Mapping[str, str]],
    values: Mapping[tuple[str, str, str], float],
) -> dict[tuple[str, str, str], tuple]:
    """(area, ni, period) -> (target period, trajectory, status) for every judged period.

    Every period from after the baseline to the target is judged against the nearest target
    still to come: in the target's own period met / not_met, before it on_track / off_track
    against the straight line from (baseline end, baseline value) to (target end, target).
    """
    end = {pid: date.fromisoformat(p["end_date"]) for pid, p in periods.items()}
    governing: dict[tuple[str, str, str], tuple] = {}
    for t in targets:
        kind = indicators[t["ni_code"]]["period_type"]
        target_period = period_id_of(t["period"], kind)
        target, judged, baseline = float(t["target_value"]), [target_period], None
        if t["baseline_period"] and t["baseline_value"]:
            baseline = (end[period_id_of(t["baseline_period"], kind)], float(t["baseline_value"]))
            judged = [
                pid
                for pid, p in periods.items()
                if p["period_type"] == kind and baseline[0] < end[pid] <= end[target_period]
            ]
        for pid in judged:
            key = (t["area_code"], t["ni_code"], pid)
            if key in governing and end[governing[key][0]] <= end[target_period]:
                continue  # a nearer target governs this period
            line = target
            if pid != target_period:
                (b_end, b_value), t_end = baseline, end[target_period]
                line = b_value + (target - b_value) * (end[pid] - b_end).days / (t_end - b_end).days
            governing[key] = (target_period, line)
    expected = {}
    for key, (target_period, line) in governing.items():
        value = values.get(key)
        if value is None:
            status = "no_data"
        else:
            difference = round(value - line, 9)
            good = {
                "higher_is_better": difference >= 0,
                "lower_is_better": difference <= 0,
                "neither": difference == 0,
            }[indicators[key[1]]["polarity"]]
            own = key[2] == target_period
            status = (
                ("met" if good else "not_met") if own else ("on_track" if good else "off_track")
            )
        expected[key] = (target_period, line, status)
    return expected

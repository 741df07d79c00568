"""Plausible, deterministic indicator values for the demo returns.

Each indicator gets its level and spread between areas from levels.py (indicator_levels.csv,
with the basis of every figure), a gentle trend (mostly improving, by polarity) and noise.
Each area gets a size, a deprivation and a rurality latent (context.py) and a general "how well
is it doing" factor; an indicator's area effect follows the latents it loads on, so related
indicators agree across areas (deprived areas worse on benefits, poverty, NEET, mortality and
GCSEs alike). Every random draw comes from a `random.Random` seeded with the run's seed and a
CRC-32 of names, so the same seed always gives the same values, and an area's values do not
depend on which other areas are generated. A back series (years
before REPORTING_YEARS, `back_series_points`) continues an area's series backwards from a
random stream of its own, so it changes no value of the reporting years.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import NamedTuple

from pipelines.demo.context import deprivation_of, rurality_of
from pipelines.demo.levels import level_of
from pipelines.demo.periods import Period, periods_in_year
from pipelines.demo.reference import (
    PREDECESSOR_OF,
    REPORTING_YEARS,
    Area,
    Indicator,
    stable_hash,
)

# Shares of a county's population taken by its 2009 successors.
SUCCESSOR_SHARE = {"E06000055": 0.38, "E06000056": 0.62, "E06000049": 0.52, "E06000050": 0.48}

PROVISIONAL_MISSING = 0.03  # an (area, indicator, year) not in the provisional return ...
COMPLETE_YEAR = "2008-09"
LATE_IN_FINAL = 0.5  # ... of which this share arrives with the final return
REVISED_IN_FINAL = 0.12  # share of final values that differ from the provisional one
ANNUAL_PERIOD_TYPES = ("financial_year", "academic_year", "calendar_year")


def rng_for(seed: int, *names: object) -> random.Random:
    """A random stream that depends only on the seed and the names given."""
    return random.Random(seed * 1_000_003 + stable_hash(*names))


class Measurement(NamedTuple):
    """What a return row says about one (area, indicator, period)."""

    value: float  # for ratio indicators the exact numerator / denominator x multiplier
    decimals: int  # the precision the value is naturally quoted to
    numerator: int | None = None
    denominator: int | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None


@dataclass(frozen=True)
class AreaProfile:
    """What makes an area's figures its own: its size, its context and how well it does."""

    population: float
    performance: float  # ~N(0, 1); positive = better than average on most indicators
    deprivation: float  # ~N(0, 1); positive = more deprived (context.py)
    rurality: float  # ~N(0, 1); positive = more rural


def area_profile(area: Area, seed: int) -> AreaProfile:
    """Successors of a 2009 county inherit a share of its size and most of its character.

    Deprived areas do a little worse in general too (performance leans against deprivation).
    """
    parent = PREDECESSOR_OF.get(area.area_code)
    if parent is not None:
        base = area_profile(Area(parent, "", "county", area.region_code, None, None), seed)
        own = rng_for(seed, "area", area.area_code)
        performance = own.gauss(0, 1)
        own_deprivation = deprivation_of(
            area.area_code, area.area_type, area.region_code, own.gauss(0, 1)
        )
        return AreaProfile(
            population=base.population * SUCCESSOR_SHARE.get(area.area_code, 0.5),
            performance=0.8 * base.performance + 0.6 * performance,
            deprivation=0.6 * base.deprivation + 0.4 * own_deprivation,
            rurality=rurality_of(area.area_code, area.area_type, own.gauss(0, 1)),
        )
    rng = rng_for(seed, "area", area.area_code)
    is_county = "county" in area.area_type.casefold() or area.area_code.startswith("E10")
    median = 750_000 if is_county else 230_000
    population = min(1_400_000, max(35_000, median * math.exp(rng.gauss(0, 0.45))))
    own_performance = rng.gauss(0, 1)
    deprivation = deprivation_of(area.area_code, area.area_type, area.region_code, rng.gauss(0, 1))
    return AreaProfile(
        population=population,
        performance=-0.4 * deprivation + 0.9 * own_performance,
        deprivation=deprivation,
        rurality=rurality_of(area.area_code, area.area_type, rng.gauss(0, 1)),
    )


@dataclass(frozen=True)
class IndicatorModel:
    """How one indicator's values behave: level, spread, trend and noise."""

    kind: str  # percent, rate, count, change or level
    mean: float
    area_sd: float
    trend: float  # per year, in value units (count: relative change)
    noise_sd: float
    decimals: int
    cohort_share: float  # ratio indicators: denominator as a share of the population
    lower: float
    upper: float
    deprivation: float = 0.0  # loadings of the area effect on the area's latents (levels.py)
    rurality: float = 0.0


def kind_of(indicator: Indicator) -> str:
    """percent, rate, count, change (may be negative) or level, from the unit and range."""
    unit = indicator.unit.casefold()
    if indicator.aggregation == "sum" or unit.startswith("count"):
        return "count"
    if (indicator.valid_min is None or indicator.valid_min < 0) and indicator.unit:
        return "change"  # "% reduction", "percentage points", "gap between groups" ...
    if indicator.multiplier in (1_000, 10_000, 100_000):
        return "rate"
    if "percent" in unit or "%" in unit:
        return "percent"
    return "level"


def _direction(indicator: Indicator, rng: random.Random) -> int:
    """Which way the trend runs: mostly improving, sometimes worsening."""
    if indicator.polarity == "higher_is_better":
        return 1 if rng.random() < 0.8 else -1
    if indicator.polarity == "lower_is_better":
        return -1 if rng.random() < 0.8 else 1
    return rng.choice((-1, 1))


def indicator_model(indicator: Indicator, seed: int) -> IndicatorModel:
    """An indicator's behaviour: level and spread from levels.py, trend and noise drawn.

    Noise is kept small beside the spread between areas, so an area's rank is mostly its own
    and related indicators agree across areas.
    """
    rng = rng_for(seed, "indicator", indicator.ni_code)
    level = level_of(indicator.ni_code)
    kind = kind_of(indicator)
    lo = indicator.valid_min if indicator.valid_min is not None else -math.inf
    hi = indicator.valid_max if indicator.valid_max is not None else math.inf
    direction = _direction(indicator, rng)
    cohort_share = math.exp(rng.uniform(math.log(0.003), math.log(0.15)))
    mean, area_sd = level.level, level.spread
    if kind == "percent":
        trend = min(rng.uniform(0.3, 2.0), 0.25 * area_sd)
        noise, decimals = min(rng.uniform(0.4, 1.5), 0.2 * area_sd), 1
    elif kind == "rate":
        cohort_share = max(cohort_share, 0.05)
        trend = min(mean * rng.uniform(0.01, 0.04), 0.25 * area_sd)
        noise, decimals = min(mean * rng.uniform(0.02, 0.06), 0.2 * area_sd), 1
    elif kind == "count":  # per 100,000 residents, scaled by population; spread on the log scale
        trend, noise, decimals = rng.uniform(0.01, 0.05), rng.uniform(0.03, 0.08), 0
    elif kind == "change":
        trend, noise = area_sd * rng.uniform(0.1, 0.4), area_sd * rng.uniform(0.15, 0.35)
        decimals = 1
    elif lo != -math.inf and hi != math.inf:  # a bounded score or grade, e.g. 1-4
        span = hi - lo
        trend, noise = span * rng.uniform(0.01, 0.04), span * 0.05
        decimals = 0 if span <= 16 and "score" not in indicator.unit.casefold() else 1
    else:  # days, minutes per mile, kg per household, GBP per week ...
        trend = min(abs(mean) * rng.uniform(0.005, 0.03), 0.25 * area_sd)
        noise = min(abs(mean) * 0.04, 0.2 * area_sd)
        decimals = 0 if abs(mean) >= 100 else 1 if abs(mean) >= 5 else 2
    return IndicatorModel(
        kind=kind,
        mean=mean,
        area_sd=area_sd,
        trend=direction * trend,
        noise_sd=noise,
        decimals=decimals,
        cohort_share=cohort_share,
        lower=lo,
        upper=hi,
        deprivation=level.deprivation,
        rurality=level.rurality,
    )


class SeriesPoint(NamedTuple):
    """One (area, indicator, period): its provisional and final values (None = not sent)."""

    reporting_year: str
    period: Period
    provisional: Measurement | None
    final: Measurement | None


def _clip(value: float, model: IndicatorModel) -> float:
    return min(model.upper, max(model.lower, value))


def _measure(
    raw: float, indicator: Indicator, model: IndicatorModel, denominator: int | None
) -> Measurement:
    """Turn a raw draw into what an authority reports: rounded, or a numerator/denominator."""
    raw = _clip(raw, model)
    if denominator is None:
        value = round(raw, model.decimals)
        value = float(int(value)) if model.decimals == 0 else value
        return Measurement(value=_clip(value, model), decimals=model.decimals)
    mult = indicator.multiplier
    low = math.ceil(max(model.lower, 0.0) * denominator / mult)
    high = math.floor(model.upper * denominator / mult) if model.upper != math.inf else None
    numerator = max(low, round(raw * denominator / mult))
    if high is not None:
        numerator = min(high, numerator)
    return Measurement(
        value=numerator / denominator * mult,
        decimals=2,
        numerator=numerator,
        denominator=denominator,
    )


def _revise(m: Measurement, indicator: Indicator, model: IndicatorModel, rng: random.Random):
    """The final value of a revised row: a little different from the provisional one."""
    if m.numerator is not None and m.denominator is not None:
        step = max(1, round(m.numerator * rng.uniform(0.005, 0.03)))
        revised = _measure(
            (m.numerator + rng.choice((-step, step))) / m.denominator * indicator.multiplier,
            indicator,
            model,
            m.denominator + rng.choice((0, 0, rng.randint(-3, 3))),
        )
    else:
        step = max(abs(m.value) * rng.uniform(0.005, 0.03), 10**-m.decimals)
        revised = _measure(m.value + rng.choice((-step, step)), indicator, model, None)
    return revised


def _with_ci(m: Measurement, model: IndicatorModel, respondents: int) -> Measurement:
    """Add a 95% confidence interval, rounded outwards so it always contains the value."""
    if model.kind == "percent":
        p = min(max(m.value, 1.0), 99.0)
        half = max(0.2, 1.96 * math.sqrt(p * (100 - p) / respondents))
    else:
        half = max(0.2, abs(m.value) * 0.04)
    lower = max(model.lower, math.floor((m.value - half) * 10) / 10)
    upper = min(model.upper, math.ceil((m.value + half) * 10) / 10)
    return Measurement(m.value, m.decimals, m.numerator, m.denominator, lower, upper)


def _area_effect(
    indicator: Indicator, model: IndicatorModel, profile: AreaProfile, rng: random.Random
) -> float:
    """Where this area sits around the indicator's mean, in area_sd units (a series' first draw).

    The indicator's loadings on deprivation and rurality take their share of the variance;
    the rest is the area's general performance (by polarity) and a draw of its own.
    """
    better = {"higher_is_better": 1.0, "lower_is_better": -1.0}.get(indicator.polarity, 0.0)
    context = model.deprivation * profile.deprivation + model.rurality * profile.rurality
    rest = math.sqrt(max(0.05, 1 - model.deprivation**2 - model.rurality**2))
    return context + rest * (0.6 * better * profile.performance + 0.8 * rng.gauss(0, 1))


def _area_centre(model: IndicatorModel, area_z: float) -> float:
    """The area's own level: `area_z` spreads of the indicator around its level.

    A percentage moves on the logit scale and a rate on the log scale (about one spread per
    unit of area_z near the level), so a low percentage or rate is skewed like real ones
    (NI 152: ~5% in the least deprived areas, ~25% in the most) instead of clipped at 0.
    """
    mean, spread = model.mean, model.area_sd
    if model.kind == "percent" and model.upper == 100 and 0 < mean < 100:
        p = mean / 100
        logit = math.log(p / (1 - p)) + spread / (100 * p * (1 - p)) * area_z
        return 100 / (1 + math.exp(-logit))
    if model.kind == "rate" and mean > 0:
        return mean * math.exp(spread / mean * area_z)
    return mean + spread * area_z


def _raw_value(
    model: IndicatorModel,
    area_z: float,
    profile: AreaProfile,
    period: Period,
    noise: float,
    season_phase: float,
) -> float:
    """The unrounded value of one period: level, the area's effect, trend and noise."""
    t = period.year_index
    if model.kind == "count":
        log_rate = math.log(model.mean) + model.area_sd * area_z + noise * model.noise_sd
        return math.exp(log_rate) * (1 + model.trend) ** t * profile.population / 1e5
    raw = _area_centre(model, area_z) + model.trend * t
    raw += model.noise_sd * noise
    if period.quarter is not None:
        raw += model.noise_sd * math.sin(season_phase + period.quarter * math.pi / 2)
    return raw


def _denominator(
    profile: AreaProfile, model: IndicatorModel, period: Period, rng: random.Random
) -> int:
    """A ratio indicator's denominator: the area's cohort, a little different each period."""
    size = profile.population * model.cohort_share * math.exp(rng.gauss(0, 0.03))
    return max(50, round(size / (4 if period.quarter else 1)))


def indicator_series(
    area: Area,
    profile: AreaProfile,
    indicator: Indicator,
    model: IndicatorModel,
    seed: int,
) -> list[SeriesPoint]:
    """Every period of every reporting year for one area and indicator.

    Draws happen in a fixed order over all reporting years, whether or not the area existed,
    so a series is the same however many areas or years the caller keeps.
    """
    rng = rng_for(seed, "series", area.area_code, indicator.ni_code)
    area_z = _area_effect(indicator, model, profile, rng)
    respondents = rng.randint(1_100, 2_400)
    season_phase = rng.uniform(0, 2 * math.pi)
    is_ratio = indicator.aggregation == "ratio"
    points = []
    for reporting_year in REPORTING_YEARS:
        fate = rng.random()
        for period in periods_in_year(indicator.period_type, reporting_year):
            raw = _raw_value(model, area_z, profile, period, rng.gauss(0, 1), season_phase)
            denominator = None
            if is_ratio and indicator.period_type == "survey":
                denominator = respondents
            elif is_ratio:
                denominator = _denominator(profile, model, period, rng)
            provisional = _measure(raw, indicator, model, denominator)
            revise = rng.random() < REVISED_IN_FINAL
            final = _revise(provisional, indicator, model, rng) if revise else provisional
            if indicator.period_type == "survey":
                provisional = _with_ci(provisional, model, respondents)
                final = _with_ci(final, model, respondents)
            # 2008/09, the first LAA year and the one the CAA looked at first, is complete:
            # every area sends every live indicator (late ones arrive with the final round);
            # so is a 2009 unitary's first year, its baseline for statistical neighbours.
            complete = reporting_year in (COMPLETE_YEAR, area.valid_from_period)
            if fate < PROVISIONAL_MISSING * (1 - LATE_IN_FINAL) and not complete:
                provisional = final = None
            elif fate < PROVISIONAL_MISSING:
                provisional = None
            points.append(SeriesPoint(reporting_year, period, provisional, final))
    return points


def back_series_points(
    area: Area,
    profile: AreaProfile,
    indicator: Indicator,
    model: IndicatorModel,
    seed: int,
    reporting_years: tuple[str, ...],
) -> list[SeriesPoint]:
    """Final values for annual periods before the demo's REPORTING_YEARS (a departmental feed).

    The same model and the same area effect as `indicator_series` (its first draw, repeated
    here), so the series continues backwards along its trend (negative year_index); every
    other draw comes from a stream of its own, so the values of REPORTING_YEARS are the same
    with or without a back series. Complete (a department has every area's figure) and never
    revised; provisional and final are the same measurement.
    """
    if indicator.period_type not in ANNUAL_PERIOD_TYPES:
        raise ValueError(f"{indicator.ni_code} is {indicator.period_type}: no annual back series")
    area_z = _area_effect(
        indicator, model, profile, rng_for(seed, "series", area.area_code, indicator.ni_code)
    )
    rng = rng_for(seed, "back", area.area_code, indicator.ni_code)
    points = []
    for reporting_year in reporting_years:
        for period in periods_in_year(indicator.period_type, reporting_year):
            raw = _raw_value(model, area_z, profile, period, rng.gauss(0, 1), 0.0)
            denominator = None
            if indicator.aggregation == "ratio":
                denominator = _denominator(profile, model, period, rng)
            measurement = _measure(raw, indicator, model, denominator)
            points.append(SeriesPoint(reporting_year, period, measurement, measurement))
    return points

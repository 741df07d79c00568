"""Where each indicator's demo values sit: level, spread between areas, and how they follow
deprivation and rurality, with where each figure came from.

Demo data only: these figures shape invented values and are never used as facts. Every
indicator in data/seeds/national_indicators.csv has one row in indicator_levels.csv, beside
this module (tests/test_demo_levels.py checks it):

    ni_code      the indicator
    level        its typical area value, in the indicator's own unit (percent, rate per its
                 multiplier, GBP, days ...); for a count, per 100,000 residents a year, scaled
                 by the area's population
    spread       the standard deviation between areas, in the same unit (for a count, of the
                 log of the rate)
    deprivation  how far an area's value follows its deprivation latent (pipelines/demo/
    rurality     context.py), -1..1: +0.9 on deprivation means deprived areas are much higher
                 (NI 152 out-of-work benefits); -0.85 means they are lower (NI 75 GCSEs,
                 NI 166 earnings). The rest of the area effect is the area's general
                 performance and noise. Indicators that share a loading move together across
                 areas, so statistical neighbours computed from them mean something.
    basis        where the level came from:
                   found                  an England figure in shared/reference/
                                          published_values_examples.csv (beside the repo)
                   recalled, approximate  from memory, unverified
                   derived from unit      no figure known: a plausible scale for the unit
                   targets seed           set to the scale of data/seeds/laa_targets.csv
                                          (itself illustrative), see below
    note         what the figure is, briefly

The load's blocking check dbt_project/tests/assert_laa_targets_are_plausible.sql fails a load
whose LAA targets are more than ten times the largest area value of their indicator (the NI
177 case: journeys in the hundreds against targets in the millions) or under a tenth of the
smallest. The illustrative targets seed is drawn the other way round: a percentage's
baselines come from this table (its level +/- 1.5 spreads, pipelines/reference/build_seeds.py
`percentage_baseline_range`), so targets are on the scale of what the indicator measures
(NI 152 targets around 12%, NI 114 permanent exclusions around 0.1%).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEVELS_CSV = Path(__file__).with_name("indicator_levels.csv")
BASES = ("found", "recalled, approximate", "derived from unit", "targets seed")


@dataclass(frozen=True)
class IndicatorLevel:
    """One row of indicator_levels.csv."""

    ni_code: str
    level: float
    spread: float
    deprivation: float
    rurality: float
    basis: str
    note: str


@cache
def indicator_levels() -> dict[str, IndicatorLevel]:
    """Every row of indicator_levels.csv, by ni_code (read once, when first needed)."""
    levels = {}
    with LEVELS_CSV.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            level = IndicatorLevel(
                ni_code=row["ni_code"],
                level=float(row["level"]),
                spread=float(row["spread"]),
                deprivation=float(row["deprivation"]),
                rurality=float(row["rurality"]),
                basis=row["basis"],
                note=row["note"],
            )
            if level.basis not in BASES or level.spread <= 0 or level.ni_code in levels:
                raise ValueError(
                    f"{LEVELS_CSV.name} line {line}: {level.ni_code} needs a basis in {BASES}, "
                    "a positive spread and no other row"
                )
            levels[level.ni_code] = level
    return levels


def level_of(ni_code: str) -> IndicatorLevel:
    """The level row of one indicator; an indicator without one is a mistake to fix here."""
    try:
        return indicator_levels()[ni_code]
    except KeyError:
        raise KeyError(
            f"{ni_code} has no row in {LEVELS_CSV}: add its level, spread and basis"
        ) from None

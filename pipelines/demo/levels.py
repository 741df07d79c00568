"""Typical levels to centre the demo's indicators on, with where each figure came from.

Demo data only: these figures shape invented values and are never used as facts. Each is
marked `found` (read in a source kept in the repository), `recalled, approximate` (from memory,
unverified) or `targets seed` (set to the order of magnitude of data/seeds/laa_targets.csv,
itself illustrative, so that demo values and LAA targets can be compared at all).

Every unbounded rate, count, measure and change that carries LAA targets has a level here, so
that the warehouse's blocking plausibility check (assert_laa_targets_are_plausible.sql in
dbt_project/tests: a target or baseline more than ten times the largest, or under a tenth of
the smallest, area value returned) does not hang on a random draw of its level; tests/
test_demo_back_series.py checks both. Where memory and the targets seed disagree, the recalled
level is kept when it is within a few times the seed's median baseline. Percentages are still
drawn (12-88%) unless listed: the seed's percentage baselines are generic (10-90%), so at a
small scale a rare seed can still put a target of ~7% under a tenth of the smallest value.
"""

from __future__ import annotations

# Typical levels of a rate, by its base: per 1,000 / 10,000 / 100,000.
RATE_LEVELS = {1_000: (5.0, 60.0), 10_000: (20.0, 400.0), 100_000: (50.0, 1_500.0)}


# Published England levels to centre the demo on, where we have them: the Place Survey 2008
# headlines (shared/reference/published_values_examples.csv, found) and well-known levels of
# a few headline indicators (recalled, approximate). Demo data only: never used as facts.
KNOWN_PERCENT_LEVELS = {
    "NI 2": 59.0, "NI 3": 14.0, "NI 4": 29.0, "NI 5": 80.0, "NI 6": 23.0, "NI 37": 15.0,
    "NI 1": 76.0, "NI 117": 7.0, "NI 75": 48.0, "NI 73": 72.0, "NI 192": 37.0,
    # secondary persistent absence: ~6% of pupils in 2007/08 (recalled, approximate); a drawn
    # 12-88% would put the targets seed's 3-9% under a tenth of the smallest area value
    "NI 87": 6.0,
    # social care clients on self-directed support (targets seed: 5-30%)
    "NI 130": 17.0,
}  # fmt: skip


# Counts per 100,000 residents a year (the series scales them by the area's population), for
# the count indicators with LAA targets, whose drawn level (5 to 2,000 per 100,000) can be
# orders of magnitude away from what they count. Without these, NI 177 came out in the hundreds
# of journeys against LAA targets of millions.
KNOWN_COUNT_LEVELS = {
    # bus and light rail journeys: ~5 billion a year in England over ~50 million people,
    # ~100 per person (recalled, approximate)
    "NI 177": 10_000_000.0,
    # net additional homes: ~200,000 in England in 2007/08 (recalled, approximate)
    "NI 154": 400.0,
    # cash-releasing value for money gains, GBP: CSR07 asked councils for ~3% a year, some
    # GBP 1.5 billion a year in England, ~GBP 30 per resident (recalled, approximate)
    "NI 179": 2_000_000.0,
    # primary schools below the Key Stage 2 floor: ~1,500 in England in 2008
    # (recalled, approximate)
    "NI 76": 3.0,
    # secondary schools below the Key Stage 3 floor (targets seed)
    "NI 77": 2.0,
    # schools in special measures, and months to come out of them (targets seed)
    "NI 89": 3.0,
    # learners taking up the 14-19 diplomas (targets seed)
    "NI 90": 300.0,
    # problem drug users in effective treatment: ~190,000 in England in 2008/09
    # (recalled, approximate)
    "NI 40": 370.0,
    # secondary schools below the GCSE floor (National Challenge): 638 in England in 2008
    # (recalled, approximate)
    "NI 78": 1.2,
    # A level entries in physics, chemistry and maths: ~130,000 a year in England
    # (recalled, approximate)
    "NI 85": 250.0,
    # Sure Start children's centres: ~3,000 in England by 2009/10 (recalled, approximate)
    "NI 109": 6.0,
    # affordable homes delivered: ~55,000 in England in 2008/09 (recalled, approximate)
    "NI 155": 110.0,
    # households in temporary accommodation: ~75,000 in England in 2008 (recalled, approximate)
    "NI 156": 150.0,
    # learners achieving Level 1 literacy and Entry Level 3 numeracy (targets seed)
    "NI 161": 450.0,
    "NI 162": 450.0,
}


# Typical area values of rates, in the indicator's own unit (its multiplier's base), replacing
# the drawn RATE_LEVELS level. The drawn level is still drawn, so the rest of the model is too.
KNOWN_RATE_LEVELS = {
    # recorded crime per 1,000 residents, England 2008/09 (recalled, approximate): most serious
    # violence, serious acquisitive crime, assault with injury, serious knife crime, gun crime
    "NI 15": 0.6, "NI 16": 15.0, "NI 20": 8.0, "NI 28": 0.5, "NI 29": 0.2,
    # deliberate fires per 10,000 residents (targets seed)
    "NI 33": 10.0,
    # alcohol-related admissions per 100,000, age-standardised: ~1,600 (recalled, approximate)
    "NI 39": 1_600.0,
    # primary fires and their casualties per 100,000: ~80,000 fires (recalled, approximate)
    "NI 49": 160.0,
    # injury admissions per 10,000 aged 0-17 (recalled, approximate)
    "NI 70": 125.0,
    # first-time entrants to youth justice per 100,000 aged 10-17: ~80,000 a year
    # (recalled, approximate)
    "NI 111": 1_500.0,
    # age-standardised mortality per 100,000, England 2008: all causes, circulatory under 75,
    # cancer under 75 (recalled, approximate)
    "NI 120": 600.0, "NI 121": 80.0, "NI 122": 115.0,
    # four-week smoking quitters per 100,000 aged 16+: ~340,000 in 2008/09 (recalled,
    # approximate)
    "NI 123": 800.0,
    # delayed transfers of care per 100,000 aged 18+ (recalled, approximate)
    "NI 131": 11.0,
    # people supported to live independently per 1,000 (targets seed)
    "NI 136": 27.0,
    # new business (VAT) registrations per 10,000 adults (recalled, approximate)
    "NI 171": 55.0,
    # benefit changes of circumstances per 1,000 caseload (recalled, approximate)
    "NI 180": 700.0,
}  # fmt: skip


# Typical area values of unbounded measures (days, GBP, scores without a top), in their unit,
# replacing the drawn 2-600 level (still drawn). Their precision follows the level.
KNOWN_MEASURE_LEVELS = {
    # protection against terrorist attack, animal health control: scores of about 1-4
    # (targets seed)
    "NI 36": 2.4, "NI 190": 2.9,
    # parental experience of services for disabled children: England ~59 out of 100
    # (recalled, approximate)
    "NI 54": 59.0,
    # strengths and difficulties score of children in care, 0-40: England ~14
    # (recalled, approximate)
    "NI 58": 14.0,
    # emergency bed days per head of weighted population: ~1 (recalled, approximate)
    "NI 134": 1.0,
    # healthy life expectancy at 65, years: ~12.5 (recalled, approximate)
    "NI 137": 12.5,
    # median gross weekly earnings of employees in the area, GBP: ~400 (all employees) to ~480
    # (full-time) in 2008, ASHE (recalled, approximate)
    "NI 166": 450.0,
    # morning peak journey time, minutes per mile: ~3.5 (recalled, approximate)
    "NI 167": 3.5,
    # days to process a housing or council tax benefit claim or change: ~15
    # (recalled, approximate)
    "NI 181": 15.0,
    # residual household waste, kg per household: ~700 in 2008/09 (recalled, approximate)
    "NI 191": 700.0,
}  # fmt: skip


# Typical area values of changes, gaps and reductions, in their unit, replacing the drawn -3 to
# 15 level (still drawn). The targets seed writes reductions in a count as a negative % change
# (NI 47, 48, 112) and "% reduction" indicators as positive.
KNOWN_CHANGE_LEVELS = {
    # road casualties killed or seriously injured, % change in the three-year rolling average:
    # all ages, children (targets seed)
    "NI 47": -10.0, "NI 48": -8.0,
    # under-18 conception rate, % change since 1998: ~-11% by 2007 (recalled, approximate)
    "NI 112": -11.0,
    # attainment gaps, percentage points (targets seed: the seed draws every gap from 10-35)
    "NI 81": 22.0, "NI 82": 22.0, "NI 92": 23.0, "NI 102": 19.0, "NI 104": 23.0,
    "NI 105": 26.0,
    # % reductions in CO2 (council's own, per head in the area) and in NOx and PM10
    # (targets seed)
    "NI 185": 2.0, "NI 186": 2.7, "NI 194": 2.4,
}  # fmt: skip

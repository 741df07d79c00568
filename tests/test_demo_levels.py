"""The demo's figures are credible: levels with a recorded basis, areas that differ as real ones
do, and LAA targets on the same scale (the load's plausibility check would catch a mismatch).

The fast tests compute the default demo (seed 2008, every area) with the generator's own
value model, as `niw demo` writes it, without writing files. The e2e tests read the files of
the default demo, and run the real nightly load to show assert_laa_targets_are_plausible.sql
fails a load on an NI 177-like scale error and passes the same load at the right scale.
"""

from __future__ import annotations

import csv
import math
import os
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import NightlyLoad
from test_demo_back_series import Scale, implausible
from test_demo_generate import SEEDS, Rules, number, read_return

from pipelines.demo.context import deprivation_of
from pipelines.demo.generate import generate_demo_returns
from pipelines.demo.levels import BASES, LEVELS_CSV, indicator_levels
from pipelines.demo.reference import PREDECESSOR_OF, REPORTING_YEARS, read_areas, read_indicators
from pipelines.demo.values import Measurement, area_profile, indicator_model, indicator_series
from pipelines.settings import REPO_ROOT

SEED = 2008  # `niw demo`'s default
REFERENCE = Path(os.environ.get("NIW_REFERENCE_DIR") or REPO_ROOT.parent / "shared" / "reference")
SUCCESSORS = frozenset(PREDECESSOR_OF)
# The contextual indicators the statistical-neighbour models read for the 2008/09 baseline.
CONTEXTUAL = ("NI 116", "NI 117", "NI 120", "NI 152", "NI 153", "NI 166", "NI 171", "NI 175")
CONTEXTUAL += ("NI 186", "NI 187")
WOKINGHAM, KNOWSLEY, SURREY, LIVERPOOL = "E06000041", "E08000011", "E10000030", "E08000012"

AREAS = read_areas(SEEDS)
INDICATORS = {i.ni_code: i for i in read_indicators(SEEDS)}


def first_year(area_code: str) -> str:
    """The baseline year of an area: 2008/09, or 2009/10 for a 2009 unitary."""
    return "2009-10" if area_code in SUCCESSORS else "2008-09"


@pytest.fixture(scope="module")
def demo_values() -> dict[tuple[str, str], dict[str, Measurement]]:
    """(ni_code, area_code) -> {period_id: final measurement}, every live indicator and area.

    What `niw demo` writes, from the same functions (generate.py), for the years each area
    existed in.
    """
    values = {}
    profiles = {a.area_code: area_profile(a, SEED) for a in AREAS}
    for indicator in INDICATORS.values():
        if not indicator.is_live:
            continue
        model = indicator_model(indicator, SEED)
        for area in AREAS:
            series = indicator_series(area, profiles[area.area_code], indicator, model, SEED)
            values[(indicator.ni_code, area.area_code)] = {
                p.period.period_id: p.final
                for p in series
                if p.final is not None and area.exists_in(p.reporting_year)
            }
    return values


def baseline(demo_values, ni_code: str) -> dict[str, float]:
    """area_code -> the value of its first period in its baseline year (as neighbours use)."""
    out = {}
    for area in AREAS:
        year = first_year(area.area_code)
        periods = demo_values[(ni_code, area.area_code)]
        ids = sorted(p for p in periods if _year_of(p, INDICATORS[ni_code].period_type) == year)
        if ids:
            out[area.area_code] = periods[ids[0]].value
    return out


def _year_of(period_id: str, period_type: str) -> str:
    """2008-09Q3 / AY2008-09 / 2008-09 -> 2008-09; a calendar year or survey -> its FY start."""
    if period_type in ("calendar_year", "survey"):
        start = int(period_id.removeprefix("PS"))
        return f"{start}-{(start + 1) % 100:02d}"
    return period_id.removeprefix("AY")[:7]


def correlation(demo_values, first: str, second: str) -> float:
    a, b = baseline(demo_values, first), baseline(demo_values, second)
    shared = sorted(set(a) & set(b))
    return statistics.correlation([a[k] for k in shared], [b[k] for k in shared])


# --- the levels table -------------------------------------------------------------------------


def test_every_indicator_has_one_level_with_a_basis_and_a_note():
    levels = indicator_levels()
    assert set(levels) == set(INDICATORS)  # all 199, the retired NI 31 too
    with LEVELS_CSV.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(INDICATORS)  # no duplicate rows
    for ni_code, level in levels.items():
        assert level.basis in BASES and level.note.strip(), ni_code
        assert -1 <= level.deprivation <= 1 and -1 <= level.rurality <= 1, ni_code
        assert level.deprivation**2 + level.rurality**2 <= 1, ni_code
    # most levels are recalled or found; "derived from unit" is the exception
    bases = [level.basis for level in levels.values()]
    assert bases.count("found") == 6 and bases.count("derived from unit") < 25


def test_levels_and_their_spread_sit_inside_the_valid_range():
    for ni_code, level in indicator_levels().items():
        indicator = INDICATORS[ni_code]
        if indicator.aggregation == "sum" or indicator.unit.startswith("count"):
            assert level.level > 0 and level.spread < 1.5, ni_code  # per 100,000; log spread
            continue
        low = indicator.valid_min if indicator.valid_min is not None else -math.inf
        high = indicator.valid_max if indicator.valid_max is not None else math.inf
        assert low <= level.level <= high, ni_code
        if indicator.valid_min == 0:
            assert level.level - level.spread > 0, ni_code  # one spread below still positive


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference data not found at {REFERENCE}")
def test_found_levels_are_the_published_england_figures():
    published = {}
    with (REFERENCE / "published_values_examples.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["area_name"] == "England" and row["source"].startswith("found:"):
                published[row["indicator"]] = float(row["value"])
    found = {n: lv.level for n, lv in indicator_levels().items() if lv.basis == "found"}
    assert found and found == {n: published[n] for n in found}
    # and every England figure published there is used
    assert set(published) <= set(found)


# --- the default demo's values ------------------------------------------------------------------


def test_every_value_sits_in_its_valid_range_and_near_its_level(demo_values):
    off = []
    for ni_code, indicator in INDICATORS.items():
        if not indicator.is_live:
            continue
        level = indicator_levels()[ni_code]
        values = [
            m.value for (n, _), periods in demo_values.items() if n == ni_code
            for m in periods.values()
        ]  # fmt: skip
        assert len(values) >= 150, ni_code
        low = indicator.valid_min if indicator.valid_min is not None else -math.inf
        high = indicator.valid_max if indicator.valid_max is not None else math.inf
        assert all(low <= v <= high for v in values), ni_code
        if INDICATORS[ni_code].aggregation == "sum" or indicator.unit.startswith("count"):
            continue  # a count scales with population: checked per head below for NI 177
        # the typical area is within one spread of the level (trend and context move it a bit)
        if abs(statistics.median(values) - level.level) > level.spread:
            off.append((ni_code, statistics.median(values), level.level, level.spread))
    assert not off


def test_demo_england_ni_152_is_about_twelve_percent(demo_values):
    """Out-of-work benefits: England ~11-12% in 2008 (recalled, approximate); was ~43%."""
    for quarter in ("2008-09Q1", "2008-09Q2", "2008-09Q3", "2008-09Q4"):
        rows = [p[quarter] for (n, _), p in demo_values.items() if n == "NI 152" and quarter in p]
        assert len(rows) == 150
        england = 100 * sum(m.numerator for m in rows) / sum(m.denominator for m in rows)
        assert 10.5 <= england <= 13.5, (quarter, england)
        spread = sorted(m.value for m in rows)
        assert 2 <= spread[0] <= 8 and 18 <= spread[-1] <= 30, (spread[0], spread[-1])


def test_deprivation_related_indicators_agree_across_areas(demo_values):
    deprivation = ("NI 116", "NI 117", "NI 120", "NI 153")
    for ni_code in deprivation:
        assert correlation(demo_values, "NI 152", ni_code) > 0.7, ni_code
    for ni_code in ("NI 166", "NI 75", "NI 151"):  # affluent areas higher
        assert correlation(demo_values, "NI 152", ni_code) < -0.7, ni_code
    assert correlation(demo_values, "NI 152", "NI 171") < -0.4
    assert correlation(demo_values, "NI 116", "NI 120") > 0.7


def test_rural_areas_have_less_access_and_fewer_bus_journeys_a_head(demo_values):
    assert correlation(demo_values, "NI 175", "NI 176") > 0.5
    access = baseline(demo_values, "NI 175")
    journeys = baseline(demo_values, "NI 177")
    per_head = {
        a.area_code: journeys[a.area_code] / area_profile(a, SEED).population for a in AREAS
    }
    shared = sorted(set(access) & set(per_head))
    assert statistics.correlation([access[k] for k in shared], [per_head[k] for k in shared]) > 0.5
    by_type = {}
    for area in AREAS:
        by_type.setdefault(area.area_type, []).append(area.area_code)
    london = statistics.mean(access[a] for a in by_type["london_borough"])
    counties = statistics.mean(access[a] for a in by_type["county"])
    assert london > counties + 5
    assert 50 < statistics.median(per_head.values()) < 200  # ~100 journeys a person a year


def test_deprived_regions_and_areas_are_worse(demo_values):
    benefits, poverty = baseline(demo_values, "NI 152"), baseline(demo_values, "NI 116")
    regions = {}
    for area in AREAS:
        if area.area_code in benefits:
            regions.setdefault(area.region_code, []).append(benefits[area.area_code])
    north_east, south_east = (statistics.mean(regions[r]) for r in ("E12000001", "E12000008"))
    assert north_east > south_east + 3
    for deprived, affluent in ((KNOWSLEY, WOKINGHAM), (LIVERPOOL, SURREY)):
        assert benefits[deprived] > 1.5 * benefits[affluent]
        assert poverty[deprived] > 1.5 * poverty[affluent]


def test_area_latents_are_about_standard_normal():
    deprivation = [area_profile(a, SEED).deprivation for a in AREAS]
    rurality = [area_profile(a, SEED).rurality for a in AREAS]
    for latent in (deprivation, rurality):
        assert abs(statistics.mean(latent)) < 0.3 and 0.8 < statistics.pstdev(latent) < 1.25
    # the structural part alone ranks Knowsley (North West, metropolitan, named) above Wokingham
    assert deprivation_of(KNOWSLEY, "metropolitan_district", "E12000002", 0.0) > 1.5
    assert deprivation_of(WOKINGHAM, "unitary", "E12000008", 0.0) < -1.0


def test_contextual_indicators_cover_every_area_in_its_baseline_year(demo_values):
    """Statistical neighbours need every area's 2008/09 value (2009/10 for a 2009 unitary)."""
    for ni_code in CONTEXTUAL:
        values = baseline(demo_values, ni_code)
        wanted = {a.area_code for a in AREAS if a.exists_in(first_year(a.area_code))}
        assert set(values) == wanted, (ni_code, wanted - set(values))


def test_every_target_is_plausible_against_the_default_demo(demo_values):
    """The load's blocking check (implausible() is its rule) passes on the default demo."""
    values = {}
    for (ni_code, _), periods in demo_values.items():
        values.setdefault(ni_code, []).extend(m.value for m in periods.values())
    problems = []
    with (SEEDS / "laa_targets.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            indicator = INDICATORS[row["ni_code"]]
            scale = Scale.of(values[row["ni_code"]])
            for field in ("target_value", "baseline_value"):
                figure = number(row[field])
                if figure is not None and implausible(
                    figure, indicator.valid_min, indicator.valid_max, scale
                ):
                    problems.append((row["ni_code"], field, figure, scale))
    assert not problems


def test_the_rule_catches_the_ni_177_case():
    """Journeys in the hundreds against targets of 34.9 million: the old demo's NI 177."""
    hundreds = Scale.of([float(v) for v in range(200, 900, 50)])
    assert implausible(34_900_000, 0, None, hundreds)
    assert not implausible(34_900_000, 0, None, Scale.of([5e6 + 1e6 * k for k in range(20)]))


# --- the files of the default demo, and the real load's check (e2e) -----------------------------


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    """`niw demo` with its defaults (seed 2008, scale 1): ~25 s to write."""
    return generate_demo_returns(tmp_path_factory.mktemp("default"), SEEDS)


@pytest.mark.e2e
def test_the_default_demo_files_carry_the_baseline_and_england_ni_152(default_demo):
    rules = Rules()
    sent, ni_152 = set(), {}  # (ni_code, area_code); period -> [numerator, denominator]
    for written in default_demo.files:
        if "/round2_final/" not in written.path or written.path[:7] not in REPORTING_YEARS[1:3]:
            continue
        for _, row in read_return(default_demo.raw_dir / written.path, calamine=True)[1]:
            (area_code, ni_code, period_id), reason = rules.key_and_reason(row)
            assert reason is None
            if rules.period_year[period_id] == first_year(area_code):
                sent.add((ni_code, area_code))
            if ni_code == "NI 152" and period_id.startswith("2008-09"):
                totals = ni_152.setdefault(period_id, [0.0, 0.0])
                totals[0] += number(row["numerator"])
                totals[1] += number(row["denominator"])
    for ni_code in CONTEXTUAL:
        areas = {a for n, a in sent if n == ni_code}
        assert areas == {a.area_code for a in AREAS if a.exists_in(first_year(a.area_code))}
    assert len(ni_152) == 4
    for period_id, (numerator, denominator) in ni_152.items():
        assert 10.5 <= 100 * numerator / denominator <= 13.5, period_id


HEADER = "area_code,indicator,period,value,numerator,denominator,status\n"


def _journeys(load: NightlyLoad, per_area: Callable[[int], int]) -> None:
    """NI 177 for 2008/09 from twelve areas: enough values for the check's scale test."""
    areas = [a.area_code for a in AREAS if a.exists_in("2008-09")][:12]
    rows = [f"{code},NI 177,2008/09,{per_area(n)},,,final" for n, code in enumerate(areas)]
    load.write("2008-09/journeys.csv", HEADER + "\n".join(rows) + "\n")


def _failed_checks(result) -> set[str]:
    return {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}


def test_the_load_fails_on_journeys_in_the_hundreds_against_targets_in_millions(nightly_load):
    """The NI 177 case: the blocking dbt test runs in the load and stops it."""
    _journeys(nightly_load, lambda n: 300 + 40 * n)
    result = nightly_load.run()
    assert not result.success
    assert "assert_laa_targets_are_plausible" in _failed_checks(result)
    published = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "warehouse/live" not in published


def test_the_same_load_passes_with_journeys_in_the_millions(nightly_load):
    _journeys(nightly_load, lambda n: 20_000_000 + 2_000_000 * n)
    result = nightly_load.run()
    assert "assert_laa_targets_are_plausible" not in _failed_checks(result)
    assert result.success

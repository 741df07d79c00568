"""The demo's departmental back series (2003/04 to 2006/07) and its levels against LAA targets.

Read with the contract reader and rules of test_demo_generate.py, independent of ingest. The
back series must give the warehouse five consecutive annual points per area and indicator,
leave every value of 2007/08-2010/11 as it was, and hold only valid rows.
"""

from __future__ import annotations

import csv
import statistics
from pathlib import Path
from typing import NamedTuple

import pytest
from test_demo_generate import (
    SEEDS,
    Rules,
    _hashes,
    expected_reasons,
    number,
    read_return,
)
from test_demo_generate import ni_code as parse_ni_code

from pipelines.demo.back_series import BACK_SERIES_DIR, FEEDS, back_series_indicators
from pipelines.demo.generate import generate_demo_returns
from pipelines.demo.reference import PREDECESSOR_OF, read_areas, read_indicators
from pipelines.demo.summary import WrittenFile
from pipelines.demo.values import area_profile, indicator_model, indicator_series, kind_of

SCALE = 0.05
BACK_YEARS = ("2003-04", "2004-05", "2005-06", "2006-07")
ALL_YEARS = (*BACK_YEARS, "2007-08", "2008-09", "2009-10", "2010-11")
SUCCESSORS = frozenset(PREDECESSOR_OF)
LISTED = {code for feed in FEEDS for code in feed.sources}


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo_returns(tmp_path_factory.mktemp("raw"), SEEDS, seed=7, scale=SCALE)


def _departmental(demo) -> list[WrittenFile]:
    return [f for f in demo.files if f.path.startswith(f"{BACK_SERIES_DIR}/")]


@pytest.fixture(scope="module")
def values(demo, rules: Rules) -> dict[tuple[str, str, str], dict[str, str]]:
    """(area, indicator, period_id) -> row, from the final returns and the departmental feeds."""
    values = {}
    for written in demo.files:
        if "/round2_final/" in written.path or written.path.startswith(f"{BACK_SERIES_DIR}/"):
            for _, row in read_return(demo.raw_dir / written.path)[1]:
                key, reason = rules.key_and_reason(row)
                assert reason is None, (written.path, row, reason)
                values[key] = row
    return values


def _year(rules: Rules, period_id: str) -> str:
    return rules.period_year[period_id]


def _shown(row: dict[str, str], rules: Rules) -> float:
    """The row's value, derived from numerator and denominator when left blank."""
    value = number(row.get("value", ""))
    if value is None:
        multiplier = rules.indicators[rules.key_and_reason(row)[0][1]].multiplier
        value = number(row["numerator"]) / number(row["denominator"]) * multiplier
    return value


def test_the_listed_indicators_are_live_annual_and_marked_recalled():
    eligible = back_series_indicators(read_indicators(SEEDS))
    assert set(eligible) == LISTED  # none dropped for being retired, quarterly or a survey
    assert 30 <= len(LISTED) <= 50
    assert {i.period_type for i in eligible.values()} <= {
        "financial_year", "academic_year", "calendar_year"
    }  # fmt: skip
    for feed in FEEDS:
        for code in feed.sources:
            text = feed.provenance(code)
            assert (
                text.startswith("recalled: collected before the NIS by ") and "unverified" in text
            )


def test_one_final_csv_per_department_holding_only_the_back_years(demo, rules):
    files = _departmental(demo)
    assert sorted(f.path for f in files) == sorted(feed.path for feed in FEEDS)
    assert all(f.file_format == "csv" and f.expected_outcome == "LOADED" for f in files)
    periods, indicators = set(), set()
    for written in files:
        assert expected_reasons(demo.raw_dir / written.path, rules) == {}, written.path
        _, rows = read_return(demo.raw_dir / written.path)
        assert len(rows) == written.rows > 0
        for _, row in rows:
            key, _ = rules.key_and_reason(row)
            periods.add(key[2])
            indicators.add(key[1])
            assert row["status"] == "final"
            assert row["comment"].startswith("recalled:") and "unverified" in row["comment"]
    assert indicators == LISTED
    assert {_year(rules, p) for p in periods} == set(BACK_YEARS)
    # the contract's spellings of each period type: 2003/04, academic 2003/04, calendar 2003
    assert {"2003-04", "AY2003-04", "2003"} <= periods
    assert "back series 2003/04-2006/07 for" in demo.describe()


def test_no_other_file_holds_a_back_year(demo, rules):
    """Lexical path order decides revisions: nothing else may write 2003/04-2006/07 values."""
    for written in demo.files:
        if written.expected_outcome != "LOADED" or written.path.startswith(BACK_SERIES_DIR):
            continue
        for _, row in read_return(demo.raw_dir / written.path)[1]:
            key, _ = rules.key_and_reason(row)
            assert key is None or _year(rules, key[2]) not in BACK_YEARS, (written.path, row)


def test_every_2008_area_has_five_consecutive_annual_points(rules, values):
    periods = {}  # (indicator, year) -> period_id: one period a year for annual indicators
    for _, ni_code, period_id in values:
        periods[(ni_code, _year(rules, period_id))] = period_id
    then = sorted({key[0] for key in values} - SUCCESSORS)
    assert {"E10000001", "E10000004"} <= set(then) and len(then) >= 8
    runs = []  # consecutive annual points ending 2010/11, per (area, indicator) still there
    for ni_code in sorted(LISTED):
        for area_code in then:
            sent = [(area_code, ni_code, periods[(ni_code, y)]) in values for y in ALL_YEARS]
            assert all(sent[:4]), (area_code, ni_code, sent)  # the whole back series
            if area_code in PREDECESSOR_OF.values():  # abolished 1 April 2009
                assert not any(sent[6:]), (area_code, ni_code, sent)
                continue
            runs.append(len(ALL_YEARS) - next((i + 1 for i in range(7, -1, -1) if not sent[i]), 0))
    # a few (area, indicator, year) are never sent (PROVISIONAL_MISSING), so "most", not all
    assert sum(run >= 5 for run in runs) / len(runs) > 0.9
    assert sum(run == len(ALL_YEARS) for run in runs) / len(runs) > 0.9


def test_successor_areas_have_nothing_before_2009_10(demo, rules, values):
    for area_code in SUCCESSORS:
        years = {_year(rules, p) for a, _, p in values if a == area_code}
        assert years and min(years) == "2009-10", area_code
    for written in _departmental(demo):
        for _, row in read_return(demo.raw_dir / written.path)[1]:
            assert row["area_code"] not in SUCCESSORS


def test_ratio_rows_carry_numerator_and_denominator(demo, rules):
    ratios = 0
    for written in _departmental(demo):
        for _, row in read_return(demo.raw_dir / written.path)[1]:
            indicator = rules.indicators[row["indicator"]]
            num, den = number(row["numerator"]), number(row["denominator"])
            if indicator.aggregation != "ratio":
                assert num is None and den is None, row
                continue
            assert num == int(num) and den == int(den) and den > 0, row
            # written to 2 decimals from exactly numerator / denominator x multiplier
            exact = num / den * indicator.multiplier
            assert abs(number(row["value"]) - exact) <= 0.005 + 1e-9, row
            ratios += 1
    assert ratios > 500


def test_back_series_changes_no_other_file(demo, tmp_path):
    without = generate_demo_returns(tmp_path, SEEDS, seed=7, scale=SCALE, back_series=False)
    assert not (tmp_path / BACK_SERIES_DIR).exists() and without.back_series == []
    with_back = _hashes(demo.raw_dir)
    marker = "DEMO-RETURNS.sha256"
    assert {p for p in with_back if p.startswith(f"{BACK_SERIES_DIR}/")} == {
        f.path for f in _departmental(demo)
    }
    others = {p: h for p, h in with_back.items() if not p.startswith(BACK_SERIES_DIR)}
    assert others.pop(marker) != _hashes(tmp_path)[marker]  # the marker lists the feeds too
    assert others == {p: h for p, h in _hashes(tmp_path).items() if p != marker}
    assert [f for f in demo.files if not f.path.startswith(BACK_SERIES_DIR)] == without.files
    assert demo.faults == without.faults


def test_back_series_continues_each_area_along_its_trend(rules, values):
    """2006/07 -> 2007/08 is a step like any other year's, not a jump to another level."""
    steps = {"into 2007/08": [], "into 2008/09": []}
    by_key = {(a, n, _year(rules, p)): _shown(row, rules) for (a, n, p), row in values.items()}
    for ni_code in LISTED:
        level = [v for (a, n, y), v in by_key.items() if n == ni_code and y == "2008-09"]
        spread = statistics.pstdev(level)
        for area_code in {a for a, n, _ in by_key if n == ni_code}:
            series = [by_key.get((area_code, ni_code, y)) for y in ALL_YEARS[3:6]]
            if None in series or spread == 0:
                continue
            steps["into 2007/08"].append(abs(series[1] - series[0]) / spread)
            steps["into 2008/09"].append(abs(series[2] - series[1]) / spread)
    back, forward = (statistics.mean(s) for s in steps.values())
    # drawn with another area effect, the step into 2007/08 would be ~3x the others (tried)
    assert back < 1.5 * forward, (back, forward)


# --- levels: the demo's counts are of the order of the LAA targets' (data/seeds/laa_targets.csv)


def _targets() -> dict[str, list[tuple[str, str, float]]]:
    """ni_code -> [(area_code, period id, target or baseline value)]; `2008/09 Q4` -> 2008-09Q4."""
    out: dict[str, list[tuple[str, str, float]]] = {}
    with (SEEDS / "laa_targets.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for period, value in (
                (row["period"], row["target_value"]),
                (row["baseline_period"], row["baseline_value"]),
            ):
                if period and value:
                    out.setdefault(row["ni_code"], []).append(
                        (row["area_code"], period.replace("/", "-").replace(" ", ""), float(value))
                    )
    return out


def _demo_values(ni_code: str, wanted: list[tuple[str, str, float]]) -> list[tuple[float, float]]:
    """(demo final value, target) for each target's area and period (academic too), seed 2008."""
    indicator = next(i for i in read_indicators(SEEDS) if i.ni_code == ni_code)
    model = indicator_model(indicator, 2008)
    areas = {a.area_code: a for a in read_areas(SEEDS)}
    pairs = []
    for area_code in sorted({a for a, _, _ in wanted}):
        area = areas[area_code]
        series = indicator_series(area, area_profile(area, 2008), indicator, model, 2008)
        final = {p.period.period_id: p.final for p in series if p.final is not None}
        for _, period_id, target in (w for w in wanted if w[0] == area_code):
            m = final.get(period_id) or final.get(f"AY{period_id}")
            pairs += [(m.value, target)] if m else []
    return pairs


def test_ni_177_journeys_are_of_the_order_of_its_targets(demo, rules):
    pairs = _demo_values("NI 177", _targets()["NI 177"])
    assert len(pairs) > 50
    ratios = sorted(value / target for value, target in pairs if target > 0)
    assert 1 / 3 < statistics.median(ratios) < 3
    assert sum(0.1 <= r <= 10 for r in ratios) / len(ratios) > 0.9
    # and in the files: millions of journeys, in every return and in the DfT back series
    written = [
        number(row["value"])
        for f in demo.files
        if f.expected_outcome == "LOADED" and not f.path.startswith("faulty/")
        for _, row in read_return(demo.raw_dir / f.path)[1]
        if rules.key_and_reason(row)[0][1] == "NI 177" and row.get("value", "").strip()
    ]
    assert len(written) > 50 and min(written) > 100_000


def test_every_count_indicator_is_within_ten_times_its_targets():
    targets = _targets()
    counts = [i for i in read_indicators(SEEDS) if i.is_live and kind_of(i) == "count"]
    checked = []
    for indicator in counts:
        wanted = [t for t in targets.get(indicator.ni_code, []) if t[2] > 0]
        pairs = _demo_values(indicator.ni_code, wanted) if wanted else []
        if not pairs:
            continue
        demo_median = statistics.median(v for v, _ in pairs)
        target_median = statistics.median(t for _, t in pairs)
        assert 0.1 <= demo_median / target_median <= 10, (indicator.ni_code, demo_median)
        checked.append(indicator.ni_code)
    assert {"NI 76", "NI 156", "NI 177"} <= set(checked) and len(checked) >= 12


def test_back_series_rows_are_counted_in_the_summary(demo):
    rows = sum(f.rows for f in _departmental(demo))
    areas_then = len({Path(f.path).name[:9] for f in demo.files if f.path.startswith("2007-08/")})
    assert rows == areas_then * len(LISTED) * len(BACK_YEARS)
    assert f"{demo.rows_written} data rows" in demo.describe()


# --- plausibility: the warehouse's blocking check of LAA targets, against the demo's values


# The full demo takes ~15 s to write: it runs in `make test`, not in `make test-fast`.
@pytest.fixture(
    scope="module",
    params=[pytest.param(1.0, marks=pytest.mark.e2e), 0.05],
    ids=["full", "e2e-scale"],
)
def returned(request, tmp_path_factory, rules) -> tuple[float, dict[str, list[float]]]:
    """(scale, ni_code -> every current value of a demo with the default seed, from its files).

    Scale 1 is the full demo; 0.05 is what the e2e tests load (tests/conftest.py DEMO_SCALE).
    The current values are the final round's and the departmental back series': every
    provisional value has a final one, good rows of the faulty files repeat it, and each
    (area, indicator, period) is in one of these files only. Their rows are all valid (tested
    above and in test_demo_generate.py), so they are read without the full rules, for speed.
    """
    raw = tmp_path_factory.mktemp("plausible")
    demo = generate_demo_returns(raw, SEEDS, seed=2008, scale=request.param)
    by_indicator: dict[str, list[float]] = {}
    for written in demo.files:
        if "/round2_final/" in written.path or written.path.startswith(f"{BACK_SERIES_DIR}/"):
            for _, row in read_return(raw / written.path, calamine=True)[1]:
                indicator = rules.indicators[parse_ni_code(row["indicator"])]
                value = number(row.get("value", ""))
                if value is None:  # a ratio row that leaves the value to be derived
                    num, den = number(row["numerator"]), number(row["denominator"])
                    value = num / den * indicator.multiplier
                by_indicator.setdefault(indicator.ni_code, []).append(value)
    return request.param, by_indicator


class Scale(NamedTuple):
    """What the check knows of an indicator's current values."""

    count: int
    largest: float  # of the absolute values
    smallest: float

    @classmethod
    def of(cls, values: list[float]) -> Scale:
        return cls(len(values), max(map(abs, values), default=0.0), min(values, default=0.0))


def implausible(figure: float, valid_min: float | None, valid_max: float | None, scale: Scale):
    """dbt_project/tests/assert_laa_targets_are_plausible.sql, on one target or baseline.

    Outside the valid range; or, given 10 values or more, over 10 times the largest absolute
    value, or (all values positive) positive and under a tenth of the smallest. Without the
    SQL's `largest > 0` guard, so a little stricter: no figure passes here that fails there.
    """
    if (valid_min is not None and figure < valid_min) or (
        valid_max is not None and figure > valid_max
    ):
        return True
    if scale.count < 10:
        return False
    return abs(figure) > 10 * scale.largest or (
        scale.smallest > 0 and 0 < figure < scale.smallest / 10
    )


def test_implausible_is_the_dbt_rule():
    values = [2.0] * 9 + [4.0]
    scale = Scale.of(values)
    assert implausible(-1, 0, 100, scale) and implausible(101, 0, 100, scale)
    assert implausible(40.1, 0, None, scale) and not implausible(40, 0, None, scale)
    assert implausible(-40.1, None, None, scale)
    assert implausible(0.19, 0, None, scale) and not implausible(0.2, 0, None, scale)
    assert not implausible(0, 0, None, scale)  # zero is never "under a tenth"
    assert not implausible(0.01, 0, None, Scale.of([0.0, *values]))  # not all positive
    assert not implausible(1_000, 0, None, Scale.of(values[:9]))  # under 10 values: range only


def test_every_laa_target_and_baseline_is_plausible_against_the_demo(rules, returned):
    demo_scale, returned = returned
    scales = {ni_code: Scale.of(values) for ni_code, values in returned.items()}
    problems, figures = set(), 0
    with (SEEDS / "laa_targets.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            indicator = rules.indicators[row["ni_code"]]
            scale = scales.get(row["ni_code"], Scale.of([]))
            # at full scale the scale test applies to all (at 0.05 a survey has 9 values)
            assert scale.count >= 10 or demo_scale < 1, (row["ni_code"], scale)
            for field in ("target_value", "baseline_value"):
                if not row[field].strip():
                    continue
                figure, figures = float(row[field]), figures + 1
                if implausible(figure, indicator.valid_min, indicator.valid_max, scale):
                    problems.add((row["ni_code"], field, figure, scale.largest, scale.smallest))
    assert figures > 30_000
    listed = sorted(problems, key=lambda p: (int(p[0][3:]), p[1], p[2]))
    assert not problems, (
        f"{len(problems)} implausible (ni_code, field, figure, largest, smallest) at scale "
        f"{demo_scale}:\n" + "\n".join(map(str, listed))
    )

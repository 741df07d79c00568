"""The real nightly_load Dagster job (ingest, dbt build, publish) on small hand-made returns.

Every figure asserted here is computed in the test from the returns it wrote, never read
back from the code under test.
"""

from __future__ import annotations

import hashlib
import math
import shutil
from pathlib import Path

import judgement
import pytest
from contract import CONTRACT_TABLES
from harness import SEEDS, NightlyLoad

BARNSLEY, DONCASTER, ROTHERHAM, SHEFFIELD = "E08000016", "E08000017", "E08000018", "E08000019"
HEADER = "area_code,indicator,period,value,numerator,denominator,status\n"

# NI 117 (lower is better; ratio x 100) in 2008/09, as (numerator, denominator) or a bare value
NI117_2008 = {BARNSLEY: (75, 1000), DONCASTER: (90, 1200), ROTHERHAM: (50, 1000), SHEFFIELD: 6.0}
NI154_2008 = {BARNSLEY: 500, DONCASTER: 700}  # a sum indicator: net additional homes


def _round1_csv() -> str:
    rows = [f"{BARNSLEY},NI 117,2007/08,8.0,,,final"]
    for area, v in NI117_2008.items():
        rows.append(
            f"{area},NI 117,2008/09,{v},,,provisional"
            if isinstance(v, float)
            else f"{area},NI 117,2008/09,,{v[0]},{v[1]},provisional"
        )
    rows += [f"{area},NI 154,2008/09,{v},,," for area, v in NI154_2008.items()]
    rows.append(f"{BARNSLEY},NI 117,2009/10,n/a,,,")  # rejected: BAD_NUMBER on line 9
    return HEADER + "\n".join(rows) + "\n"


# A departmental series for the judgement (docs/judgement.md), five academic / financial years:
# NI 75 (a proportion, higher is better): Sheffield rising 40 % -> 50 %, Doncaster flat at 35 %;
# NI 15 (a rate per 1,000, lower is better): Sheffield falling.
SERIES_YEARS = ("2004/05", "2005/06", "2006/07", "2007/08", "2008/09")
NI75 = {SHEFFIELD: (400, 420, 450, 470, 500), DONCASTER: (350, 350, 350, 350, 350)}
NI75_PUPILS = 1000
NI15_SHEFFIELD = (3000, 2900, 2700, 2500, 2300)
NI15_POPULATION = 530_000


def _series_csv() -> str:
    rows = [
        f"{area},NI 75,{year},,{count},{NI75_PUPILS},final"
        for area, counts in NI75.items()
        for year, count in zip(SERIES_YEARS, counts, strict=True)
    ]
    rows += [
        f"{SHEFFIELD},NI 15,{year},,{count},{NI15_POPULATION},final"
        for year, count in zip(SERIES_YEARS, NI15_SHEFFIELD, strict=True)
    ]
    return HEADER + "\n".join(rows) + "\n"


def mart_fingerprints(load: NightlyLoad) -> dict[str, str]:
    tables = [
        name
        for (name,) in load.query(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1"
        )
    ]
    return {
        name: hashlib.sha256(
            repr(sorted(load.query(f"select * from marts.{name}"), key=repr)).encode()  # noqa: S608
        ).hexdigest()
        for name in tables
    }


@pytest.fixture(scope="module")
def loaded(make_nightly_load) -> NightlyLoad:
    """Two loads: the first round of returns, then a file revising Barnsley's NI 117."""
    pipeline = make_nightly_load("e2e")
    pipeline.write("2008-09/round1.csv", _round1_csv())
    pipeline.write("departmental/series.csv", _series_csv())
    first = pipeline.run()
    assert first.success, first.all_events
    pipeline.after_first = pipeline.query(  # type: ignore[attr-defined]
        "select value, revision_count from marts.fct_indicator_values "
        "where area_code = ? and ni_code = 'NI 117' and period_id = '2008-09'",
        BARNSLEY,
    )
    pipeline.write("2008-09/round2.csv", HEADER + f"{BARNSLEY},NI 117,2008/09,7.0,70,1000,final\n")
    second = pipeline.run()
    assert second.success
    return pipeline


def test_every_contract_table_exists(loaded: NightlyLoad) -> None:
    tables = set(
        loaded.query(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'audit')"
        )
    )
    assert set(CONTRACT_TABLES) <= {t for (t,) in tables}


def test_revision_becomes_current_and_history_keeps_both(loaded: NightlyLoad) -> None:
    assert loaded.after_first == [(7.5, 0)]  # type: ignore[attr-defined]
    current = loaded.query(
        "select value, numerator, denominator, status, revision_count, source_file "
        "from marts.fct_indicator_values "
        "where area_code = ? and ni_code = 'NI 117' and period_id = '2008-09'",
        BARNSLEY,
    )
    assert current == [(7.0, 70.0, 1000.0, "final", 1, "2008-09/round2.csv")]
    history = loaded.query(
        "select value, source_file, source_line from marts.fct_indicator_value_history "
        "where area_code = ? and ni_code = 'NI 117' and period_id = '2008-09' order by loaded_at, source_file",
        BARNSLEY,
    )
    assert history == [(7.5, "2008-09/round1.csv", 3), (7.0, "2008-09/round2.csv", 2)]


def _ni117_after_revision() -> dict[str, tuple[float, float] | float]:
    return {**NI117_2008, BARNSLEY: (70, 1000)}


def test_england_region_and_maa_aggregate_ratios_from_numerators(loaded: NightlyLoad) -> None:
    values = _ni117_after_revision()
    pairs = [v for v in values.values() if isinstance(v, tuple)]
    expected = sum(n for n, _ in pairs) / sum(d for _, d in pairs) * 100
    area_values = sorted(
        (v[0] / v[1] * 100) if isinstance(v, tuple) else v for v in values.values()
    )
    median = (area_values[1] + area_values[2]) / 2
    groups = loaded.query(
        "select group_type, group_code, value, numerator, denominator, areas_reporting, "
        "areas_expected, median_area_value from marts.fct_group_values "
        "where ni_code = 'NI 117' and period_id = '2008-09' "
        "and group_code in ('E92000001', 'E12000003', 'MAA_SOUTH_YORKSHIRE') order by group_type"
    )
    expected_areas = {"england": 150, "maa": 4, "region": 15}
    codes = {"england": "E92000001", "maa": "MAA_SOUTH_YORKSHIRE", "region": "E12000003"}
    assert [g[0] for g in groups] == ["england", "maa", "region"]
    for group_type, code, value, num, den, reporting, expected_n, med in groups:
        assert code == codes[group_type]
        assert value == pytest.approx(expected, rel=1e-12)
        assert (num, den) == (sum(n for n, _ in pairs), sum(d for _, d in pairs))
        assert reporting == 3  # Sheffield sent a value without numerator and denominator
        assert expected_n == expected_areas[group_type]
        assert med == pytest.approx(median)


def test_sum_indicator_adds_values(loaded: NightlyLoad) -> None:
    (value,) = loaded.query(
        "select value from marts.fct_group_values where group_type = 'england' "
        "and ni_code = 'NI 154' and period_id = '2008-09'"
    )[0]
    assert value == sum(NI154_2008.values())


def test_rank_quartile_and_direction_respect_polarity(loaded: NightlyLoad) -> None:
    values = {
        area: (v[0] / v[1] * 100) if isinstance(v, tuple) else v
        for area, v in _ni117_after_revision().items()
    }
    rows = loaded.query(
        "select area_code, period_id, value, rank, areas_ranked, quartile, previous_period_id, "
        "previous_value, direction_of_travel, england_value from marts.caa_area_performance "
        "where ni_code = 'NI 117' and area_code in (?, ?, ?, ?) and is_latest_period "
        "order by area_code",
        BARNSLEY, DONCASTER, ROTHERHAM, SHEFFIELD,
    )  # fmt: skip
    assert len(rows) == 4
    for area, period, value, rank, ranked, quartile, prev_period, prev, direction, _ in rows:
        better = sum(1 for other in values.values() if other < values[area])  # lower is better
        assert (period, value, rank, ranked) == (
            "2008-09",
            pytest.approx(values[area]),
            1 + better,
            4,
        )
        assert quartile == math.ceil(4 * rank / ranked)
        if area == BARNSLEY:  # 8.0 in 2007/08, 7.0 now: lower is better, so improved
            assert (prev_period, prev, direction) == ("2007-08", 8.0, "improved")
        else:
            assert (prev_period, direction) == (None, "not_comparable")


def test_intervals_comparisons_and_trends_of_a_written_series(loaded: NightlyLoad) -> None:
    """NI 75 and NI 15 in 2008/09, judged as docs/judgement.md says, figures computed here."""
    rows = {
        (area, ni): rest
        for area, ni, *rest in loaded.query(
            "select area_code, ni_code, value, ci_lower_95, ci_upper_95, ci_lower_998, "
            "ci_upper_998, ci_method, england_value, england_comparison, "
            "england_comparison_998, recent_trend, recent_trend_direction "
            "from marts.caa_area_performance "
            "where ni_code in ('NI 75', 'NI 15') and period_id in ('AY2008-09', '2008-09')"
        )
    }
    # NI 75: Wilson from the counts; England = (500 + 350) / 2000 = 42.5 %, below Sheffield's
    # interval (higher is better: better) and above Doncaster's (worse)
    england = (NI75[SHEFFIELD][-1] + NI75[DONCASTER][-1]) / (2 * NI75_PUPILS) * 100
    expected_words = {SHEFFIELD: ("better", "increasing", "getting_better"),
                      DONCASTER: ("worse", "no_significant_change", None)}  # fmt: skip
    for area, (comparison, trend, direction) in expected_words.items():
        count = NI75[area][-1]
        low95, high95 = (x * 100 for x in judgement.wilson(count, NI75_PUPILS, judgement.Z["95"]))
        low998, high998 = (
            x * 100 for x in judgement.wilson(count, NI75_PUPILS, judgement.Z["998"])
        )
        assert rows[area, "NI 75"] == [
            pytest.approx(count / NI75_PUPILS * 100),
            pytest.approx(low95, rel=1e-12),
            pytest.approx(high95, rel=1e-12),
            pytest.approx(low998, rel=1e-12),
            pytest.approx(high998, rel=1e-12),
            "wilson",
            pytest.approx(england),
            comparison,
            comparison,
            trend,
            direction,
        ], area
    # NI 15: Byar's limits of the count (2,300 >= 10) over the population, per 1,000; the trend
    # by weighted regression on the five points' intervals, recomputed in tests/judgement.py
    scale = 1000 / NI15_POPULATION
    points = []
    for i, count in enumerate(NI15_SHEFFIELD):
        low, high, method = judgement.poisson_limits(count, "95")
        points.append({"year": 2004 + i, "value": count * scale, "ci_lower_95": low * scale,
                       "ci_upper_95": high * scale, "numerator": count,
                       "denominator": NI15_POPULATION})  # fmt: skip
    trend, direction = judgement.recent_trend(points, "lower_is_better", False, "financial_year")
    assert (trend, direction) == ("decreasing", "getting_better")  # the series was written so
    ni15 = rows[SHEFFIELD, "NI 15"]
    assert ni15[:3] == [
        pytest.approx(points[-1]["value"]),
        pytest.approx(points[-1]["ci_lower_95"], rel=1e-12),
        pytest.approx(points[-1]["ci_upper_95"], rel=1e-12),
    ]
    assert (ni15[5], ni15[9], ni15[10]) == ("byar", trend, direction)
    # England is Sheffield alone here: similar to itself
    assert ni15[7] == "similar"


def test_audit_accounts_for_every_row(loaded: NightlyLoad) -> None:
    files = loaded.query(
        "select path, outcome, rows_read, rows_accepted, rows_rejected from audit.load_files order by path"
    )
    series_rows = 3 * len(SERIES_YEARS)
    assert files == [
        ("2008-09/round1.csv", "LOADED", 8, 7, 1),
        ("2008-09/round2.csv", "LOADED", 1, 1, 0),
        ("departmental/series.csv", "LOADED", series_rows, series_rows, 0),
    ]
    assert loaded.query("select path, line_number, reason_code from audit.rejected_rows") == [
        ("2008-09/round1.csv", 9, "BAD_NUMBER")
    ]
    assert loaded.query(
        "select files, rows_accepted, rows_rejected from audit.loads order by started_at, load_id"
    ) == [
        (2, 7 + series_rows, 1),
        (1, 1, 0),
    ]


def test_failed_load_leaves_published_warehouse_untouched(
    loaded: NightlyLoad, tmp_path: Path
) -> None:
    broken_seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, broken_seeds)
    (broken_seeds / "periods.csv").unlink()  # the ingest step cannot validate periods
    broken = loaded.with_seeds(broken_seeds)
    round3 = loaded.write(
        "2008-09/round3.csv", HEADER + f"{DONCASTER},NI 117,2008/09,7.2,,,final\n"
    )
    before = loaded.sha256()
    result = broken.run()
    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "warehouse/live" not in materialized
    assert loaded.sha256() == before
    round3.unlink()

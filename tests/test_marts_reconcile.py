"""Reconcile the published marts with figures recomputed here, in plain Python, from the ledger.

A small demo warehouse is built with the real nightly_load job. Then, from nothing but the
ledger (`ingest.accepted_values`, and `ingest.derived_values`: NI 152 and NI 153 from the demo's
feed) and the seed CSVs, this module recomputes the current values, every group value (England, regions, MAAs), the CAA ranks, quartiles, directions of
travel and target statuses, LAA target progress and trajectories, and the judgement (intervals,
comparisons with England and region, recent trends: tests/judgement.py), following
docs/contract.md section 2 and
docs/warehouse.md. It never reads the dbt SQL or any intermediate model; every mart row and
column must agree (floats to a relative 1e-9).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import shutil
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import duckdb
import judgement
import pytest
from harness import SEEDS, DemoLoad, NightlyLoad

from pipelines.release.release import build_release_site
from pipelines.warehouse.quiet_night import pending_work

ENGLAND = "E92000001"
BEDFORD, CENTRAL_BEDFORDSHIRE, CHESHIRE_EAST = "E06000055", "E06000056", "E06000049"
KEY = ("area_code", "ni_code", "period_id")
REL_TOL = 1e-9
ABS_TOL = 1e-12  # so that 0.0 matches -0.0 or 1e-17 noise
NO_CHANGE_BELOW = 0.05
DECIMALS = 9  # docs/warehouse.md: comparisons are made to 9 decimal places


# ---------------------------------------------------------------------------------------------
# reference data, read straight from the seed CSVs


def _read_csv(seeds: Path, name: str) -> list[dict[str, str]]:
    with (seeds / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _bool(text: str) -> bool:
    return text.strip().lower() == "true"


def _float(text: str) -> float | None:
    return float(text) if text.strip() != "" else None


def _year(period: str | None) -> int | None:
    """'2008-09' -> 2008; blank -> None (unbounded)."""
    return int(period[:4]) if period else None


class Reference:
    def __init__(self, seeds: Path = SEEDS):
        self.indicators = {
            r["ni_code"]: {
                "polarity": r["polarity"],
                "period_type": r["period_type"],
                "multiplier": float(r["multiplier"]),
                "aggregation": r["aggregation"],
                "value_type": r["value_type"],
                "ci_method": r["ci_method"],
            }
            for r in _read_csv(seeds, "national_indicators.csv")
        }
        self.areas = {r["area_code"]: r for r in _read_csv(seeds, "areas.csv")}
        self.periods = {r["period_id"]: r for r in _read_csv(seeds, "periods.csv")}
        regions = {r["region_code"]: r["region_name"] for r in _read_csv(seeds, "regions.csv")}
        # groups: (group_type, group_code) -> (group_name, set of member area codes)
        self.groups: dict[tuple[str, str], tuple[str, set[str]]] = {
            ("england", ENGLAND): ("England", set(self.areas))
        }
        for code, name in regions.items():
            members = {a for a, r in self.areas.items() if r["region_code"] == code}
            self.groups[("region", code)] = (name, members)
        for r in _read_csv(seeds, "maa_members.csv"):
            if r["member_tier"] == "top_tier" and r["area_code"]:
                name, members = self.groups.setdefault(
                    ("maa", r["maa_code"]), (r["maa_name"], set())
                )
                members.add(r["area_code"])
        self.targets = _read_csv(seeds, "laa_targets.csv")

    def exists(self, area_code: str, period_id: str) -> bool:
        """The period's reporting year lies within the area's validity (blank = open)."""
        area = self.areas[area_code]
        fy = _year(self.periods[period_id]["financial_year"])
        start, end = _year(area["valid_from_period"]), _year(area["valid_to_period"])
        return (start is None or start <= fy) and (end is None or fy <= end)

    def target_period_id(self, ni_code: str, spelled: str) -> str:
        """A target's period as a return spells it -> period_id, by the indicator's type."""
        text = " ".join(spelled.split())
        period_type = self.indicators[ni_code]["period_type"]
        m = re.fullmatch(r"(\d{4})/(\d{2})(?: Q([1-4]))?", text)
        if m and period_type in ("financial_year", "academic_year", "quarter"):
            fy = f"{m[1]}-{m[2]}"
            if period_type == "academic_year":
                return "AY" + fy
            if period_type == "quarter":
                assert m[3], spelled
                return f"{fy}Q{m[3]}"
            return fy
        assert re.fullmatch(r"\d{4}", text), spelled
        return "PS" + text if period_type == "survey" else text


# ---------------------------------------------------------------------------------------------
# independent recomputation


def current_values(con: duckdb.DuckDBPyConnection) -> dict[tuple, dict]:
    """(area, ni, period) -> the last version by (load_seq, file_order, line_number).

    Exact duplicates inside one file are one version (the first line's); revision_count is
    the number of versions - 1.
    """
    rows = con.execute(
        "select * from ingest.accepted_values union all "
        "select * exclude (quarter, lsoas) from ingest.derived_values "  # NI 152/153 of the feed
        "order by load_seq, file_order, line_number"
    ).fetchall()
    cols = [d[0] for d in con.description]
    versions: dict[tuple, dict[tuple, dict]] = defaultdict(dict)
    for row in rows:
        r = dict(zip(cols, row, strict=True))
        per_key = versions[(r["area_code"], r["ni_code"], r["period_id"])]
        per_key.setdefault((r["load_seq"], r["file_order"]), r)  # dicts keep arrival order
    out = {}
    for key, per_key in versions.items():
        last = list(per_key.values())[-1]
        out[key] = {
            **{c: last[c] for c in ("value", "numerator", "denominator", "ci_lower", "ci_upper")},
            "status": last["status"],
            "value_derived": last["value_derived"],
            "comment": last["comment"],
            "revision_count": len(per_key) - 1,
            "source_file": last["path"],
            "source_line": last["line_number"],
            "load_id": last["load_id"],
            "loaded_at": last["loaded_at"],
        }
    return out


def group_values(ref: Reference, current: dict[tuple, dict]) -> dict[tuple, dict]:
    """(group_type, group_code, ni, period) -> fct_group_values row."""
    by_ni_period: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for (area, ni, period), v in current.items():
        by_ni_period[(ni, period)][area] = v
    out = {}
    for (group_type, group_code), (group_name, members) in ref.groups.items():
        for (ni, period), values in by_ni_period.items():
            reported = {a: v for a, v in values.items() if a in members}
            if not reported:
                continue
            ind = ref.indicators[ni]
            value = numerator = denominator = None
            if ind["aggregation"] == "ratio":
                both = [v for v in reported.values() if v["numerator"] is not None]
                both = [v for v in both if v["denominator"] is not None]
                areas_reporting = len(both)
                if both:
                    numerator = math.fsum(v["numerator"] for v in both)
                    denominator = math.fsum(v["denominator"] for v in both)
                    if denominator != 0:
                        value = numerator * ind["multiplier"] / denominator
            elif ind["aggregation"] == "sum":
                areas_reporting = len(reported)
                value = math.fsum(v["value"] for v in reported.values())
            else:
                # No group value here. The contract's "areas whose values went into value" is
                # read as in the dbt column description: the areas with a value (those behind
                # the median), not 0.
                areas_reporting = len(reported)
            out[(group_type, group_code, ni, period)] = {
                "group_name": group_name,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "areas_reporting": areas_reporting,
                "areas_expected": sum(ref.exists(a, period) for a in members),
                "median_area_value": statistics.median(v["value"] for v in reported.values()),
                "aggregation": ind["aggregation"],
            }
    return out


def _r(x: float) -> float:
    return round(x, DECIMALS)


def is_better(polarity: str, a: float, b: float) -> bool:
    """a strictly better than b (to 9 decimal places)."""
    if polarity == "higher_is_better":
        return _r(a) > _r(b)
    if polarity == "lower_is_better":
        return _r(a) < _r(b)
    return False


def target_met(polarity: str, actual: float, target: float) -> bool:
    if polarity == "higher_is_better":
        return _r(actual) >= _r(target)
    if polarity == "lower_is_better":
        return _r(actual) <= _r(target)
    return _r(actual) == _r(target)


def target_progress(ref: Reference, current: dict[tuple, dict]) -> dict[tuple, dict]:
    out = {}
    for t in ref.targets:
        ni = t["ni_code"]
        key = (t["area_code"], ni, ref.target_period_id(ni, t["period"]))
        polarity = ref.indicators[ni]["polarity"]
        target = float(t["target_value"])
        actual = current[key]["value"] if key in current else None
        if actual is None:
            status = "no_data"
        else:
            status = "met" if target_met(polarity, actual, target) else "not_met"
        assert key not in out, f"two targets for {key}"
        out[key] = {
            "designated": _bool(t["designated"]),
            "statutory": _bool(t["statutory"]),
            "target_value": target,
            "actual_value": actual,
            "status": status,
            "polarity": polarity,
            "target_period": t["period"],
            "baseline_period": t["baseline_period"] or None,
            "baseline_value": _float(t["baseline_value"]),
            "is_illustrative": _bool(t["is_illustrative"]),
        }
    return out


def judged_targets(ref: Reference, current: dict[tuple, dict]) -> dict[tuple, tuple]:
    """(area, ni, period) -> (target period, trajectory, status) for every judged period."""
    values = {k: v["value"] for k, v in current.items()}
    return judgement.target_progress(ref.targets, ref.indicators, ref.periods, values)


def area_performance(
    ref: Reference, current: dict[tuple, dict], groups: dict[tuple, dict]
) -> dict[tuple, dict]:
    """(area, ni, period) -> caa_area_performance row, for every period with a value."""
    by_ni_period: dict[tuple, list[float]] = defaultdict(list)
    by_area_ni: dict[tuple, list[str]] = defaultdict(list)
    for (area, ni, period), v in current.items():
        by_ni_period[(ni, period)].append(v["value"])
        by_area_ni[(area, ni)].append(period)
    targets = judged_targets(ref, current)
    target_values = {
        (t["area_code"], t["ni_code"], ref.target_period_id(t["ni_code"], t["period"])): float(
            t["target_value"]
        )
        for t in ref.targets
    }
    out = {}
    for (area, ni), periods in by_area_ni.items():
        ind = ref.indicators[ni]
        polarity = ind["polarity"]
        periods.sort(key=lambda p: ref.periods[p]["end_date"])
        assert len({ref.periods[p]["period_type"] for p in periods}) == 1
        for i, period in enumerate(periods):
            cur = current[(area, ni, period)]
            value = cur["value"]
            peers = by_ni_period[(ni, period)]
            rank = quartile = None
            if polarity != "neither":
                rank = 1 + sum(is_better(polarity, other, value) for other in peers)
                quartile = math.ceil(4 * rank / len(peers))
            previous_period = periods[i - 1] if i > 0 else None
            previous = current[(area, ni, previous_period)]["value"] if previous_period else None
            if previous is None or polarity == "neither":
                direction = "not_comparable"
            elif _r(abs(value - previous)) < NO_CHANGE_BELOW:
                direction = "no_change"
            else:
                direction = "improved" if is_better(polarity, value, previous) else "worsened"
            region = ref.areas[area]["region_code"]
            target = targets.get((area, ni, period))
            out[(area, ni, period)] = {
                "area_name": ref.areas[area]["area_name"],
                "is_latest_period": i == len(periods) - 1,
                "value": value,
                "england_value": groups[("england", ENGLAND, ni, period)]["value"],
                "region_value": groups[("region", region, ni, period)]["value"],
                "quartile": quartile,
                "rank": rank,
                "areas_ranked": len(peers),
                "previous_period_id": previous_period,
                "previous_value": previous,
                "direction_of_travel": direction,
                "target_value": target_values[(area, ni, target[0])] if target else None,
                "target_status": target[2] if target else None,
                "status": cur["status"],
                "region_code": region,
                "polarity": polarity,
            }
    return out


def judged_figures(
    ref: Reference, figures: dict[tuple, dict], comparators: dict[str, Callable]
) -> dict[tuple, dict]:
    """Intervals, comparisons and recent trends of figures keyed (subject..., ni, period).

    figures hold value, numerator, denominator, ci_lower, ci_upper; comparators name each
    comparison column's comparator value for a key (None: no comparator).
    """
    series: dict[tuple, list[dict]] = defaultdict(list)
    judged = {}
    for key, f in figures.items():
        *subject, ni, period = key
        ind = ref.indicators[ni]
        ci = judgement.interval(
            ind, f["value"], f["numerator"], f["denominator"], f["ci_lower"], f["ci_upper"]
        )
        judged[key] = {**ci}
        for column, comparator_of in comparators.items():
            level = "998" if column.endswith("_998") else "95"
            judged[key][column] = judgement.compare(
                comparator_of(key),
                ci[f"ci_lower_{level}"],
                ci[f"ci_upper_{level}"],
                ind["polarity"],
            )
        start = ref.periods[period]["start_date"]
        series[(*subject, ni)].append(
            {**f, **ci, "year": int(start[:4]), "end": ref.periods[period]["end_date"], "key": key}
        )
    for (*_, ni), points in series.items():
        ind = ref.indicators[ni]
        points.sort(key=lambda p: p["end"])
        for i, point in enumerate(points):
            trend, direction = judgement.recent_trend(
                points[: i + 1],
                ind["polarity"],
                ind["value_type"] == "proportion",
                ind["period_type"],
            )
            judged[point["key"]]["recent_trend"] = trend
            judged[point["key"]]["recent_trend_direction"] = direction
    return judged


# ---------------------------------------------------------------------------------------------
# comparison


def mart_rows(con: duckdb.DuckDBPyConnection, table: str, key: Iterable[str]) -> dict[tuple, dict]:
    key = tuple(key)
    rows = con.execute(f"select * from marts.{table}").fetchall()  # noqa: S608
    cols = [d[0] for d in con.description]
    out = {}
    for row in rows:
        r = dict(zip(cols, row, strict=True))
        k = tuple(r[c] for c in key)
        assert k not in out, f"marts.{table}: duplicate key {k}"
        out[k] = r
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def differences(expected: dict[tuple, dict], actual: dict[tuple, dict]) -> dict[str, list]:
    """column (or 'missing'/'extra' row) -> [(key, expected, actual), ...]."""
    found: dict[str, list] = defaultdict(list)
    for k in expected.keys() - actual.keys():
        found["missing row"].append((k, expected[k], None))
    for k in actual.keys() - expected.keys():
        found["extra row"].append((k, None, actual[k]))
    for k in expected.keys() & actual.keys():
        for col, want in expected[k].items():
            got = actual[k][col]
            if not _same(want, got):
                found[col].append((k, want, got))
    return dict(found)


def summarise(diffs: dict[str, list], limit: int = 3) -> str:
    return "\n".join(
        f"{col}: {len(items)} rows, e.g. "
        + "; ".join(f"{k}: want {w!r} got {g!r}" for k, w, g in items[:limit])
        for col, items in sorted(diffs.items())
    )


# ---------------------------------------------------------------------------------------------
# the small warehouse


@pytest.fixture(scope="module")
def warehouse(demo_load):
    """The shared demo load (conftest.py), with hand-made edge cases the demo may not reach."""
    con = duckdb.connect(str(demo_load.load.warehouse), read_only=True)
    ref = Reference()
    current = current_values(con)
    groups = group_values(ref, current)
    yield {"con": con, "ref": ref, "current": current, "groups": groups}
    con.close()


def test_current_values_are_the_last_version(warehouse):
    expected = warehouse["current"]
    assert expected, "the demo load accepted no values"
    assert any(v["revision_count"] > 0 for v in expected.values()), "no revisions to check"
    actual = mart_rows(warehouse["con"], "fct_indicator_values", KEY)
    diffs = differences(expected, actual)
    assert not diffs, summarise(diffs)


def test_no_value_for_an_area_outside_its_validity(warehouse):
    ref = warehouse["ref"]
    outside = [k for k in warehouse["current"] if not ref.exists(k[0], k[2])]
    assert outside == []


def test_group_values(warehouse):
    expected = warehouse["groups"]
    assert {k[0] for k in expected} == {"england", "region", "maa"}
    assert {e["aggregation"] for e in expected.values()} == {"ratio", "sum", "none"}
    actual = mart_rows(
        warehouse["con"], "fct_group_values", ("group_type", "group_code", "ni_code", "period_id")
    )
    diffs = differences(expected, actual)
    assert not diffs, summarise(diffs)


def test_areas_expected_for_england(warehouse):
    """150 areas in 2008/09 (of any period type) and 152 from 2009/10, reporting or not."""
    ref = warehouse["ref"]
    rows = (
        warehouse["con"]
        .execute(
            "select period_id, areas_expected from marts.fct_group_values where group_type = 'england'"
        )
        .fetchall()
    )
    by_year = defaultdict(set)
    for period, expected in rows:
        by_year[ref.periods[period]["financial_year"]].add(expected)
    assert by_year["2008-09"] == {150}
    for year in ("2009-10", "2010-11"):
        assert by_year[year] == {152}


def test_area_performance(warehouse):
    ref, current, groups = warehouse["ref"], warehouse["current"], warehouse["groups"]
    expected = area_performance(ref, current, groups)
    directions = {e["direction_of_travel"] for e in expected.values()}
    assert {"improved", "worsened", "no_change", "not_comparable"} <= directions
    assert {e["target_status"] for e in expected.values()} >= {"met", "not_met", None}
    assert {e["is_latest_period"] for e in expected.values()} == {True, False}
    actual = mart_rows(warehouse["con"], "caa_area_performance", KEY)
    diffs = differences(expected, actual)
    assert not diffs, summarise(diffs)


def test_area_intervals_comparisons_and_trends(warehouse):
    """Every area figure's interval, comparisons and recent trend, recomputed (judgement.py)."""
    ref, current, groups = warehouse["ref"], warehouse["current"], warehouse["groups"]

    def group_value(group_type: str, code_of: Callable) -> Callable:
        def value(key: tuple):
            group = groups.get((group_type, code_of(key), key[1], key[2]))
            return group["value"] if group else None

        return value

    england = group_value("england", lambda key: ENGLAND)
    region = group_value("region", lambda key: ref.areas[key[0]]["region_code"])
    expected = judged_figures(
        ref,
        current,
        {
            "england_comparison": england,
            "england_comparison_998": england,
            "region_comparison": region,
            "region_comparison_998": region,
        },
    )
    seen = {
        column: {e[column] for e in expected.values()} for column in next(iter(expected.values()))
    }
    assert {"wilson", "byar", "as_returned", None} <= seen["ci_method"]
    assert {"better", "similar", "worse"} <= seen["england_comparison"]
    assert {"increasing", "decreasing", "no_significant_change", "cannot_be_calculated"} <= seen[
        "recent_trend"
    ]
    actual = mart_rows(warehouse["con"], "caa_area_performance", KEY)
    diffs = differences(expected, actual)
    assert not diffs, summarise(diffs)


def test_group_intervals_comparisons_and_trends(warehouse):
    ref, groups = warehouse["ref"], warehouse["groups"]
    figures = {
        k: {**g, "ci_lower": None, "ci_upper": None}
        for k, g in groups.items()
        if g["value"] is not None
    }

    def england(key: tuple):
        if key[0] == "england":
            return None
        return groups[("england", ENGLAND, key[2], key[3])]["value"]

    expected = judged_figures(
        ref, figures, {"england_comparison": england, "england_comparison_998": england}
    )
    for key, e in expected.items():
        if key[0] == "england":
            e["england_comparison"] = e["england_comparison_998"] = None
    actual = mart_rows(
        warehouse["con"], "fct_group_values", ("group_type", "group_code", "ni_code", "period_id")
    )
    without_value = [r for r in actual.values() if r["value"] is None]
    assert without_value and all(r["ci_method"] is None for r in without_value)
    diffs = differences(expected, {k: r for k, r in actual.items() if r["value"] is not None})
    assert not diffs, summarise(diffs)


def test_target_progress(warehouse):
    ref, current = warehouse["ref"], warehouse["current"]
    own = target_progress(ref, current)
    assert {e["status"] for e in own.values()} == {"met", "not_met", "no_data"}
    actual = mart_rows(warehouse["con"], "fct_laa_target_progress", KEY)
    diffs = differences(own, {k: v for k, v in actual.items() if k[2] == v["target_period_id"]})
    assert not diffs, summarise(diffs)
    judged = {
        key: {"target_period_id": period, "trajectory_value": line, "status": status}
        for key, (period, line, status) in judged_targets(ref, current).items()
    }
    diffs = differences(judged, actual)
    assert not diffs, summarise(diffs)


def test_edge_cases_are_in_the_marts(warehouse):
    """The hand-made rows (conftest.py's EDGE_CASES) reached the marts, judged as documented."""
    con = warehouse["con"]
    caa = {
        (row["area_code"], row["ni_code"]): row
        for row in mart_rows(con, "caa_area_performance", KEY).values()
        if row["is_latest_period"]
    }
    bedford, central = caa[(BEDFORD, "NI 117")], caa[(CENTRAL_BEDFORDSHIRE, "NI 117")]
    assert (bedford["period_id"], bedford["value"]) == ("2010-11", 23.3333333333)
    assert central["value"] != 23.3333333333 and round(central["value"], 9) == 23.333333333
    assert bedford["rank"] == central["rank"]
    east = caa[(CHESHIRE_EAST, "NI 117")]
    assert (east["previous_value"], east["value"]) == (7.5, 7.55)
    assert east["direction_of_travel"] == "worsened"
    # East of England: Bedford's bare value is in the median but not in the ratio value
    (reporting, with_value), *_ = con.execute(
        "select g.areas_reporting, count(v.area_code) from marts.fct_group_values as g "
        "join marts.fct_indicator_values as v using (ni_code, period_id) "
        "join marts.dim_area as a on a.area_code = v.area_code and a.region = g.group_name "
        "where g.group_code = 'E12000006' and g.ni_code = 'NI 117' and g.period_id = '2010-11' "
        "group by all"
    ).fetchall()
    assert 0 < reporting == with_value - 1


# ---- Also on the shared demo load. Every test that reads it is in this file, so that
# `make test` (a test file runs whole on one worker) makes the demo load once.

# The demo tests read the session's shared demo load (conftest.py's demo_load): the real job on
# a small demo set (every live indicator, a few areas, all faults).


def test_demo_faults_are_rejected_exactly_where_planted(demo_load: DemoLoad) -> None:
    pipeline, summary = demo_load.load, demo_load.summary
    expected_rows = sorted((f.path, f.line, f.reason_code) for f in summary.row_faults)
    assert (
        pipeline.query(
            "select path, line_number, reason_code from audit.rejected_rows order by 1, 2"
        )
        == expected_rows
    )
    outcomes = dict(
        ((path), (outcome, reason))
        for path, outcome, reason in pipeline.query(
            "select path, outcome, reason from audit.load_files"
        )
    )
    for written in summary.files:
        if written.expected_outcome == "IGNORED":
            assert written.path not in outcomes
        else:
            assert outcomes[written.path][0] == written.expected_outcome, written
    for fault in summary.file_faults:
        if fault.expected_outcome == "REJECTED":
            assert outcomes[fault.path] == ("REJECTED", fault.reason_code)


def test_demo_every_row_written_is_read_and_accounted_for(demo_load: DemoLoad) -> None:
    pipeline, summary = demo_load.load, demo_load.summary
    read = dict(
        pipeline.query(
            "select path, rows_read from audit.load_files "
            "where outcome = 'LOADED' and rows_read = rows_accepted + rows_rejected"
        )
    )
    loaded = [f for f in summary.files if f.expected_outcome == "LOADED"]
    assert {f.path: f.rows for f in loaded} | demo_load.extra_files == read


def test_demo_2008_09_has_every_live_indicator_for_every_area(demo_load: DemoLoad) -> None:
    pipeline, summary = demo_load.load, demo_load.summary
    # the areas that sent 2008/09 returns, from the file names the generator wrote
    areas_2008 = len(
        {
            f.path.split("/")[-1].split("_")[0]
            for f in summary.files
            if f.path.startswith("2008-09/")
        }
    )
    live = pipeline.query("select count(*) from marts.dim_indicator where is_live")[0][0]
    pairs, wrong_type = pipeline.query(
        "select count(distinct (v.area_code, v.ni_code)), "
        "count(*) filter (where p.period_type <> i.period_type) "
        "from marts.fct_indicator_values v join marts.dim_period p using (period_id) "
        "join marts.dim_indicator i using (ni_code) where p.financial_year = '2008-09'"
    )[0]
    # NI 152 and NI 153 come from the demo's feed: an area none of whose neighbourhoods
    # qualifies has no NI 153 value (docs/contract.md section 6)
    without_ni153 = pipeline.query(
        "select count(*) from marts.ni153_area_neighbourhoods where qualifying_lsoas = 0 "
        "and area_code in (select v.area_code from marts.fct_indicator_values as v "
        "join marts.dim_period as p using (period_id) where p.financial_year = '2008-09')"
    )[0][0]
    assert live == 198 and areas_2008 >= 8
    assert (pairs, wrong_type) == (areas_2008 * live - without_ni153, 0)


# ---- a release built from the demo is marked demo (issue 10, defect 8; see test_demo_marking.py)


def test_a_release_built_from_demo_returns_is_marked_demo_everywhere(demo_load: DemoLoad) -> None:
    load = demo_load.load
    release = load.latest()
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["demo"] is True
    assert "DEMO DATA" in manifest["demo_note"]
    notice = (release / "DEMO-DATA.txt").read_text(encoding="utf-8")
    assert notice.startswith("DEMO DATA") and "not official statistics" in notice
    assert "DEMO-DATA.txt" in {entry["path"] for entry in manifest["files"]}
    pages = list((release / "site").rglob("*.html"))
    assert len(pages) > 10
    unmarked = [
        page.relative_to(release).as_posix()
        for page in pages
        if "<title>DEMO DATA" not in (text := page.read_text(encoding="utf-8"))
        or 'class="demo" role="alert"' not in text
    ]
    assert unmarked == []


def test_the_ledger_tells_demo_files_from_real_ones(demo_load: DemoLoad) -> None:
    load, summary = demo_load.load, demo_load.summary
    marked = dict(load.query("select path, is_demo from audit.load_files"))
    for written in summary.files:
        if written.path in marked:
            assert marked[written.path] is True, written.path
    for extra in demo_load.extra_files:  # the edge cases a test wrote beside the demo
        assert marked[extra] is False


def test_niw_releases_marks_a_demo_release(demo_load: DemoLoad, capsys) -> None:
    from pipelines.release.commands import list_releases

    list_releases(demo_load.load.published, demo_load.load.warehouse)
    lines = [line for line in capsys.readouterr().out.splitlines() if "<- latest" in line]
    assert len(lines) == 1 and "DEMO DATA" in lines[0]


# ---- The README's documented queries, run as written on the demo load, against figures
# computed here (each query's rows must be what the query says it gives).

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_query(marker: str) -> str:
    """The README's ```sql block that contains marker."""
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    [block] = [b for b in blocks if marker in b]
    return block


def test_readme_league_table_is_one_period(warehouse):
    """The NI 117 2008/09 league table: every area with a value that year, ranked best first."""
    current, ref = warehouse["current"], warehouse["ref"]
    values = {
        a: v["value"] for (a, ni, p), v in current.items() if (ni, p) == ("NI 117", "2008-09")
    }
    assert len(values) > 1
    expected = sorted(
        (1 + sum(other < value for other in values.values()), ref.areas[area]["area_name"])
        for area, value in values.items()  # lower is better
    )
    rows = warehouse["con"].execute(readme_query("p.period_id = '2008-09'")).fetchall()
    assert [(rank, name) for rank, _, name, *_ in rows] == expected


def test_readme_area_profile_is_each_indicators_latest_period(warehouse):
    current, ref = warehouse["current"], warehouse["ref"]
    area = sorted({a for a, _, _ in current})[0]
    latest: dict[str, str] = {}
    for a, ni, period in current:
        end = ref.periods[period]["end_date"]
        if a == area and (ni not in latest or ref.periods[latest[ni]]["end_date"] < end):
            latest[ni] = period
    sql = readme_query("p.is_latest_period").replace("E08000016", area)
    rows = warehouse["con"].execute(sql).fetchall()
    assert {(ni, period) for ni, _, period, *_ in rows} == set(latest.items())
    assert len(rows) == len(latest)


def test_readme_flag_candidates_agree_with_the_judgement(warehouse):
    con = warehouse["con"]
    rows = con.execute(readme_query("from marts.caa_flag_candidates")).fetchall()
    judged = {
        (r[0], r[1], r[2]): r[3:]
        for r in con.execute(
            "select area_name, ni_code, period_id, england_comparison_998, recent_trend_direction "
            "from marts.caa_area_performance where is_latest_period"
        ).fetchall()
    }
    expected = {
        key: "red_flag_candidate" if comparison == "worse" else "green_flag_candidate"
        for key, (comparison, direction) in judged.items()
        if (comparison, direction) in (("worse", "getting_worse"), ("better", "getting_better"))
    }
    assert {
        (name, ni, period): candidate for name, ni, _, period, candidate, *_ in rows
    } == expected


# ---------------------------------------------------------------------------------------------
# Fast loads (docs/architecture.md, "What a load recomputes"): a load that builds on the live
# warehouse and on the release before gives exactly what a build from empty gives, and a night
# with nothing new records its load and changes nothing else. One story on a copy of the demo
# load, in file order: one area's return resubmitted with a corrected value, then a quiet
# night by `niw run`.

DBT_SCHEMAS = ("reference", "staging", "intermediate", "marts", "audit", "publication")


@pytest.fixture(scope="module")
def story(demo_load: DemoLoad, tmp_path_factory) -> dict:
    """The demo load copied (it is shared), then one area's return resubmitted and loaded."""
    load = demo_load.load.copy(tmp_path_factory.mktemp("fast") / "deployment")
    first = load.latest()
    resubmitted = _resubmit(load)
    second = load.run()
    assert second.success
    return {"load": load, "first": first, "second": load.latest(), "resubmitted": resubmitted}


def _resubmit(load: NightlyLoad) -> tuple[str, str]:
    """One area's final 2009/10 return again under a new name, one value corrected (a value
    given without a numerator, so it stands alone); the paths of the new file and the old."""
    for source in sorted(load.raw.glob("2009-10/round2_final/*.csv")):
        try:
            rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
        except UnicodeDecodeError:  # a Windows-1252 return: take another
            continue
        header = [h.strip().lower().replace(" ", "_") for h in rows[0]]
        if "value" not in header or not {"num", "numerator"} & set(header):
            continue
        value = header.index("value")
        numerator = header.index("num" if "num" in header else "numerator")
        for row in rows[1:]:
            try:
                number = float(row[value].replace(",", "").rstrip("%"))
            except ValueError:
                continue
            if not row[numerator].strip():
                row[value] = str(round(number + 0.5, 2))
                out = io.StringIO()
                csv.writer(out, lineterminator="\n").writerows(rows)
                relative = f"resubmissions/{source.stem}_corrected.csv"
                load.write(relative, out.getvalue())
                return relative, source.relative_to(load.raw).as_posix()
    raise AssertionError("no demo return with a value given without a numerator")


def _dbt_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table and view dbt builds, each as its sorted rows."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ? order by 1, 2",
            [list(DBT_SCHEMAS)],
        ).fetchall()
        return {
            f"{schema}.{name}": sorted(con.execute(f'select * from {schema}."{name}"').fetchall(), key=repr)  # noqa: S608
            for schema, name in names
        }  # fmt: skip


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_equals_a_build_from_empty(load: NightlyLoad, work: Path) -> None:
    """dbt building the live warehouse's ledger into a file that holds only the ledger and the
    quality results gives every table and view the load left, row for row and bit for bit."""
    from pipelines.warehouse.dbt import run_dbt_build

    empty = work / ".ni.duckdb.build-next"
    shutil.copyfile(load.warehouse, empty)
    with duckdb.connect(str(empty)) as con:
        for schema in DBT_SCHEMAS:
            con.execute(f"drop schema if exists {schema} cascade")
    assert _dbt_tables(empty) == {}  # the ledger and the quality results only
    results = run_dbt_build(empty, work / "dbt")
    assert results.success, results.error
    live = _dbt_tables(load.warehouse)
    assert len(live) > 40
    rebuilt = _dbt_tables(empty)
    differ = [name for name in live if rebuilt.get(name) != live[name]]
    assert not differ and rebuilt.keys() == live.keys(), differ


def test_a_load_on_the_live_warehouse_gives_the_tables_of_a_build_from_empty(story, tmp_path):
    """The resubmission's load built on the previous warehouse, recomputing one indicator."""
    assert_equals_a_build_from_empty(story["load"], tmp_path)


def test_the_resubmission_is_the_current_value(story):
    load: NightlyLoad = story["load"]
    corrected = load.query(
        "select new.area_code, new.ni_code, new.period_id, new.value "
        "from ingest.accepted_values as new join ingest.accepted_values as old "
        "using (area_code, ni_code, period_id) "
        "where new.path = ? and old.path = ? and new.value <> old.value",
        *story["resubmitted"],
    )
    assert len(corrected) == 1
    area, ni, period, value = corrected[0]
    assert load.query(
        "select value, source_file from marts.fct_indicator_values "
        "where area_code = ? and ni_code = ? and period_id = ?",
        area,
        ni,
        period,
    ) == [(value, story["resubmitted"][0])]
    assert story["second"] != story["first"]


def test_the_resubmission_recomputed_only_the_indicator_it_changed(story):
    """The incremental models (int_load_changes) recomputed the corrected value's indicator,
    or every indicator when the value is a neighbour baseline; the test above proves the
    tables are those of a build from empty either way."""
    load: NightlyLoad = story["load"]
    ((ni_code, period_id),) = load.query(
        "select new.ni_code, new.period_id from ingest.accepted_values as new "
        "join ingest.accepted_values as old using (area_code, ni_code, period_id) "
        "where new.path = ? and old.path = ? and new.value <> old.value",
        *story["resubmitted"],
    )
    recomputed = dict(load.query("select ni_code, reason from intermediate.int_load_changes"))
    baseline = load.query(
        "select 1 from intermediate.int_comparator_variables as v, staging.stg_reference__periods "
        "as p where v.ni_code = ? and p.period_id = ? and p.financial_year in ('2008-09', "
        "'2009-10')",
        ni_code,
        period_id,
    )
    if baseline:
        assert set(recomputed.values()) == {"neighbour baseline changed"}
        assert (
            len(recomputed)
            == load.query("select count(*) from staging.stg_reference__national_indicators")[0][0]
        )
    else:
        assert recomputed == {ni_code: "values changed"}


def test_the_next_release_carries_over_unchanged_pages_and_matches_a_site_drawn_anew(
    story, tmp_path
):
    first, second = story["first"], story["second"]
    pages = json.loads((second / "site" / "pages.json").read_text(encoding="utf-8"))
    carried = [
        relative
        for entry in pages.values()
        for relative in entry["files"]
        if (first / "site" / relative).exists()
        and (second / "site" / relative).stat().st_ino == (first / "site" / relative).stat().st_ino
    ]
    assert carried, "no page was carried over"
    # the manifest covers every file of the site, carried over or drawn
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in manifest["files"]}
    assert {f"site/{p}" for p in _digests(second / "site")} <= listed
    # a site drawn from nothing, from the same release files, is byte for byte the same
    fresh = tmp_path / "release"
    shutil.copytree(second, fresh, ignore=shutil.ignore_patterns("site"))
    alone = {**manifest, "previous_release": None}
    build_release_site(fresh, alone, lambda _message: None)
    assert _digests(fresh / "site") == _digests(second / "site")


def test_a_quiet_night_records_its_load_and_changes_nothing_else(story, tmp_path):
    load: NightlyLoad = story["load"]
    assert pending_work(load.settings()) is None
    # the embargo date moving over a publication date, or other reference data, is work
    assert pending_work(replace(load.settings(), publish_as_of="2030-01-01")) is None
    earlier = replace(load.settings(), publish_as_of="2010-01-01")  # before 2008/09's date
    assert "embargo date moved" in pending_work(earlier)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "regions.csv").write_text(
        (seeds / "regions.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert "reference seeds changed" in pending_work(replace(load.settings(), seeds_dir=seeds))

    tables_before = _dbt_tables(load.warehouse)
    loads_before = load.query("select load_id from ingest.loads order by load_seq")
    latest_before = load.latest()
    done = load.niw("run")
    assert done.returncode == 0, done.stderr
    assert "nothing new" in done.stdout and "checks:    none ran" in done.stdout
    loads = load.query("select load_id, outcome, files from ingest.loads order by load_seq")
    assert [row[0] for row in loads[:-1]] == [row[0] for row in loads_before]
    assert loads[-1][1:] == ("nothing_new", 0)
    assert load.query(
        "select load_id, outcome from audit.loads order by load_seq desc limit 1"
    ) == [(loads[-1][0], "nothing_new")]
    after = _dbt_tables(load.warehouse)
    for listing in ("audit.loads", "staging.stg_ingest__loads"):  # views of ingest.loads
        assert len(after.pop(listing)) == len(tables_before.pop(listing)) + 1
    assert after == tables_before  # every other table and view as it was
    assert load.latest() == latest_before  # the release stays
    report = (load.quality / "index.html").read_text(encoding="utf-8")
    assert "Tonight brought nothing new" in report and loads[-1][0] in report


def story_published(story: dict) -> int:
    """Rows of the release before the embargo date moved (its manifest's count)."""
    manifest = json.loads((story["second"] / "manifest.json").read_text(encoding="utf-8"))
    return manifest["tables"]["fct_indicator_values"]["rows"]


def test_the_embargo_date_passing_recomputes_every_indicator(story):
    """Last in the story (it moves the embargo date): a load whose embargo date lies on the
    other side of publication dates from the build before recomputes every indicator (so its
    incremental models are rebuilt whole: the resubmission's test above is the one that
    proves a partial recompute equal to a build from empty)."""
    load: NightlyLoad = story["load"]
    load.as_of = "2010-01-01"  # before 2008/09's publication date: periods leave the release
    assert load.run().success
    reasons = load.query("select distinct reason from intermediate.int_load_changes")
    assert reasons == [("embargo date passed",)]
    assert load.query("select count(*) from intermediate.int_load_changes") == load.query(
        "select count(*) from staging.stg_reference__national_indicators"
    )
    published = load.query("select count(*) from publication.fct_indicator_values")[0][0]
    assert published < story_published(story)  # periods left the publishable scope

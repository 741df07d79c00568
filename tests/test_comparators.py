"""Statistical neighbours and comparisons with them (docs/comparators.md), from a real load.

Returns written here give every area contextual indicators in its baseline year (2008-09, or
2009-10 for the four areas created in 2009) from two made-up factors (deprivation and
rurality), one area a gap, and three indicators to compare (NEET, a ratio; affordable homes,
a sum; median earnings, aggregation none) with ties, value-only rows and missing areas. The
real nightly job loads them; the tests recompute from the warehouse's own current values
(fct_indicator_values) and the seeds: the standardised profiles, every distance and each
area's 15 nearest, the neighbours' ratio-of-sums values and intervals, the rank among the
neighbours and the comparison with them.
"""

from __future__ import annotations

import csv
import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from harness import SEEDS, NightlyLoad
from judgement import compare, interval

pytestmark = pytest.mark.e2e

CONTEXT = ("NI 116", "NI 117", "NI 120", "NI 152", "NI 166", "NI 171", "NI 175")
NEET, HOMES, EARNINGS = "NI 117", "NI 155", "NI 166"  # ratio, sum, none
COMPARED = (NEET, HOMES, EARNINGS)
NEIGHBOURS = 15
GAP = ("E06000001", "NI 171")  # Hartlepool sends no business start-ups in its baseline year
BEDFORDSHIRE, BEDFORD, CENTRAL_BEDFORDSHIRE = "E10000001", "E06000055", "E06000056"


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


AREAS = {a["area_code"]: a for a in read_seed("areas")}
INDICATORS = {i["ni_code"]: i for i in read_seed("national_indicators")}
FINANCIAL_YEARS = sorted({p["financial_year"] for p in read_seed("periods")})


def exists_in(area: str, year: str) -> bool:
    start, end = AREAS[area]["valid_from_period"], AREAS[area]["valid_to_period"]
    return (not start or start <= year) and (not end or year <= end)


def baseline_year(area: str) -> str:
    start = AREAS[area]["valid_from_period"]
    return start if start and start > "2008-09" else "2008-09"


def spelled(year: str) -> str:
    return year.replace("-", "/")


def returns() -> str:
    """The CSV text of every return the load takes up (fixed seed: the same every run)."""
    rng = random.Random(20090401)
    rows = ["area_code,indicator,period,value,numerator,denominator,status"]

    def row(area, ni, period, value="", numerator="", denominator=""):
        rows.append(f"{area},{ni},{period},{value},{numerator},{denominator},final")

    for area in sorted(AREAS):
        deprived, rural = rng.random(), rng.random()
        year = spelled(baseline_year(area))
        context = {
            "NI 116": 8 + 30 * deprived + rng.gauss(0, 2),
            "NI 120": 480 + 320 * deprived + rng.gauss(0, 25),
            "NI 166": 560 - 160 * deprived + 40 * (1 - rural) + rng.gauss(0, 15),
            "NI 171": 45 - 20 * deprived - 5 * rural + rng.gauss(0, 3),
            "NI 175": 97 - 45 * rural + rng.gauss(0, 2),
        }
        for ni, value in context.items():
            if (area, ni) != GAP:
                row(area, ni, year, f"{max(value, 1):.2f}")
        for quarter in ("Q1", "Q2", "Q3", "Q4"):  # worklessness: the mean of four quarters
            row(area, "NI 152", f"{year} {quarter}", f"{6 + 14 * deprived + rng.gauss(0, 1):.2f}")
        if baseline_year(area) == "2008-09":  # the new areas' baseline NEET is their 2009-10
            row(area, NEET, year, f"{3 + 9 * deprived + rng.gauss(0, 0.5):.2f}")
        if not exists_in(area, "2009-10"):
            continue
        # the indicators compared with the neighbours, in 2009-10
        kind = rng.random()
        if kind < 0.05:
            pass  # no NEET return
        elif kind < 0.12:
            row(area, NEET, "2009/10", f"{3 + 9 * deprived:.2f}")  # a value only: not in the ratio
        elif kind < 0.3:
            row(area, NEET, "2009/10", "", 70, 1000)  # 7 %: ties
        else:
            denominator = rng.randrange(2000, 12000)
            numerator = round(denominator * (0.03 + 0.09 * deprived))
            row(area, NEET, "2009/10", "", numerator, denominator)
        if rng.random() < 0.9:
            row(area, HOMES, "2009/10", rng.choice((0, 5, 40, 120, 300, 300)))
        row(area, EARNINGS, "2009/10", f"{560 - 160 * deprived:.0f}")
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class Warehouse:
    load: NightlyLoad
    values: dict[tuple[str, str, str], dict]  # fct_indicator_values by key
    financial_year: dict[str, str]  # period_id -> reporting year

    def query(self, sql: str, *params) -> list[tuple]:
        return self.load.query(sql, *params)

    def rows(self, sql: str, *params) -> list[dict]:
        from duckdb import connect

        with connect(str(self.load.warehouse), read_only=True) as con:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@pytest.fixture(scope="module")
def warehouse(make_nightly_load: Callable[..., NightlyLoad]) -> Warehouse:
    load = make_nightly_load("comparators", as_of="2013-01-01")  # every period published
    load.write("comparators/returns.csv", returns())
    result = load.run()
    assert result.success, result.all_events
    w = Warehouse(load, {}, {})
    for r in w.rows(
        "select area_code, ni_code, period_id, value, numerator, denominator "
        "from marts.fct_indicator_values"
    ):
        w.values[(r["area_code"], r["ni_code"], r["period_id"])] = r
    w.financial_year.update(w.query("select period_id, financial_year from marts.dim_period"))
    return w


def expected_distances(w: Warehouse) -> dict[tuple[str, str], float]:
    """Every candidate pair's distance, recomputed from the current values (comparators.md)."""
    baseline: dict[str, dict[str, float]] = {}
    for (area, ni, period), v in sorted(w.values.items()):
        if ni in CONTEXT and w.financial_year[period] == baseline_year(area):
            baseline.setdefault(area, {}).setdefault(ni, []).append(v["value"])
    profiles = {a: {ni: statistics.fmean(vs) for ni, vs in p.items()} for a, p in baseline.items()}
    z: dict[str, dict[str, float]] = {a: {} for a in profiles}
    for ni in CONTEXT:
        having = [p[ni] for p in profiles.values() if ni in p]
        mean, sd = statistics.fmean(having), statistics.stdev(having)
        for area, p in profiles.items():
            if ni in p:
                z[area][ni] = (p[ni] - mean) / sd
    placing = len(CONTEXT)

    def together(a: str, b: str) -> bool:
        return any(exists_in(a, y) and exists_in(b, y) for y in FINANCIAL_YEARS)

    raw = {}
    for a in z:
        for b in z:
            shared = sorted(set(z[a]) & set(z[b]))
            if a != b and together(a, b) and 2 * len(shared) >= placing:
                squares = math.fsum((z[a][ni] - z[b][ni]) ** 2 for ni in shared)
                raw[(a, b)] = math.sqrt(squares * placing / len(shared))
    farthest = max(raw.values())
    return {pair: d / farthest for pair, d in raw.items()}


def neighbours_of(w: Warehouse) -> dict[str, list[tuple[str, int, float]]]:
    """bridge_comparator_area's neighbours groups: area -> [(neighbour, rank, distance)]."""
    out: dict[str, list] = {}
    for area, member, rank, distance in w.query(
        "select g.neighbours_of, b.area_code, b.rank, b.distance "
        "from marts.bridge_comparator_area as b "
        "join marts.dim_comparator_group as g using (group_code) "
        "where g.group_type = 'neighbours' order by g.neighbours_of, b.rank"
    ):
        out.setdefault(area, []).append((member, rank, distance))
    return out


def test_every_area_has_its_15_nearest_neighbours(warehouse: Warehouse) -> None:
    groups = dict(
        warehouse.query(
            "select neighbours_of, group_code from marts.dim_comparator_group "
            "where group_type = 'neighbours'"
        )
    )
    assert set(groups) == set(AREAS)  # one group per area code, 154 with the 2009 changes
    found = neighbours_of(warehouse)
    assert set(found) == set(AREAS)
    for area, members in found.items():
        codes = [m for m, _, _ in members]
        assert len(members) == NEIGHBOURS == len(set(codes)), area
        assert area not in codes
        assert [r for _, r, _ in members] == list(range(1, NEIGHBOURS + 1))
        distances = [d for _, _, d in members]
        assert distances == sorted(distances) and 0 < distances[0] and distances[-1] <= 1
        # a neighbour existed with the area in at least one year: never a predecessor/successor
        for member in codes:
            assert any(exists_in(area, y) and exists_in(member, y) for y in FINANCIAL_YEARS)
    assert not {BEDFORD, CENTRAL_BEDFORDSHIRE} & {m for m, _, _ in found[BEDFORDSHIRE]}
    assert BEDFORDSHIRE not in {m for m, _, _ in found[BEDFORD]}
    # the farthest pair of all (kept in the intermediate table) is exactly 1
    assert warehouse.query("select max(distance) from intermediate.int_comparator_distances") == [
        (1.0,)
    ]


def test_distances_and_neighbours_recomputed_from_the_values(warehouse: Warehouse) -> None:
    expected = expected_distances(warehouse)
    stored = dict(
        ((a, b), d)
        for a, b, d in warehouse.query(
            "select area_code, other_area_code, distance from intermediate.int_comparator_distances"
        )
    )
    assert set(stored) == set(expected)
    for pair, distance in expected.items():
        assert math.isclose(stored[pair], distance, rel_tol=1e-9, abs_tol=1e-12), pair
    found = neighbours_of(warehouse)
    for area in AREAS:
        nearest = sorted((d, b) for (a, b), d in expected.items() if a == area)[:NEIGHBOURS]
        assert [m for m, _, _ in found[area]] == [b for _, b in nearest], area
    # the area with a gap is compared over the six indicators it has, scaled to seven
    compared = [v for (a, _), v in warehouse_variables(warehouse).items() if a == GAP[0]]
    assert max(compared) == len(CONTEXT) - 1


def warehouse_variables(w: Warehouse) -> dict[tuple[str, str], int]:
    return {
        (a, b): n
        for a, b, n in w.query(
            "select area_code, other_area_code, variables_compared "
            "from intermediate.int_comparator_distances"
        )
    }


def better(polarity: str, other: float, value: float) -> bool:
    if polarity == "higher_is_better":
        return round(other, 9) > round(value, 9)
    return round(other, 9) < round(value, 9)


def test_neighbour_values_ranks_and_comparisons_recomputed(warehouse: Warehouse) -> None:
    members = {a: [m for m, _, _ in ms] for a, ms in neighbours_of(warehouse).items()}
    rows = warehouse.rows(
        "select * from marts.caa_area_performance where ni_code in (?, ?, ?)", *COMPARED
    )
    assert len(rows) > 400
    seen = {"ratio": 0, "sum": 0, "none": 0, "tie": 0}
    for row in rows:
        key = (row["area_code"], row["ni_code"], row["period_id"])
        indicator = INDICATORS[row["ni_code"]]
        multiplier = float(indicator["multiplier"])
        polarity, aggregation = indicator["polarity"], indicator["aggregation"]
        peers = [
            warehouse.values[(m, key[1], key[2])]
            for m in members[key[0]]
            if (m, key[1], key[2]) in warehouse.values
        ]
        if aggregation == "ratio":
            both = [p for p in peers if p["numerator"] is not None and p["denominator"] is not None]
            numerator = math.fsum(p["numerator"] for p in both)
            denominator = math.fsum(p["denominator"] for p in both)
            value = numerator * multiplier / denominator if both else None
            reporting = len(both)
        elif aggregation == "sum":
            value = math.fsum(p["value"] for p in peers) if peers else None
            numerator, denominator, reporting = None, None, len(peers)
        else:
            value, numerator, denominator, reporting = None, None, None, len(peers)
        seen[aggregation] += 1
        assert row["neighbours_reporting"] == reporting, key
        if value is None:
            assert row["neighbours_value"] is None, key
        else:
            assert math.isclose(row["neighbours_value"], value, rel_tol=1e-12), key
            limits = interval(
                {**indicator, "multiplier": multiplier}, value, numerator, denominator
            )
            for mine, theirs in (("neighbours_ci_lower_95", "ci_lower_95"),
                                 ("neighbours_ci_upper_95", "ci_upper_95")):  # fmt: skip
                if limits[theirs] is None:
                    assert row[mine] is None, key
                else:
                    assert math.isclose(row[mine], limits[theirs], rel_tol=1e-6), key
        # rank among the area and its neighbours with a value; ties share a rank
        assert row["neighbours_ranked"] == 1 + len(peers), key
        if polarity == "neither":
            assert row["neighbours_rank"] is None
        else:
            rank = 1 + sum(better(polarity, p["value"], row["value"]) for p in peers)
            assert row["neighbours_rank"] == rank, key
            seen["tie"] += any(round(p["value"], 9) == round(row["value"], 9) for p in peers)
        comparison = compare(
            row["neighbours_value"], row["ci_lower_95"], row["ci_upper_95"], polarity
        )
        assert row["neighbours_comparison"] == comparison, key
    assert min(seen.values()) > 0, seen  # every aggregation, and ties, were exercised
    assert {r["neighbours_comparison"] for r in rows} >= {"not_compared", "similar"}


def test_publication_twin_has_the_same_neighbour_columns(warehouse: Warehouse) -> None:
    columns = (
        "neighbours_value, neighbours_ci_lower_95, neighbours_ci_upper_95, neighbours_reporting, "
        "neighbours_rank, neighbours_ranked, neighbours_comparison"
    )
    order = "order by area_code, ni_code, period_id"
    marts = warehouse.query(f"select area_code, ni_code, period_id, {columns} "  # noqa: S608
                            f"from marts.caa_area_performance {order}")  # fmt: skip
    released = warehouse.query(f"select area_code, ni_code, period_id, {columns} "  # noqa: S608
                               f"from publication.caa_area_performance {order}")  # fmt: skip
    assert marts == released  # every value is final and published, so the scopes agree


def test_area_type_groups_cover_every_area_once(warehouse: Warehouse) -> None:
    members = warehouse.query(
        "select g.group_code, b.area_code, b.rank, b.distance "
        "from marts.bridge_comparator_area as b join marts.dim_comparator_group as g "
        "using (group_code) where g.group_type = 'area_type'"
    )
    assert sorted(a for _, a, _, _ in members) == sorted(AREAS)
    assert {g for g, _, _, _ in members} == {
        "AREA_TYPE_COUNTY",
        "AREA_TYPE_UNITARY",
        "AREA_TYPE_METROPOLITAN_DISTRICT",
        "AREA_TYPE_LONDON_BOROUGH",
    }
    assert {(r, d) for _, _, r, d in members} == {(None, None)}
    for group, area, _, _ in members:
        assert group == "AREA_TYPE_" + AREAS[area]["area_type"].upper()


def test_returns_file_is_what_the_test_meant() -> None:
    """The generator is deterministic and gives each baseline year its areas."""
    text = returns()
    assert text == returns()
    lines = text.splitlines()[1:]
    bedford = [line for line in lines if line.startswith(BEDFORD + ",NI 116,")]
    assert bedford == [line for line in bedford if ",2009/10," in line] and bedford

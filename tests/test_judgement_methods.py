"""The statistical methods of the CAA judgement, run as the warehouse runs them.

The dbt macros in dbt_project/macros/judgement/ (Wilson, Byar, the comparison rule) are
rendered with Jinja and evaluated by DuckDB on edge cases, and the exact Poisson limits seed is
read as dbt seeds it. Every expected figure is computed here by another route than the
warehouse's formula (statistical_methods.md gives the formulas):
- Wilson: the interval is the set of p with (p̂ - p)^2 <= z^2 p (1 - p) / n, solved here by
  bisection rather than by the closed form;
- exact Poisson: chi-square quantiles from scipy (the seed is solved from the Poisson CDF);
- Byar's: against the exact limits it approximates, and against the published example
  O = 10 (95 %: 4.7954 to 18.3904 exact);
- the comparison rule: from where the comparator lies, written out case by case.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import jinja2
import pytest
from scipy.stats import chi2

REPO = Path(__file__).resolve().parents[1]
MACROS = REPO / "dbt_project" / "macros" / "judgement"
Z95, Z998 = 1.959964, 3.090232


def render(call: str) -> str:
    """A judgement macro call rendered to the SQL expression dbt would compile."""
    library = "".join(p.read_text(encoding="utf-8") for p in sorted(MACROS.glob("*.sql")))
    return jinja2.Environment().from_string(library + "{{ " + call + " }}").render().strip()


def evaluate(expression: str, rows: list[tuple], columns: str) -> list:
    """expression evaluated by DuckDB on each row of a VALUES table with the given columns."""
    con = duckdb.connect()
    con.execute(f"create table cases ({columns})")
    marks = ", ".join("?" * len(rows[0]))
    con.executemany(f"insert into cases values ({marks})", rows)  # noqa: S608 (test cases)
    query = f"select {expression} from cases order by rowid"  # noqa: S608 (the macro under test)
    return [r[0] for r in con.execute(query).fetchall()]


def wilson_by_bisection(observed: float, n: float, z: float) -> tuple[float, float]:
    """The Wilson score interval of O / n as the roots of (p̂ - p)^2 = z^2 p (1 - p) / n."""
    p_hat = observed / n

    def outside(p: float) -> bool:
        return (p_hat - p) ** 2 > z * z * p * (1 - p) / n

    def root(inside: float, out: float) -> float:
        for _ in range(200):
            mid = (inside + out) / 2
            inside, out = (inside, mid) if outside(mid) else (mid, out)
        return (inside + out) / 2

    lower = 0.0 if observed == 0 else root(p_hat, 0.0)
    upper = 1.0 if observed == n else root(p_hat, 1.0)
    return lower, upper


# Edge cases (O = 0, O = n, denominators of 1) and the inputs of PHEindicatormethods' own tests
# (tests/testthat/testWilson.R: 65 / 100 and 1045 / 5000; their expected figures are in an
# Excel file, testdata_Byars_Wilson.xlsx, which we could not read here, so the figures are
# computed by bisection instead).
WILSON_CASES = [(0, 1), (1, 1), (0, 10), (10, 10), (5, 10), (1, 2), (65, 100), (1045, 5000),
                (3, 1000), (999, 1000), (56_789, 123_456)]  # fmt: skip


@pytest.mark.parametrize(("z", "level"), [(Z95, "95"), (Z998, "99.8")])
def test_wilson_limits_match_the_score_interval(z: float, level: str) -> None:
    lower = evaluate(render(f"wilson_limit('o', 'n', {z}, -1)"), WILSON_CASES, "o double, n double")
    upper = evaluate(render(f"wilson_limit('o', 'n', {z}, 1)"), WILSON_CASES, "o double, n double")
    for (o, n), low, high in zip(WILSON_CASES, lower, upper, strict=True):
        expected_low, expected_high = wilson_by_bisection(o, n, z)
        assert low == pytest.approx(expected_low, abs=1e-9), (level, o, n)
        assert high == pytest.approx(expected_high, abs=1e-9), (level, o, n)
        assert 0 <= low <= o / n <= high <= 1
    # O = 0 and O = n reach the bounds exactly: no float noise below 0 or above 1
    assert lower[WILSON_CASES.index((0, 10))] == 0.0
    assert upper[WILSON_CASES.index((10, 10))] == 1.0


def test_wilson_published_example() -> None:
    """Newcombe (1998), method 3, example 81/263: 95 % Wilson interval 0.2553 to 0.3662."""
    [low] = evaluate(
        render(f"wilson_limit('o', 'n', {Z95}, -1)"), [(81, 263)], "o double, n double"
    )
    [high] = evaluate(
        render(f"wilson_limit('o', 'n', {Z95}, 1)"), [(81, 263)], "o double, n double"
    )
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def exact_poisson(observed: int, confidence: float) -> tuple[float, float]:
    """Exact Poisson limits of the mean from chi-square quantiles (statistical_methods.md)."""
    alpha = 1 - confidence
    lower = chi2.ppf(alpha / 2, 2 * observed) / 2 if observed > 0 else 0.0
    return lower, chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2


def test_exact_poisson_seed_matches_chi_square_quantiles() -> None:
    with (REPO / "data" / "seeds" / "poisson_limits.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {(int(r["observed"]), r["confidence"]) for r in rows} == {
        (o, c) for o in range(10) for c in ("0.95", "0.998")
    }
    for row in rows:
        lower, upper = exact_poisson(int(row["observed"]), float(row["confidence"]))
        assert float(row["lower"]) == pytest.approx(lower, rel=1e-9, abs=1e-12), row
        assert float(row["upper"]) == pytest.approx(upper, rel=1e-9), row
    # O = 0: the lower limit is 0 and the upper -ln(alpha / 2) (P(X = 0) = alpha / 2)
    zero = next(r for r in rows if r["observed"] == "0" and r["confidence"] == "0.95")
    assert float(zero["lower"]) == 0.0
    assert float(zero["upper"]) == pytest.approx(-math.log(0.025), rel=1e-12)


@pytest.mark.parametrize(("z", "confidence", "within"), [(Z95, 0.95, 0.01), (Z998, 0.998, 0.02)])
def test_byar_approximates_the_exact_limits_from_ten_events(
    z: float, confidence: float, within: float
) -> None:
    # 65 and 1045: the inputs of PHEindicatormethods' tests/testthat/testByars.R
    counts = [(10.0,), (11.0,), (25.0,), (65.0,), (100.0,), (1045.0,), (98_765.0,)]
    lower = evaluate(render(f"byar_limit('o', {z}, -1)"), counts, "o double")
    upper = evaluate(render(f"byar_limit('o', {z}, 1)"), counts, "o double")
    for (o,), low, high in zip(counts, lower, upper, strict=True):
        exact_low, exact_high = exact_poisson(int(o), confidence)
        # Byar's is within 1 % of the exact limits from 10 events at 95 %, 2 % at 99.8 %
        assert low == pytest.approx(exact_low, rel=within), o
        assert high == pytest.approx(exact_high, rel=within), o
        assert low < o < high
    if confidence == 0.95:  # O = 10: exact 4.795 to 18.390; Byar's 4.787 to 18.391
        assert (round(lower[0], 2), round(upper[0], 2)) == (4.79, 18.39)


COMPARISONS = [
    # comparator, lower, upper, polarity, expected
    (50.0, 40.0, 60.0, "higher_is_better", "similar"),
    (40.0, 40.0, 60.0, "higher_is_better", "similar"),  # a limit itself is inside
    (60.0, 40.0, 60.0, "lower_is_better", "similar"),
    (30.0, 40.0, 60.0, "higher_is_better", "better"),  # the whole interval is above
    (30.0, 40.0, 60.0, "lower_is_better", "worse"),
    (30.0, 40.0, 60.0, "neither", "higher"),
    (70.0, 40.0, 60.0, "higher_is_better", "worse"),  # the whole interval is below
    (70.0, 40.0, 60.0, "lower_is_better", "better"),
    (70.0, 40.0, 60.0, "neither", "lower"),
    (50.0, None, None, "higher_is_better", "not_compared"),  # no interval
    (None, 40.0, 60.0, "higher_is_better", "not_compared"),  # no comparator value
    (60.000000000001, 40.0, 60.0, "lower_is_better", "similar"),  # float noise at a limit
]


def test_comparison_rule_by_polarity() -> None:
    expression = render("compare_with('comparator', 'lower', 'upper', 'polarity')")
    got = evaluate(
        expression,
        [c[:4] for c in COMPARISONS],
        "comparator double, lower double, upper double, polarity varchar",
    )
    assert got == [c[4] for c in COMPARISONS]

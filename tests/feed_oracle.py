"""The NI 152 / NI 153 rules of issue 14 written again in plain Python, as a test oracle: the
derivation (pipelines/feeds/derive.py) and the loads (tests/test_feed_load.py) are checked
against it, figure by figure."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from pipelines.feeds.contract import MAIN_GROUPS
from pipelines.feeds.derive import BASELINE_QUARTERS, period_of_quarter

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"


def lsoa_lookup() -> dict[str, tuple[str, str]]:
    with (SEEDS / "lsoa_area_lookup.csv").open(encoding="utf-8") as handle:
        return {
            r["lsoa_code"]: (r["area_code_before_2009"], r["area_code_from_2009"])
            for r in csv.DictReader(handle)
        }


def expected(claimants: list[tuple], population: list[tuple]) -> tuple[set, dict, set]:
    """(qualifying LSOAs, {(area, ni, period): (numerator, denominator, value)}, areas x
    periods with no NI 153) by the rules, in Python."""
    lookup = lsoa_lookup()
    main: dict[tuple, int] = defaultdict(int)
    for lsoa, quarter, group, count in claimants:
        if group in MAIN_GROUPS:
            main[(lsoa, quarter)] += count
    people = defaultdict(dict)
    for lsoa, year, count in population:
        people[lsoa][year] = count

    def population_of(lsoa: str, quarter: str) -> int | None:
        years = [y for y in people[lsoa] if y <= int(quarter[:4])]
        return people[lsoa][max(years)] if years else None

    rates = {}
    for (lsoa, quarter), count in main.items():
        pop = population_of(lsoa, quarter)
        if pop:
            rates[(lsoa, quarter)] = (count, pop, count * 100.0 / pop)
    qualifying = set()
    for lsoa in {lsoa for lsoa, _ in rates}:
        baseline = [rates.get((lsoa, q)) for q in BASELINE_QUARTERS]
        if all(baseline) and sum(r[2] for r in baseline) / 4 >= 25:
            qualifying.add(lsoa)
    with (SEEDS / "periods.csv").open(encoding="utf-8") as handle:
        fy = {r["period_id"]: r["financial_year"] for r in csv.DictReader(handle)}
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    seen: set[tuple] = set()
    for (lsoa, quarter), (count, pop, _) in rates.items():
        period = period_of_quarter(quarter)
        if period not in fy or lsoa not in lookup:
            continue
        area = lookup[lsoa][0] if fy[period] < "2009-10" else lookup[lsoa][1]
        seen.add((area, period))
        for ni, counted in (("NI 152", True), ("NI 153", lsoa in qualifying)):
            if counted:
                sums[(area, ni, period)][0] += count
                sums[(area, ni, period)][1] += pop
    figures = {k: (float(n), float(d), float(n) * 100.0 / float(d)) for k, (n, d) in sums.items()}
    without = {(a, p) for a, p in seen if (a, "NI 153", p) not in figures}
    return qualifying, figures, without

"""The LSOA lookup seed, data/seeds/lsoa_area_lookup.csv: ILLUSTRATIVE, not the real lookup.

NI 152 and NI 153 are derived from DWP benefit data for every 2001 Lower Layer Super Output Area
(LSOA) in England: 32,482 of them, E01000001 to E01032482 (statistical_methods.md, "NI 153 and
NI 152"). The real lookup of each LSOA to its local authority is not available here, so this
module makes a deterministic, illustrative one:
  - the 32,482 codes are shared out over the 150 LAA areas of 2008/09 in proportion to the
    demo's illustrative population of each (pipelines/demo/values.py, area_profile, seed
    2008), by largest remainder, so every area gets at least one and the counts sum exactly;
  - each area's codes are a consecutive run, areas in area code order;
  - `area_code_from_2009` is `area_code_before_2009`, except that Bedfordshire's and Cheshire's LSOAs go
    to their 2009 successors in the demo's population shares (Bedford 38 %, Central
    Bedfordshire 62 %; Cheshire East 52 %, Cheshire West and Chester 48 %), the first run of
    each county's codes to the first successor by area code.
Every row says `is_illustrative = true`, as the illustrative LAA targets do. Replace the file
with the real lookup (same columns) and set is_illustrative to false.

    .venv/bin/python -m pipelines.reference.lsoa_lookup [--seeds DIR]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from ..demo.reference import PREDECESSOR_OF, Area, read_areas
from ..demo.values import SUCCESSOR_SHARE, area_profile

LSOA_COUNT = 32_482  # 2001 LSOAs in England
POPULATION_SEED = 2008  # the demo's default seed: the lookup follows the demo's populations
FILE_NAME = "lsoa_area_lookup.csv"
COLUMNS = ("lsoa_code", "area_code_before_2009", "area_code_from_2009", "is_illustrative")


def lsoa_code(number: int) -> str:
    """The number-th 2001 LSOA code of England, 1-based: E01000001 ... E01032482."""
    return f"E01{number:06d}"


def shares_by_largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    """Whole numbers in proportion to weights, each at least 1, summing exactly to total."""
    keys = sorted(weights)
    spare = total - len(keys)
    whole = sum(weights.values())
    exact = {key: spare * weights[key] / whole for key in keys}
    counts = {key: 1 + int(exact[key]) for key in keys}
    left = total - sum(counts.values())
    by_remainder = sorted(keys, key=lambda key: (-(exact[key] - int(exact[key])), key))
    for key in by_remainder[:left]:
        counts[key] += 1
    return counts


def build_lookup(areas: list[Area], seed: int = POPULATION_SEED) -> list[dict[str, str]]:
    """One row per LSOA, in code order (see the module's docstring for the rule)."""
    laa_2008 = [a for a in areas if a.valid_from_period is None]  # the 150 areas of 2008/09
    populations = {a.area_code: area_profile(a, seed).population for a in laa_2008}
    counts = shares_by_largest_remainder(populations, LSOA_COUNT)
    successors: dict[str, list[str]] = {}
    for successor, county in sorted(PREDECESSOR_OF.items()):
        successors.setdefault(county, []).append(successor)
    rows: list[dict[str, str]] = []
    number = 1
    for code in sorted(counts):
        count = counts[code]
        later = [code] * count
        if code in successors:
            first, second = successors[code]
            to_first = round(count * SUCCESSOR_SHARE[first])
            later = [first] * to_first + [second] * (count - to_first)
        for offset in range(count):
            rows.append(
                {
                    "lsoa_code": lsoa_code(number + offset),
                    "area_code_before_2009": code,
                    "area_code_from_2009": later[offset],
                    "is_illustrative": "true",
                }
            )
        number += count
    return rows


def write_lookup(seeds_dir: Path) -> int:
    """Write the lookup beside the other seeds (areas.csv must be there); rows written."""
    rows = build_lookup(read_areas(seeds_dir))
    with (seeds_dir / FILE_NAME).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("data/seeds"))
    args = parser.parse_args(argv)
    print(f"{args.seeds / FILE_NAME}: {write_lookup(args.seeds)} rows")


if __name__ == "__main__":
    main()

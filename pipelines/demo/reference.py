"""The reference data the demo generator needs, read straight from `data/seeds/*.csv`.

Kept separate from ingest's own reading of the seeds on purpose: the generator must not share
code with the pipeline it is meant to exercise.
"""

from __future__ import annotations

import csv
import math
import zlib
from dataclasses import dataclass
from pathlib import Path

# The reporting years the demo covers: the 2007/08 baseline and the three LAA years.
REPORTING_YEARS: tuple[str, ...] = ("2007-08", "2008-09", "2009-10", "2010-11")

# The 2009 reorganisation: successor area -> the county it was carved from.
PREDECESSOR_OF: dict[str, str] = {
    "E06000055": "E10000001",  # Bedford <- Bedfordshire
    "E06000056": "E10000001",  # Central Bedfordshire <- Bedfordshire
    "E06000049": "E10000004",  # Cheshire East <- Cheshire
    "E06000050": "E10000004",  # Cheshire West and Chester <- Cheshire
}


@dataclass(frozen=True)
class Indicator:
    """One national indicator as the reference seed describes it."""

    ni_code: str
    ni_number: int
    title: str
    polarity: str
    unit: str
    period_type: str
    multiplier: float
    valid_min: float | None
    valid_max: float | None
    aggregation: str
    is_live: bool


@dataclass(frozen=True)
class Area:
    """One LAA area and the reporting years in which it existed."""

    area_code: str
    area_name: str
    area_type: str
    region_code: str
    valid_from_period: str | None
    valid_to_period: str | None

    def exists_in(self, reporting_year: str) -> bool:
        """The architecture's validity rule: valid_from..valid_to, null meaning unbounded."""
        if self.valid_from_period and reporting_year < self.valid_from_period:
            return False
        return not (self.valid_to_period and reporting_year > self.valid_to_period)


def stable_hash(*parts: object) -> int:
    """A hash of names that is the same in every process (unlike Python's `hash`)."""
    return zlib.crc32("\x1f".join(str(p) for p in parts).encode("utf-8"))


def _optional_float(text: str | None) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    number = float(text)
    return None if math.isnan(number) else number


def _flag(text: str | None) -> bool:
    return (text or "").strip().casefold() in {"true", "t", "1", "yes", "y"}


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise FileNotFoundError(f"reference seed {path} not found; the demo needs data/seeds/")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def read_indicators(seeds_dir: Path) -> list[Indicator]:
    """Every indicator in national_indicators.csv, in NI number order."""
    indicators = []
    for row in _read_rows(seeds_dir / "national_indicators.csv"):
        indicators.append(
            Indicator(
                ni_code=row["ni_code"].strip(),
                ni_number=int(float(row["ni_number"])),
                title=(row.get("title") or "").strip(),
                polarity=(row.get("polarity") or "neither").strip(),
                unit=(row.get("unit") or "").strip(),
                period_type=row["period_type"].strip(),
                multiplier=_optional_float(row.get("multiplier")) or 1.0,
                valid_min=_optional_float(row.get("valid_min")),
                valid_max=_optional_float(row.get("valid_max")),
                aggregation=(row.get("aggregation") or "none").strip(),
                is_live=_flag(row.get("is_live")),
            )
        )
    return sorted(indicators, key=lambda i: i.ni_number)


def read_areas(seeds_dir: Path) -> list[Area]:
    """Every area in areas.csv, in area code order."""
    areas = [
        Area(
            area_code=row["area_code"].strip(),
            area_name=row["area_name"].strip(),
            area_type=(row.get("area_type") or "").strip(),
            region_code=(row.get("region_code") or "").strip(),
            valid_from_period=(row.get("valid_from_period") or "").strip() or None,
            valid_to_period=(row.get("valid_to_period") or "").strip() or None,
        )
        for row in _read_rows(seeds_dir / "areas.csv")
    ]
    return sorted(areas, key=lambda a: a.area_code)


def read_period_ids(seeds_dir: Path) -> set[str]:
    """The period ids ingest will accept (empty if periods.csv is not there yet)."""
    path = seeds_dir / "periods.csv"
    if not path.exists():
        return set()
    return {row["period_id"].strip() for row in _read_rows(path)}


def select_areas(areas: list[Area], scale: float, seed: int) -> list[Area]:
    """A deterministic share of the areas, always keeping the 2009 reorganisation's areas.

    scale 1.0 keeps them all; 0.1 keeps a tenth (at least one ordinary area) plus Bedfordshire,
    Cheshire and their four successors, so the area-validity rule is always exercised.
    """
    if scale >= 1.0:
        return list(areas)
    reorganised = set(PREDECESSOR_OF) | set(PREDECESSOR_OF.values())
    others = [a for a in areas if a.area_code not in reorganised]
    wanted = max(1, round(len(others) * max(scale, 0.0)))
    picked = sorted(others, key=lambda a: stable_hash(seed, "area-pick", a.area_code))[:wanted]
    keep = {a.area_code for a in picked} | reorganised
    return [a for a in areas if a.area_code in keep]

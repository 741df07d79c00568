"""The periods an indicator is reported for in a reporting year, and how authorities spell them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# How an authority writes a financial or academic year (contract §1, Periods).
YEAR_SPELLINGS: tuple[str, ...] = ("slash", "dash", "long", "fy")
QUARTER_SPELLINGS: tuple[str, ...] = ("suffix", "prefix")


@dataclass(frozen=True)
class Period:
    """One period of an indicator: the warehouse id and the parts needed to spell it."""

    period_id: str
    period_type: str
    start_year: int
    quarter: int | None = None

    @property
    def year_index(self) -> float:
        """Years since 2007/08 (quarters in between), for trends."""
        offset = 0.0 if self.quarter is None else (self.quarter - 2.5) / 4
        return self.start_year - 2007 + offset

    def label(self, year_spelling: str = "slash", quarter_spelling: str = "suffix") -> str:
        """The period as an authority writes it in a return."""
        return _label(self, year_spelling, quarter_spelling)


@cache
def _label(period: Period, year_spelling: str, quarter_spelling: str) -> str:
    # Cached: the same few hundred labels are spelled for every row of every file.
    if period.period_type in ("calendar_year", "survey"):
        return str(period.start_year)
    year = fy_label(period.start_year, year_spelling, period.period_type == "academic_year")
    if period.quarter is None:
        return year
    if quarter_spelling == "prefix":
        return f"Q{period.quarter} {year}"
    return f"{year} Q{period.quarter}"


def fy_label(start_year: int, spelling: str = "slash", academic: bool = False) -> str:
    """`2008/09`, `2008-09`, `2008/2009` or `FY2008/09` (never `FY` for an academic year)."""
    short = f"{(start_year + 1) % 100:02d}"
    if spelling == "dash":
        return f"{start_year}-{short}"
    if spelling == "long":
        return f"{start_year}/{start_year + 1}"
    if spelling == "fy" and not academic:
        return f"FY{start_year}/{short}"
    return f"{start_year}/{short}"


@cache
def periods_in_year(period_type: str, reporting_year: str) -> tuple[Period, ...]:
    """The periods of one type that belong to a reporting year such as `2008-09`.

    The Place Survey ran once, in autumn 2008, so a survey indicator has a period only in
    2008-09.
    """
    start = int(reporting_year[:4])
    fy_id = f"{start}-{(start + 1) % 100:02d}"
    if period_type == "financial_year":
        return (Period(fy_id, period_type, start),)
    if period_type == "academic_year":
        return (Period(f"AY{fy_id}", period_type, start),)
    if period_type == "quarter":
        return tuple(Period(f"{fy_id}Q{q}", period_type, start, q) for q in (1, 2, 3, 4))
    if period_type == "calendar_year":
        return (Period(str(start), period_type, start),)
    if period_type == "survey":
        return (Period("PS2008", period_type, start),) if start == 2008 else ()
    raise ValueError(f"unknown period_type {period_type!r} in national_indicators.csv")

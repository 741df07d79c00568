"""The rules behind the release site's table cells: how numbers are rounded, codes read.

Plain text in, plain text out (no HTML): `pages.py` registers these as Jinja2 filters and the
macros in `templates/cells.html` draw the cells with them. Area values and targets are shown
to at most 2 decimal places, England, region and MAA values to 1 (the numbers note on every
page says so); the data files are never rounded. `spreadsheet_safe` is the rule the CSV
files beside the pages' tables share with the release's data files.
"""

from __future__ import annotations

import math

# Codes are shown as words ('not_comparable' -> 'Not comparable'), except these.
WORDS = {"neither": "Neither higher nor lower is better", "no_data": "no value yet"}
AGGREGATION = {
    "ratio": "sum of the areas' numerators over the sum of their denominators",
    "sum": "total of the areas' values",
    "none": "not combined across areas (the median of the areas' values is given instead)",
}
QUARTILE = {1: "1 (best)", 4: "4 (worst)"}
# A spreadsheet runs a text cell starting with one of these as a formula: the release's data
# files' rule (release.FORMULA_STARTS; a test keeps the two the same).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def number(value: float | None, places: int, trim: bool = True) -> str | None:
    """`value` to `places` decimals, trailing zeros dropped if `trim`: 7.50 -> '7.5'."""
    if value is None or not math.isfinite(value):
        return None
    text = f"{value:,.{places}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def area_value(value: float | None) -> str | None:
    """An area's value or target as shown: at most 2 decimals; None when there is none."""
    return number(value, 2)


def group_value(value: float | None) -> str | None:
    """An England, region or MAA value or median as shown: 1 decimal; None when none."""
    return number(value, 1, trim=False)


def words(code: str | None, capital: bool = True) -> str:
    """A code as words: 'financial_year' -> 'Financial year'; '' for no code."""
    text = WORDS.get(code or "") or (code or "").replace("_", " ")
    return text[:1].upper() + text[1:] if capital else text


def aggregation(code: str | None) -> str | None:
    """How an indicator's England, region and MAA values are made from the areas', as words."""
    return AGGREGATION.get(code, code)


def quartile(value: int) -> str:
    """A quartile as shown: '1 (best)', '2', '3', '4 (worst)'."""
    return QUARTILE.get(value, str(int(value)))


def spreadsheet_safe(text: str) -> str:
    """A text cell for a CSV file: a leading apostrophe when a spreadsheet would run it as a
    formula ('=1+2' -> "'=1+2"), which spreadsheets show as text; other text as it is."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def ordinal(rank: int) -> str:
    """1 -> '1st', 2 -> '2nd', 13 -> '13th', 22 -> '22nd'."""
    rank = int(rank)
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


FILTERS = {
    "area_value": area_value,
    "group_value": group_value,
    "number": number,
    "words": words,
    "aggregation": aggregation,
    "quartile": quartile,
    "ordinal": ordinal,
}

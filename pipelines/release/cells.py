"""Table cells of the release site: the number rule and codes shown as words, as HTML.

Every text from the data goes through `esc`. Area values and targets are shown to at most 2
decimal places, England, region and MAA values to 1 (NUMBERS_NOTE says so on every page); the
data files are never rounded.
"""

from __future__ import annotations

import html
import math
from typing import Any

NO_VALUE = '<span class="none">–<span class="vh"> no value</span></span>'
NUMBERS_NOTE = (
    "Area values and targets are shown as returned (at most 2 decimal places); values the "
    "warehouse derived from a numerator and denominator are rounded to 2 decimal places. "
    "England, region and MAA values and medians are computed, and shown to 1 decimal place; "
    "the data files hold every figure unrounded. – means no value."
)
# Codes are shown as words ('not_comparable' -> 'Not comparable'), except these.
WORDS = {"neither": "Neither higher nor lower is better", "no_data": "no value yet"}
AGGREGATION = {
    "ratio": "sum of the areas' numerators over the sum of their denominators",
    "sum": "total of the areas' values",
    "none": "not combined across areas (the median of the areas' values is given instead)",
}


def esc(text: Any) -> str:
    return "" if text is None else html.escape(str(text))


def number(value: float | None, places: int, trim: bool = True) -> str | None:
    """`value` to `places` decimals, trailing zeros dropped if `trim`: 7.50 -> '7.5'."""
    if value is None or not math.isfinite(value):
        return None
    text = f"{value:,.{places}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def area_value(value: float | None) -> str:
    return number(value, 2) or NO_VALUE


def group_value(value: float | None) -> str:
    return number(value, 1, trim=False) or NO_VALUE


def text_or_none(text: str | None) -> str:
    return esc(text) or NO_VALUE


def words(code: str | None, capital: bool = True) -> str:
    """A code as words: 'financial_year' -> 'Financial year'."""
    text = WORDS.get(code or "") or (code or "").replace("_", " ")
    return text_or_none(text[:1].upper() + text[1:] if capital else text)


def quartile(row: dict[str, Any]) -> str:
    q = row["quartile"]
    if q is None:
        return "not ranked" if row["polarity"] == "neither" else NO_VALUE
    return f'<span class="q{int(q)}">{ {1: "1 (best)", 4: "4 (worst)"}.get(q, int(q)) }</span>'


def rank(row: dict[str, Any]) -> str:
    if row["rank"] is None:
        return "not ranked"
    return f"{int(row['rank'])} of {int(row['areas_ranked'])}"


def direction(row: dict[str, Any]) -> str:
    key = row["direction_of_travel"]
    text = words(key)
    if row["previous_value"] is not None:
        text += (
            f' <span class="note">from {area_value(row["previous_value"])}'
            f" ({esc(row['previous_label'] or row['previous_period_id'])})</span>"
        )
    return f'<span class="{esc(key)}">{text}</span>'


def target(row: dict[str, Any]) -> str:
    if row["target_value"] is None:
        return '<span class="none">no target</span>'
    status = row["target_status"]
    text = f'{area_value(row["target_value"])}: <span class="{esc(status)}">{words(status, False)}</span>'
    return text + (' <span class="note">(illustrative)</span>' if row["is_illustrative"] else "")


def comparator(value: float | None, aggregation: str | None) -> str:
    """England or region value; for summed indicators it is a total, and says so."""
    text = group_value(value)
    return text + (
        ' <span class="note">total</span>' if value is not None and aggregation == "sum" else ""
    )


def table(caption: str, head: list[str], rows: list[str], numeric: set[int] = frozenset()) -> str:
    """A table: `caption` and `head` cells as HTML, `rows` already-built `<tr>` elements."""
    cells = "".join(
        f'<th scope="col"{" class=num" if i in numeric else ""}>{h}</th>'
        for i, h in enumerate(head)
    )
    return (
        f"<table><caption>{caption}</caption><thead><tr>{cells}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )

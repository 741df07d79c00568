"""The map on an indicator's latest league page: a tile per area, coloured by a category.

`map_figure` picks what the colours say (the comparison with England when the period has
any; else quartiles; else quarters of the values, for indicators where neither way is better),
gives each tile its category and has `cartogram.cartogram_chart` draw it; the template
(`figures.html`, `map_figure`) writes the counts of each colour beside it and every area in a
table under it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import cartogram, cells, pages

if TYPE_CHECKING:
    from .pages import LeagueRow


def map_colouring(league: list[LeagueRow]) -> str:
    """What the map's tiles are coloured by: 'comparison' with England when any area of the
    period was compared, else 'quartile' when the areas are ranked, else 'value' (quarters
    of the areas' values, highest first: for indicators where neither way is better)."""
    if any(r.england_comparison not in (None, "not_compared") for r in league):
        return "comparison"
    if any(r.quartile is not None for r in league):
        return "quartile"
    return "value"


# The map's categories when neither higher nor lower is better and nothing was compared:
# quarters of the values in one neutral hue, darkest highest (labels black: 4.5:1 or more).
VALUE_CATEGORIES = (
    ("Highest quarter of values", "#9fb7d6"),
    ("Second quarter", "#c3d3e7"),
    ("Third quarter", "#dfe8f3"),
    ("Lowest quarter of values", "#f3f6fa"),
    (cartogram.NO_VALUE, "#ffffff"),
)


def _map_category(row: LeagueRow | None, colouring: str, quarters: dict[str, int]) -> str:
    """A tile's category, a label of the colouring's categories (cartogram.py)."""
    if row is None or row.value is None:
        return cartogram.NO_VALUE
    if colouring == "comparison":  # an unknown code has no colour: not compared
        code = (
            row.england_comparison
            if row.england_comparison in pages.COMPARISONS
            else "not_compared"
        )
        return pages.COMPARISONS[code][0]
    if colouring == "quartile":
        if row.quartile not in (1, 2, 3, 4):
            return "Not ranked"
        return cartogram.QUARTILE_CATEGORIES[int(row.quartile) - 1][0]
    return VALUE_CATEGORIES[quarters[row.area_code] - 1][0]


def map_figure(indicator: dict[str, Any], period: dict[str, Any]) -> dict[str, Any] | None:
    """The square-tile map of a period's areas and its tiles (for the tables beside it)."""
    if not period.get("tiles"):
        return None
    league = period["league"]
    colouring = map_colouring(league)
    quarters: dict[str, int] = {}
    if colouring == "value":
        ordered = sorted((r for r in league if r.value is not None), key=lambda r: (-r.value, r.area_code))  # fmt: skip
        quarters = {r.area_code: -(-4 * place // len(ordered)) for place, r in enumerate(ordered, 1)}  # fmt: skip
    categories = {
        "comparison": cartogram.COMPARISON_CATEGORIES,
        "quartile": cartogram.QUARTILE_CATEGORIES,
        "value": VALUE_CATEGORIES,
    }[colouring]
    tiles = [
        {
            **{k: v for k, v in t.items() if k != "row"},
            "fill": _map_category(t["row"], colouring, quarters),
            "value_text": cells.area_value(t["value"]) or "no value",
            "has_page": t["row"] is not None,
        }
        for t in period["tiles"]
    ]
    subject = f"NI {indicator['ni_number']}, {period['label']}"
    what = {"comparison": "comparison with England", "quartile": "quartile", "value": "quarter of the areas' values"}[colouring]  # fmt: skip
    name = f"Map of {subject}: one square for each of {len(tiles)} areas, coloured by {what}"
    # the page writes the caption and the key of colours in HTML beside it (figures.html)
    chart = cartogram.cartogram_chart(tiles, subject, "map", name, categories, bare=True)
    present = [label for label, _ in categories if any(t["fill"] == label for t in tiles)]
    return {
        "chart": chart,
        "tiles": sorted(tiles, key=lambda t: (t["region_name"], t["area_name"], t["area_code"])),
        "colouring": colouring,
        "categories": [
            (label, dict(categories)[label], sum(t["fill"] == label for t in tiles))
            for label in present
        ],  # fmt: skip
    }

"""The site's map: a tile cartogram, one square per area, coloured by a category.

The tiles' cells come from dim_area (tile_col, tile_row; the seed data/seeds/area_tiles.csv,
placed from recalled, approximate centroids by pipelines/reference/tiles.py). A map is drawn
for one period, so it holds one tile per cell: the 150 areas of 2008/09 or the 152 from
2009/10 (Bedfordshire and Cheshire share a cell with a successor).

- `cartogram_spec(tiles, title, categories)`: the Vega-Lite spec, for `charts.render_svg`.
- `cartogram_chart(...)`: that spec drawn, with a <title> (the hover tooltip) in each tile:
  vl-convert's static SVG has no tooltips of its own.
- `cartogram_rows(tiles)`: the same facts as a table (area, region, value, category), for the
  table beside the map: the map is a picture, the table is what a screen reader reads.

Colours: the comparison categories use the site's own cell colours (site.css `.cmp-*`): blue
for better, orange for worse, a colour-blind-safe pair that differs in lightness too; the
quartiles run from that blue to that orange. Every fill is light, so the 3-letter labels are
black at a contrast of 4.5:1 or more (`label_colour` picks black or white by WCAG contrast).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import altair as alt
from markupsafe import Markup, escape

from . import charts

TILE = 30  # px: a tile's side
STEP = 33  # px: from one tile to the next (a 3 px gap)
TILE_STROKE = "#6b6b6b"  # a tile's outline: 5:1 on white, so even a white tile shows
NO_VALUE = "No value"
# (label, fill), in legend order.
COMPARISON_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Better than England", "#a9cdf0"),
    ("Similar to England", "#f4e4a1"),
    ("Worse than England", "#f6b68f"),
    ("Higher than England", "#b9a9d9"),
    ("Lower than England", "#e6e0f2"),
    ("Not compared", "#cfcfcf"),
    (NO_VALUE, "#ffffff"),
)
QUARTILE_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("1st quartile", "#8fbde8"),  # the best quarter of areas (docs/warehouse.md)
    ("2nd quartile", "#d4e6f7"),
    ("3rd quartile", "#fbe0cc"),
    ("4th quartile", "#f6b68f"),
    ("Not ranked", "#cfcfcf"),
    (NO_VALUE, "#ffffff"),
)
# A 3-letter label per area, chosen by hand to be unique and readable (ONS-style where one is
# known); an area not listed gets the first 3 letters of its name.
ABBREVIATIONS = {
    "E06000001": "HPL", "E06000002": "MBR", "E06000003": "RCL", "E06000004": "STT",
    "E06000005": "DAR", "E06000006": "HAL", "E06000007": "WRR", "E06000008": "BWD",
    "E06000009": "BPL", "E06000010": "HUL", "E06000011": "ERY", "E06000012": "NEL",
    "E06000013": "NLI", "E06000014": "YOR", "E06000015": "DBY", "E06000016": "LCR",
    "E06000017": "RUT", "E06000018": "NTM", "E06000019": "HFD", "E06000020": "TFW",
    "E06000021": "STK", "E06000022": "BAN", "E06000023": "BRI", "E06000024": "NSM",
    "E06000025": "SGL", "E06000026": "PLY", "E06000027": "TOR", "E06000028": "BMH",
    "E06000029": "POO", "E06000030": "SWI", "E06000031": "PBO", "E06000032": "LUT",
    "E06000033": "SOS", "E06000034": "THU", "E06000035": "MDW", "E06000036": "BRF",
    "E06000037": "WBK", "E06000038": "RDG", "E06000039": "SLO", "E06000040": "WNM",
    "E06000041": "WOK", "E06000042": "MKY", "E06000043": "BNH", "E06000044": "POR",
    "E06000045": "SOT", "E06000046": "IOW", "E06000047": "DUR", "E06000048": "NBL",
    "E06000049": "CHE", "E06000050": "CWC", "E06000051": "SHR", "E06000052": "CON",
    "E06000053": "IOS", "E06000054": "WIL", "E06000055": "BED", "E06000056": "CBF",
    "E08000001": "BOL", "E08000002": "BUR", "E08000003": "MAN", "E08000004": "OLD",
    "E08000005": "RCH", "E08000006": "SLF", "E08000007": "SKP", "E08000008": "TAM",
    "E08000009": "TRF", "E08000010": "WGN", "E08000011": "KNO", "E08000012": "LIV",
    "E08000013": "STH", "E08000014": "SEF", "E08000015": "WRL", "E08000016": "BNY",
    "E08000017": "DON", "E08000018": "ROT", "E08000019": "SHF", "E08000020": "GAT",
    "E08000021": "NCL", "E08000022": "NTY", "E08000023": "STY", "E08000024": "SUN",
    "E08000025": "BIR", "E08000026": "COV", "E08000027": "DUD", "E08000028": "SAN",
    "E08000029": "SOL", "E08000030": "WSL", "E08000031": "WLV", "E08000032": "BRD",
    "E08000033": "CAL", "E08000034": "KIR", "E08000035": "LDS", "E08000036": "WKF",
    "E09000001": "COL", "E09000002": "BDG", "E09000003": "BNT", "E09000004": "BEX",
    "E09000005": "BRE", "E09000006": "BRO", "E09000007": "CMD", "E09000008": "CRO",
    "E09000009": "EAL", "E09000010": "ENF", "E09000011": "GRE", "E09000012": "HCK",
    "E09000013": "HMF", "E09000014": "HGY", "E09000015": "HRW", "E09000016": "HAV",
    "E09000017": "HIL", "E09000018": "HNS", "E09000019": "ISL", "E09000020": "KNC",
    "E09000021": "KTH", "E09000022": "LBH", "E09000023": "LEW", "E09000024": "MRT",
    "E09000025": "NWM", "E09000026": "RED", "E09000027": "RIC", "E09000028": "SWK",
    "E09000029": "SUT", "E09000030": "TOW", "E09000031": "WFO", "E09000032": "WND",
    "E09000033": "WSM", "E10000001": "BDF", "E10000002": "BKM", "E10000003": "CAM",
    "E10000004": "CHS", "E10000006": "CMA", "E10000007": "DER", "E10000008": "DEV",
    "E10000009": "DOR", "E10000011": "ESX", "E10000012": "ESS", "E10000013": "GLS",
    "E10000014": "HAM", "E10000015": "HRT", "E10000016": "KEN", "E10000017": "LAN",
    "E10000018": "LEI", "E10000019": "LIN", "E10000020": "NFK", "E10000021": "NTH",
    "E10000023": "NYK", "E10000024": "NTT", "E10000025": "OXF", "E10000027": "SOM",
    "E10000028": "STS", "E10000029": "SFK", "E10000030": "SRY", "E10000031": "WAR",
    "E10000032": "WSX", "E10000034": "WOR",
}  # fmt: skip


def abbreviation(area_code: str, area_name: str) -> str:
    """The tile's label: ABBREVIATIONS, else the first 3 letters of the name, upper case."""
    return ABBREVIATIONS.get(area_code) or "".join(re.findall(r"[A-Za-z]", area_name))[:3].upper()


def contrast(colour: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two `#rrggbb` colours."""

    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def label_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill`."""
    return max(("#000000", "#ffffff"), key=lambda text: contrast(text, fill))


def value_text(tile: Mapping[str, Any]) -> str:
    """The tile's value as shown: the caller's `value_text` if given, else up to 2 decimals."""
    if tile.get("value_text"):
        return str(tile["value_text"])
    value = tile.get("value")
    if value is None:
        return "no value"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@cache
def _template() -> dict[str, Any]:
    """The map with a named, empty dataset `tiles`; `cartogram_spec` fills it in.

    x and y are in pixels (the spec places each tile) through linear scales from [0, size]
    to themselves, as in charts.py: no axes, no nice rounding.
    """
    x = alt.X("x:Q", scale=alt.Scale(domain=[0, 1], range=[0, 1], nice=False, zero=False), axis=None)  # fmt: skip
    y = alt.Y("y:Q", scale=alt.Scale(domain=[0, 1], range=[0, 1], nice=False, zero=False), axis=None)  # fmt: skip
    data = alt.Data(name="tiles")
    tiles = (
        alt.Chart(data)
        .mark_rect(stroke=TILE_STROKE, strokeWidth=1, aria=False)
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            y2="y2:Q",
            fill=alt.Fill(
                "category:N",
                scale=alt.Scale(domain=["-"], range=["#ffffff"]),
                legend=alt.Legend(
                    aria=False,
                    title=None,
                    orient="right",
                    symbolType="square",
                    symbolSize=200,
                    symbolStrokeColor=TILE_STROKE,
                    labelFontSize=12,
                    labelColor="#1b1b1b",
                    labelLimit=220,
                ),  # fmt: skip
            ),
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(fontSize=10, fontWeight="bold", baseline="middle", align="center", aria=False)
        .encode(
            x=alt.X("cx:Q", scale=x["scale"], axis=None),
            y=alt.Y("cy:Q", scale=y["scale"], axis=None),
            text="label:N",
            color=alt.Color("label_colour:N", scale=None),
        )
    )
    chart = alt.layer(tiles, labels).properties(width=1, height=1)
    chart = chart.properties(
        title=alt.Title("-", anchor="start", fontSize=13, color="#1b1b1b", aria=False)
    )
    return chart.configure(**charts.CONFIG).to_dict()


def _checked(tiles: Sequence[Mapping[str, Any]], fills: Mapping[str, str]) -> list[Mapping]:
    """The tiles in drawing order (row, then column); a shared cell or unknown category fails."""
    cells: dict[tuple[int, int], str] = {}
    for tile in tiles:
        cell = (int(tile["tile_row"]), int(tile["tile_col"]))
        if cell in cells:
            raise ValueError(
                f"areas {cells[cell]} and {tile['area_code']} share tile cell "
                f"(col {cell[1]}, row {cell[0]}): draw one period's areas at a time"
            )
        cells[cell] = str(tile["area_code"])
        if tile["fill"] not in fills:
            raise ValueError(
                f"area {tile['area_code']}: category {tile['fill']!r} is not one of {list(fills)}"
            )
    return sorted(tiles, key=lambda t: (int(t["tile_row"]), int(t["tile_col"])))


def cartogram_spec(
    tiles: Sequence[Mapping[str, Any]],
    title: str,
    categories: Sequence[tuple[str, str]] = COMPARISON_CATEGORIES,
) -> dict[str, Any]:
    """The tile map of one period's areas, for `charts.render_svg`.

    `tiles`: one dict per area with area_code, area_name, tile_col, tile_row, region_name,
    value (float or None), fill (a label of `categories`) and optionally value_text (the
    value as the page shows it). `categories`: (label, "#rrggbb") in legend order, e.g.
    COMPARISON_CATEGORIES or QUARTILE_CATEGORIES; the legend lists those present.
    """
    fills = dict(categories)
    ordered = _checked(tiles, fills)
    spec = copy.deepcopy(_template())
    width = (max((int(t["tile_col"]) for t in tiles), default=0) + 1) * STEP
    height = (max((int(t["tile_row"]) for t in tiles), default=0) + 1) * STEP
    spec["width"], spec["height"] = width, height
    spec["title"]["text"] = title
    spec["datasets"] = {
        "tiles": [
            {
                "x": int(t["tile_col"]) * STEP,
                "x2": int(t["tile_col"]) * STEP + TILE,
                "y": int(t["tile_row"]) * STEP,
                "y2": int(t["tile_row"]) * STEP + TILE,
                "cx": int(t["tile_col"]) * STEP + TILE / 2,
                "cy": int(t["tile_row"]) * STEP + TILE / 2,
                "category": t["fill"],
                "label": abbreviation(str(t["area_code"]), str(t["area_name"])),
                "label_colour": label_colour(fills[t["fill"]]),
            }
            for t in ordered
        ]
    }
    present = [label for label, _ in categories if any(t["fill"] == label for t in tiles)]
    tile_layer, label_layer = spec["layer"]
    tile_layer["encoding"]["fill"]["scale"].update(
        domain=present, range=[fills[label] for label in present]
    )
    for layer in (tile_layer, label_layer):
        for axis, size in (("x", width), ("y", height)):
            layer["encoding"][axis]["scale"].update(domain=[0, size], range=[0, size])
    return spec


_TILE_PATH = re.compile(r'<path d="[^"]*" fill="(#[0-9a-fA-F]{6})"[^>]*?(/>)')


def cartogram_chart(
    tiles: Sequence[Mapping[str, Any]],
    title: str,
    chart_id: str,
    name: str,
    categories: Sequence[tuple[str, str]] = COMPARISON_CATEGORIES,
    *,
    bare: bool = False,
) -> charts.Chart:
    """The map drawn (`charts.render_svg`), each tile with a <title>: name, value, category.

    The title is what a mouse pointer shows over a tile; the text is escaped here. `bare`
    leaves out the chart's title, its legend and the squares' 3-letter labels, for a page
    that writes the caption and the key of colours in HTML beside the map: vl-convert
    measures every text it draws, and the 152 labels were most of a map's time.
    """
    fills = dict(categories)
    ordered = _checked(tiles, fills)
    spec = cartogram_spec(tiles, title, categories)
    if bare:
        spec.pop("title", None)
        spec["layer"] = spec["layer"][:1]  # the tiles, without the label layer
        spec["layer"][0]["encoding"]["fill"]["legend"] = None
    chart = charts.render_svg(spec, chart_id, name)
    head, marks, tail = _split_tile_group(str(chart.content))
    found = list(_TILE_PATH.finditer(marks))
    if len(found) != len(ordered) or any(
        m.group(1).lower() != fills[t["fill"]].lower() for m, t in zip(found, ordered, strict=False)
    ):
        raise ValueError("vl-convert drew the tiles in an unexpected order: no titles added")
    pieces, last = [], 0
    for match, tile in zip(found, ordered, strict=True):
        text = f"{tile['area_name']} ({tile['region_name']}): {value_text(tile)}; {tile['fill']}"
        pieces += [marks[last : match.start(2)], f"><title>{escape(text)}</title></path>"]
        last = match.end(2)
    content = head + "".join(pieces) + marks[last:] + tail
    return charts.Chart(chart.chart_id, chart.name, chart.attributes, Markup(content))


def _split_tile_group(svg: str) -> tuple[str, str, str]:
    """The SVG around and inside the tiles' mark group (the one rect mark)."""
    start = svg.index('<g class="mark-rect role-mark')
    end = svg.index("</g>", start)
    return svg[:start], svg[start:end], svg[end:]


def cartogram_rows(tiles: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The map as a table: area, region, value and category, by region then area name."""
    rows = [
        {
            "area_code": t["area_code"],
            "area_name": t["area_name"],
            "region_name": t["region_name"],
            "value": t.get("value"),
            "value_text": value_text(t),
            "category": t["fill"],
        }
        for t in tiles
    ]
    return sorted(rows, key=lambda r: (str(r["region_name"]), str(r["area_name"]), str(r["area_code"])))  # fmt: skip

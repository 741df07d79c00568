"""The site's charts: Altair specs drawn to SVG by vl-convert, for writing inline in a page.

Two kinds here (the map is `cartogram.py`'s):
- `draw_trend`: one chart per area and theme with a row per indicator (small multiples in
  bands), each row scaled to its own range: the area's values over time as a line with a dot
  at the latest, its 95 % confidence intervals as a pale band, England
  as a dashed line; on the right of each row its latest value; a labelled x axis of years.
  Written as SVG directly (it is most of the site's charts, and vl-convert took ~130 ms for
  each). A row's highest and lowest value are in the table under it.
- `distribution_spec`: a histogram of the areas' values for an indicator's latest period, with
  England (or the areas' median) marked. The bins are counted here, not by Vega, so the data
  table beside the chart holds exactly the numbers drawn.

Only numbers and validated codes reach the chart text (no names or titles), and vl-convert's
SVG carries no random ids: the same spec gives the same bytes.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert
from markupsafe import Markup, escape

TREND_WIDTH = 440
LABELS_WIDTH = 60  # right of the plot: each row's latest value
LABEL_MARGIN = 52  # left of the plot: each row's label ("NI 199")
ROW_HEIGHT = 40
ROW_PAD = 6
AREA_COLOUR = "#1d5fa8"
INTERVAL_COLOUR = "#c9dbef"
ENGLAND_COLOUR = "#6b6b6b"
MARKER_COLOUR = "#b00020"
# No mark is a role="graphics-symbol" without a name (axe's svg-img-alt): the <svg> is the
# image, named by its <title>, and the table beside it holds the numbers.
NO_MARK_ROLES = {"aria": False}
CONFIG = {
    "aria": False,  # the figure as a whole is the image; its numbers are in the HTML table
    "font": "sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#333"},
}


def _check_chart_id(chart_id: str) -> None:
    """A chart's id is written into the page as an HTML id: letters, digits and hyphens."""
    if not re.fullmatch(r"[a-z0-9-]+", chart_id):
        raise ValueError(f"chart id {chart_id!r} is not a safe HTML id")


def _x_pixels(x: float, domain: tuple[int, int]) -> float:
    return TREND_WIDTH * (x - domain[0]) / (domain[1] - domain[0])


AXIS_TITLE = "Year (each value is drawn at the middle of its period)"
PAD = 5  # around the drawing, as Vega pads a chart
AXIS_HEIGHT = 44  # under the rows: ticks, year labels and the axis title


def _number(value: float) -> str:
    """A coordinate as SVG text: at most two decimals, no trailing zeros, no `-0`."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _path(points: list[list[tuple[float, float]]], closed: bool = False) -> str:
    """An SVG path's `d`: one subpath per list of points (pixel x, y)."""
    parts = []
    for line in points:
        head, *rest = line
        part = f"M{_number(head[0])},{_number(head[1])}"
        part += "".join(f"L{_number(x)},{_number(y)}" for x, y in rest)
        parts.append(part + ("Z" if closed else ""))
    return "".join(parts)


def draw_trend(
    rows: list[dict[str, Any]], x_domain: tuple[int, int], chart_id: str, name: str
) -> Chart:
    """One band chart for a theme: a row per indicator, each scaled to its own range.

    `rows`: per indicator, in display order, {"label": "NI 117", "area": [(x, value), ...],
    "england": [(x, value), ...], "interval": [(x, lower, upper), ...], "latest": "6.8"}: x a
    decimal year, pairs in time order, `area` not empty; `latest` the latest value as written
    beside the row. Each row is scaled from its lowest to its highest value (area, England and
    interval together): the area's values as a line with a dot at the latest, its 95 %
    intervals as a pale band, England as a dashed line, the row's label on the left and its
    latest value on the right, and under the rows an axis of years.

    Written as SVG here, not drawn by vl-convert: this chart is seven on every area page
    (about 1,100 on a national site) and vl-convert took ~130 ms for each (two thirds of the
    site's time); written directly it takes well under a millisecond. Only numbers and
    "NI <number>" labels reach its text, and they are escaped anyway.
    """
    _check_chart_id(chart_id)
    inner = ROW_HEIGHT - 2 * ROW_PAD
    span = x_domain[1] - x_domain[0]
    bands, intervals, england, area, latest = [], [], [], [], []
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT
        values = [v for key in ("area", "england") for _, v in row[key]]
        values += [v for _, lower, upper in row["interval"] for v in (lower, upper)]
        low, high = min(values), max(values)

        def at(x: float, value: float, top: int = top, low: float = low, high: float = high):
            share = 0.5 if high == low else (value - low) / (high - low)
            return _x_pixels(x, x_domain), top + ROW_PAD + inner * (1 - share)

        if index % 2 == 0:
            bands.append(top)
        if row["england"]:
            england.append([at(x, v) for x, v in row["england"]])
        area.append([at(x, v) for x, v in row["area"]])
        x, value = row["area"][-1]
        latest.append([at(x, value), at(x, value)])
        limits = row["interval"]
        if len(limits) == 1:  # one period: a narrow box rather than a line of no width
            x, lower, upper = limits[0]
            limits = [(x - span / 200, lower, upper), (x + span / 200, lower, upper)]
        if limits:
            outline = [at(x, upper) for x, _, upper in limits]
            outline += [at(x, lower) for x, lower, _ in reversed(limits)]
            intervals.append(outline)
    height = ROW_HEIGHT * max(len(rows), 1)
    width = TREND_WIDTH + LABELS_WIDTH
    # each year's tick: (year, x in pixels as written), for the grid and the axis
    ticks = [
        (year, _number(_x_pixels(year, x_domain))) for year in range(x_domain[0], x_domain[1] + 1)
    ]
    parts = [f'<g transform="translate({LABEL_MARGIN + PAD},{PAD})">']
    parts += [
        f'<rect x="0" y="{top}" width="{width}" height="{ROW_HEIGHT}" fill="#f3f5f8"/>'
        for top in bands
    ]
    parts += [f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#ddd"/>' for _, x in ticks]
    if intervals:
        parts.append(f'<path d="{_path(intervals, closed=True)}" fill="{INTERVAL_COLOUR}"/>')
    if england:
        parts.append(
            f'<path d="{_path(england)}" fill="none" stroke="{ENGLAND_COLOUR}" '
            'stroke-width="1.5" stroke-dasharray="4,3" stroke-linejoin="round"/>'
        )
    parts.append(
        f'<path d="{_path(area)}" fill="none" stroke="{AREA_COLOUR}" stroke-width="2" '
        'stroke-linejoin="round"/>'
    )
    parts.append(
        f'<path d="{_path(latest)}" fill="none" stroke="{AREA_COLOUR}" stroke-width="8" '
        'stroke-linecap="round"/>'
    )
    for at_x, colour, key in (
        (-LABEL_MARGIN, "#1b1b1b", "label"),
        (TREND_WIDTH + 6, AREA_COLOUR, "latest"),
    ):
        lines = "".join(
            f'<tspan x="{at_x}" y="{index * ROW_HEIGHT + ROW_HEIGHT // 2}">'
            f"{escape(row[key])}</tspan>"
            for index, row in enumerate(rows)
        )
        parts.append(
            f'<text font-family="sans-serif" font-size="11" font-weight="bold" '
            f'fill="{colour}" text-anchor="start" dominant-baseline="middle">{lines}</text>'
        )
    parts.append(f'<line x1="0" y1="{height}" x2="{TREND_WIDTH}" y2="{height}" stroke="#888"/>')
    for year, x in ticks:
        parts.append(f'<line x1="{x}" y1="{height}" x2="{x}" y2="{height + 5}" stroke="#888"/>')
        parts.append(
            f'<text x="{x}" y="{height + 17}" font-family="sans-serif" font-size="11" '
            f'fill="#333" text-anchor="middle">{year}</text>'
        )
    parts.append(
        f'<text x="{TREND_WIDTH // 2}" y="{height + 36}" font-family="sans-serif" '
        f'font-size="11" font-weight="bold" fill="#333" text-anchor="middle">{AXIS_TITLE}</text>'
    )
    parts.append("</g>")
    full_width = LABEL_MARGIN + width + 2 * PAD
    full_height = height + AXIS_HEIGHT + 2 * PAD
    attributes = Markup(
        f'class="marks" width="{full_width}" height="{full_height}" '
        f'viewBox="0 0 {full_width} {full_height}"'
    )
    return Chart(chart_id, name, attributes, Markup("".join(parts) + "</svg>"))


def histogram_bins(values: list[float], target_bins: int = 12) -> list[tuple[float, float, int]]:
    """Equal bins with round edges covering `values`: (start, end, count), start inclusive.

    The last bin also holds its end; an empty list gives no bins.
    """
    if not values:
        return []
    low, high = min(values), max(values)
    raw = (high - low) / target_bins if high > low else (abs(low) / 10 or 1)
    exponent = math.floor(math.log10(raw))
    multiple = next(m for m in (1, 2, 2.5, 5, 10) if m * 10**exponent >= raw * 0.999)
    step = multiple * 10**exponent
    decimals = max(0, -exponent + (1 if multiple == 2.5 else 0))
    start = math.floor(round(low / step, 9)) * step
    count = max(1, math.floor(round((high - start) / step, 9)) + 1)
    counts = [0] * count
    for value in values:
        index = math.floor(round((value - start) / step, 9))
        counts[min(max(index, 0), count - 1)] += 1
    return [
        (round(start + i * step, decimals), round(start + (i + 1) * step, decimals), n)
        for i, n in enumerate(counts)
    ]


def edge_places(bins: list[tuple[float, float, int]]) -> int:
    """How many decimals the bin edges need: 2.5 -> 1, 0.25 -> 2, 40 -> 0."""
    return max(len(f"{edge:g}".partition(".")[2]) for s, e, _ in bins for edge in (s, e))


@cache
def _distribution_template() -> dict[str, Any]:
    """The histogram with named, empty datasets; `distribution_spec` fills them in."""
    x = alt.X(
        "start:Q",
        title="Value",
        scale=alt.Scale(domain=[0, 1], nice=False, zero=False),
        axis=alt.Axis(values=[0], labelFlush=True),
    )
    bars = (
        alt.Chart(alt.Data(name="bins"))
        .mark_bar(color=AREA_COLOUR, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            x2="end:Q",
            y=alt.Y(
                "areas:Q",
                title="Number of areas",
                axis=alt.Axis(values=[0], format="d"),
                scale=alt.Scale(nice=True, zero=True),
            ),
            y2=alt.datum(0),
        )
    )
    marker = alt.Data(name="marker")
    rule = (
        alt.Chart(marker)
        .mark_rule(color=MARKER_COLOUR, strokeWidth=2, strokeDash=[5, 3])
        .encode(x=alt.X("start:Q"))
    )
    text = (
        alt.Chart(marker)
        .mark_text(align="left", dx=4, dy=-4, baseline="bottom", color=MARKER_COLOUR)
        .encode(x=alt.X("start:Q"), y=alt.value(0), text="text:N")
    )
    chart = alt.layer(bars, rule, text).properties(width=560, height=180)
    return chart.configure(**CONFIG, mark=NO_MARK_ROLES).to_dict()


def distribution_spec(
    bins: list[tuple[float, float, int]], marker: float | None, marker_text: str
) -> dict[str, Any]:
    """Histogram of the areas' values (bins from `histogram_bins`), `marker` drawn as a rule."""
    low, high = bins[0][0], bins[-1][1]
    if marker is not None:
        low, high = min(low, marker), max(high, marker)
    spec = copy.deepcopy(_distribution_template())
    spec["datasets"] = {
        "bins": [{"start": s, "end": e, "areas": n} for s, e, n in bins],
        "marker": [] if marker is None else [{"start": marker, "text": marker_text}],
    }
    x = spec["layer"][0]["encoding"]["x"]
    x["scale"]["domain"] = [low, high]
    x["axis"]["values"] = sorted({s for s, _, _ in bins} | {bins[-1][1]})
    x["axis"]["format"] = f",.{edge_places(bins)}f"
    most, step = max(n for _, _, n in bins), 1
    while most / step > 6:  # at most 7 whole-number ticks: 1, 2, 5, 10, 20, 50 ... apart
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    y = spec["layer"][0]["encoding"]["y"]
    y["axis"]["values"] = list(range(0, most + step, step))
    return spec


# Drawing is the site's cost (vl-convert, ~27 ms a chart whatever its size), and most charts
# of a release are the charts of the release before: a chart is drawn once per distinct spec
# and kept, by the digest of its spec, in a cache folder the site's build names
# (`use_chart_cache`; site.py keeps it under the publish folder and drops charts no build
# used). vl-convert draws the same spec to the same bytes, so a kept chart is the chart.
_CACHE: dict[str, Path | None] = {"folder": None}
DRAWER = f"vl-convert {vl_convert.__version__}, altair {alt.__version__}"


def use_chart_cache(folder: Path | None) -> None:
    """Keep and reuse drawn charts in `folder` (None: draw every chart). Also a pool's
    initializer: spawned workers set it for themselves."""
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    _CACHE["folder"] = folder


def _draw(spec: dict[str, Any]) -> str:
    folder = _CACHE["folder"]
    if folder is None:
        return vl_convert.vegalite_to_svg(spec)
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    key = hashlib.sha256(f"{DRAWER}\0{text}".encode()).hexdigest()
    kept = folder / f"{key}.svg"
    try:
        svg = kept.read_text(encoding="utf-8")
        os.utime(kept)  # used by this build: not dropped when the cache is pruned
        return svg
    except FileNotFoundError:
        pass
    svg = vl_convert.vegalite_to_svg(spec)
    partial = folder / f".{key}.{os.getpid()}"
    partial.write_text(svg, encoding="utf-8")
    os.replace(partial, kept)  # whole or not at all: a killed build leaves no half chart
    return svg


_XMLNS = re.compile(r' xmlns(:xlink)?="[^"]*"')


@dataclass(frozen=True)
class Chart:
    """A chart drawn as SVG, for the `chart` macro of `templates/cells.html` to write inline.

    The macro gives the <svg> element `chart_id`, role="img" and a <title> of `name` (its
    accessible name), then vl-convert's own attributes and content.
    """

    chart_id: str
    name: str
    attributes: Markup  # of vl-convert's opening <svg> tag, without the namespaces
    content: Markup  # everything after that tag, to </svg>


def render_svg(spec: dict[str, Any], chart_id: str, name: str) -> Chart:
    """The chart drawn by vl-convert, ready to be written inline with `name` as its name.

    The namespace declarations are dropped: HTML puts inline `<svg>` in the SVG namespace
    itself, and the page then holds no URL at all.
    """
    _check_chart_id(chart_id)
    svg = _XMLNS.sub("", _draw(spec), count=2)
    if not svg.startswith("<svg "):
        raise ValueError(f"vl-convert did not draw an <svg> element: {svg[:40]!r}")
    # The one place the site writes HTML it did not escape itself. Safe because vl-convert
    # drew this SVG from a spec our code built, and the only texts in the spec are numbers
    # and "NI <number>" labels; vl-convert escapes any text it writes anyway (tried: <, >
    # and & in text elements, and also " in attributes, come out as entities).
    opening, content = Markup(svg).split(">", 1)
    return Chart(chart_id, name, opening.removeprefix("<svg "), content)

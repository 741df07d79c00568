"""The site's charts: Altair specs drawn to SVG by vl-convert, for writing inline in a page.

Two kinds:
- `trend_spec`: one chart per area and theme with a row per indicator (small multiples in
  bands): the area's values over time as a line, its latest value as a dot, England as a
  dashed line, each row scaled to its own range. One vl-convert call costs ~20 ms plus ~0.4 ms
  a row (mostly measuring the row's label text), where a chart per indicator costs ~25 ms:
  ~30,000 of those would take a quarter of an hour.
- `distribution_spec`: a histogram of the areas' values for an indicator's latest period, with
  England (or the areas' median) marked. The bins are counted here, not by Vega, so the data
  table beside the chart holds exactly the numbers drawn.

Only numbers and validated codes reach the chart text (no names or titles), and vl-convert's
SVG carries no random ids: the same spec gives the same bytes.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import altair as alt
import vl_convert
from markupsafe import Markup

TREND_WIDTH = 480
ROW_HEIGHT = 24
ROW_PAD = 4
AREA_COLOUR = "#1d5fa8"
ENGLAND_COLOUR = "#6b6b6b"
MARKER_COLOUR = "#b00020"
CONFIG = {
    "aria": False,  # the figure as a whole is the image; its numbers are in the HTML table
    "font": "sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#333"},
}


@cache
def _trend_template() -> dict[str, Any]:
    """The trend chart with named, empty datasets; `trend_spec` fills them in.

    y is in pixels (`trend_spec` places each row), through a linear scale from [0, height] to
    itself rather than no scale, so that a null y breaks the line: each series is one path
    with a gap between rows, not a Vega group per row (smaller SVG, faster to draw).
    """
    x = alt.X(
        "x:Q",
        title=None,
        scale=alt.Scale(domain=[2007, 2012], nice=False, zero=False),
        axis=alt.Axis(values=[2007], format="d", grid=True, gridColor="#ddd"),
    )
    y_scale = alt.Scale(domain=[0, ROW_HEIGHT], range=[0, ROW_HEIGHT], nice=False, zero=False)
    band = (
        alt.Chart(alt.Data(name="bands"))
        .mark_rect(fill="#eef2f7")
        .encode(
            x=alt.value(0),
            x2=alt.value(TREND_WIDTH),
            y=alt.Y("top:Q", scale=y_scale, axis=None),
            y2="bottom:Q",
        )
    )

    def line(name: str, colour: str, width: float, dash: list[int]) -> alt.Chart:
        return (
            alt.Chart(alt.Data(name=name))
            .mark_line(color=colour, strokeWidth=width, strokeDash=dash, strokeJoin="round")
            .encode(x=x, y=alt.Y("y:Q", scale=y_scale, axis=None), order="seq:Q")
        )

    # The latest values as dots: zero-length segments with round caps, all in one path
    # (a circle mark writes ~150 bytes of SVG per dot, this ~20).
    dots = (
        alt.Chart(alt.Data(name="latest"))
        .mark_line(color=AREA_COLOUR, strokeWidth=6, strokeCap="round")
        .encode(x=x, y=alt.Y("y:Q", scale=y_scale, axis=None), order="seq:Q")
    )
    # One text mark of many lines, not a mark per row: the same measuring, less SVG.
    label = (
        alt.Chart(alt.Data(name="labels"))
        .mark_text(
            align="right",
            baseline="middle",
            dx=-6,
            fontSize=11,
            fontWeight="bold",
            lineHeight=ROW_HEIGHT,
        )
        .encode(x=alt.value(0), y=alt.Y("y:Q", scale=y_scale, axis=None), text="lines:N")
    )
    chart = alt.layer(
        band,
        line("england", ENGLAND_COLOUR, 1.5, [4, 3]),
        line("area", AREA_COLOUR, 2, [1, 0]),
        dots,
        label,
    ).properties(width=TREND_WIDTH, height=ROW_HEIGHT)
    return chart.configure(**CONFIG).to_dict()


def trend_spec(rows: list[dict[str, Any]], x_domain: tuple[int, int]) -> dict[str, Any]:
    """One band chart for a theme.

    `rows`: per indicator, in display order, {"label": "NI 117", "area": [(x, value), ...],
    "england": [(x, value), ...]}, x a decimal year, pairs in time order, `area` not empty.
    Each row is scaled from its lowest to its highest value (area and England together).
    """
    series: dict[str, list[dict[str, Any]]] = {"area": [], "england": []}
    latest, bands = [], []
    inner = ROW_HEIGHT - 2 * ROW_PAD
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT
        values = [v for name in series for _, v in row[name]]
        low, high = min(values), max(values)
        for name, points in series.items():
            for x, value in row[name]:
                share = 0.5 if high == low else (value - low) / (high - low)
                y = round(top + ROW_PAD + inner * (1 - share), 2)
                points.append({"seq": len(points), "x": x, "y": y})
            if row[name]:
                points.append({"seq": len(points), "x": x, "y": None})  # lift the pen
        last = series["area"][-2]
        for _ in range(2):
            latest.append({"seq": len(latest), "x": last["x"], "y": last["y"]})
        latest.append({"seq": len(latest), "x": last["x"], "y": None})
        if index % 2 == 0:
            bands.append({"top": top, "bottom": top + ROW_HEIGHT})
    height = ROW_HEIGHT * max(len(rows), 1)
    spec = copy.deepcopy(_trend_template())
    spec["height"] = height
    labels = [{"lines": [row["label"] for row in rows], "y": ROW_HEIGHT / 2}]
    spec["datasets"] = {**series, "latest": latest, "bands": bands, "labels": labels}
    for layer in spec["layer"]:
        encoding = layer["encoding"]
        encoding["y"]["scale"].update(domain=[0, height], range=[0, height])
        if "field" in encoding["x"]:
            encoding["x"]["scale"]["domain"] = list(x_domain)
            encoding["x"]["axis"]["values"] = list(range(x_domain[0], x_domain[1] + 1))
    return spec


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
    return chart.configure(**CONFIG).to_dict()


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
    if not re.fullmatch(r"[a-z0-9-]+", chart_id):
        raise ValueError(f"chart id {chart_id!r} is not a safe HTML id")
    svg = _XMLNS.sub("", vl_convert.vegalite_to_svg(spec), count=2)
    if not svg.startswith("<svg "):
        raise ValueError(f"vl-convert did not draw an <svg> element: {svg[:40]!r}")
    # The one place the site writes HTML it did not escape itself. Safe because vl-convert
    # drew this SVG from a spec our code built, and the only texts in the spec are numbers
    # and "NI <number>" labels; vl-convert escapes any text it writes anyway (tried: <, >
    # and & in text elements, and also " in attributes, come out as entities).
    opening, content = Markup(svg).split(">", 1)
    return Chart(chart_id, name, opening.removeprefix("<svg "), content)

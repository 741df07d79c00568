"""The site's charts: Altair specs drawn to SVG by vl-convert, for writing inline in a page.

Two kinds here (the map is `cartogram.py`'s):
- `trend_spec`: one chart per area and theme with a row per indicator (small multiples in
  bands), each row scaled to its own range: the area's values over time as a line with a dot
  at the latest, its 95 % confidence intervals as a pale band, England
  as a dashed line; on the right of each row its latest value; a labelled x axis of years.
  Text is the cost: vl-convert measures every line of it (~1 ms a line on a busy machine),
  and a text mark per row costs far more than one mark of many lines, so each column of text
  is one mark with a line a row. A row's highest and lowest value, written beside it, cost as
  much again as the rest of the chart: they are in the table under it instead. A chart per
  indicator (~25 ms each) would be ~30,000 charts, a quarter of an hour.
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


@cache
def _trend_template() -> dict[str, Any]:
    """The trend chart with named, empty datasets; `trend_spec` fills them in.

    y is in pixels (`trend_spec` places each row), through a linear scale from [0, height] to
    itself rather than no scale, so that a null y breaks the line: each series is one path
    with a gap between rows, not a Vega group per row (smaller SVG, faster to draw). Texts are
    one text mark of many lines each (one line a row), not a mark per row: the same measuring,
    a tenth of the SVG.
    """
    x = alt.X(
        "x:Q",
        title="Year (each value is drawn at the middle of its period)",
        scale=alt.Scale(domain=[2007, 2012], nice=False, zero=False),
        axis=alt.Axis(values=[2007], format="d", grid=True, gridColor="#ddd", orient="bottom"),
    )
    y_scale = alt.Scale(domain=[0, ROW_HEIGHT], range=[0, ROW_HEIGHT], nice=False, zero=False)
    y = alt.Y("y:Q", scale=y_scale, axis=None)
    band = (
        alt.Chart(alt.Data(name="bands"))
        .mark_rect(fill="#f3f5f8")
        .encode(
            x=alt.value(0),
            x2=alt.value(TREND_WIDTH + LABELS_WIDTH),
            y=alt.Y("top:Q", scale=y_scale, axis=None),
            y2="bottom:Q",
        )
    )

    def line(
        name: str, colour: str, width: float, dash: list[int] | None, **mark: Any
    ) -> alt.Chart:
        if dash:  # none on the dots: Chromium draws no cap on a dashed path of no length
            mark["strokeDash"] = dash
        return (
            alt.Chart(alt.Data(name=name))
            .mark_line(color=colour, strokeWidth=width, strokeJoin="round", **mark)
            .encode(x=x, y=y, order="seq:Q")
        )

    # The 95 % intervals: one closed polygon a row (along the upper limits, back along the
    # lower), all in one filled path.
    interval = (
        alt.Chart(alt.Data(name="interval"))
        .mark_line(fill=INTERVAL_COLOUR, stroke=None, interpolate="linear-closed")
        .encode(x=x, y=y, order="seq:Q")
    )
    # The latest values as dots: zero-length segments with round caps, all in one path (a
    # circle mark writes ~150 bytes of SVG per dot, this ~20).
    latest = line("latest", AREA_COLOUR, 8, None, strokeCap="round")
    # Every text is one mark: a column of lines for the rows' labels (left of the plot) and
    # one for their latest values (right of it). Each layer costs vl-convert ~20 ms a chart,
    # whatever it holds, so the chart has as few as it can.
    texts = (
        alt.Chart(alt.Data(name="texts"))
        .mark_text(
            lineHeight=ROW_HEIGHT, align="left", baseline="middle", fontSize=11, fontWeight="bold"
        )
        .encode(
            x=alt.X("at:Q", scale=None, axis=None),
            y=y,
            text="lines:N",
            color=alt.Color("colour:N", scale=None),
        )
    )
    chart = alt.layer(
        band,
        interval,
        line("england", ENGLAND_COLOUR, 1.5, [4, 3]),
        line("area", AREA_COLOUR, 2, [1, 0]),
        latest,
        texts,
    ).properties(width=TREND_WIDTH + LABELS_WIDTH, height=ROW_HEIGHT)
    return chart.configure(**CONFIG, mark=NO_MARK_ROLES).to_dict()


def _x_pixels(x: float, domain: tuple[int, int]) -> float:
    return TREND_WIDTH * (x - domain[0]) / (domain[1] - domain[0])


def trend_spec(rows: list[dict[str, Any]], x_domain: tuple[int, int]) -> dict[str, Any]:
    """One band chart for a theme: a row per indicator, each scaled to its own range.

    `rows`: per indicator, in display order, {"label": "NI 117", "area": [(x, value), ...],
    "england": [(x, value), ...], "interval": [(x, lower, upper), ...], "latest": "6.8"}: x a
    decimal year, pairs in time order, `area` not empty; `latest` the latest value as written
    beside the row. Each row is scaled from its lowest to its highest value (area, England and
    interval together). The plot is TREND_WIDTH wide and the x scale spans only that: the text
    on the right is beyond the x domain.
    """
    series: dict[str, list[dict[str, Any]]] = {name: [] for name in ("area", "england", "interval")}
    latest, bands = [], []
    inner = ROW_HEIGHT - 2 * ROW_PAD
    span = x_domain[1] - x_domain[0]
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT
        values = [v for name in ("area", "england") for _, v in row[name]]
        values += [v for _, lower, upper in row["interval"] for v in (lower, upper)]
        low, high = min(values), max(values)

        def at(value: float, top: int = top, low: float = low, high: float = high) -> float:
            share = 0.5 if high == low else (value - low) / (high - low)
            return round(top + ROW_PAD + inner * (1 - share), 2)

        def draw(points: list[dict], pairs: list[tuple[float, float]]) -> None:
            for x, value in pairs:
                points.append({"seq": len(points), "x": x, "y": at(value)})
            if pairs:
                points.append({"seq": len(points), "x": pairs[-1][0], "y": None})  # lift the pen

        draw(series["area"], row["area"])
        draw(series["england"], row["england"])
        x, value = row["area"][-1]
        draw(latest, [(x, value), (x, value)])
        limits = row["interval"]
        if len(limits) == 1:  # one period: a narrow box rather than a line of no width
            x, lower, upper = limits[0]
            limits = [(x - span / 200, lower, upper), (x + span / 200, lower, upper)]
        if limits:
            outline = [(x, upper) for x, _, upper in limits]
            outline += [(x, lower) for x, lower, _ in reversed(limits)]
            draw(series["interval"], outline)
        if index % 2 == 0:
            bands.append({"top": top, "bottom": top + ROW_HEIGHT})
    height = ROW_HEIGHT * max(len(rows), 1)
    spec = copy.deepcopy(_trend_template())
    spec["height"] = height

    middle = ROW_HEIGHT / 2
    spec["datasets"] = {
        **series,
        "latest": latest,
        "bands": bands,
        "texts": [
            {"at": -LABEL_MARGIN, "y": middle, "lines": [r["label"] for r in rows], "colour": "#1b1b1b"},
            {"at": TREND_WIDTH + 6, "y": middle, "lines": [r["latest"] for r in rows], "colour": AREA_COLOUR},
        ],
    }  # fmt: skip
    for layer in spec["layer"]:
        encoding = layer["encoding"]
        encoding["y"]["scale"].update(domain=[0, height], range=[0, height])
        if "field" in encoding["x"] and encoding["x"].get("scale") is not None:
            scale = encoding["x"]["scale"]
            scale["domain"] = list(x_domain)
            scale["range"] = [0, TREND_WIDTH]  # the texts on the right are outside the domain
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

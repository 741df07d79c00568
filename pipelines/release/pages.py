"""The HTML of the release site: the index, area and indicator pages, drawn with Jinja2.

Pure functions from plain data (dicts and lists that `site.py` reads from the release) to HTML
text, so that pages can be drawn in worker processes. All the HTML is in `templates/`: a page
template each (`index.html`, `area.html`, `indicator.html`, framed by `page.html`), the cells
and tables in `cells.html`, the charts' figures in `figures.html`. The templates are
autoescaped: every value a template writes is escaped unless it is already HTML (a macro's
output or a chart from `charts.render_svg`). This module only shapes the data and draws the
charts; links are built only from codes `site.py` has validated.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from functools import cache
from itertools import groupby
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from . import cells, charts

# A value's comparison with England (its 95 % interval against England's value, the
# warehouse's judgement) in words, and the class that colours its cell (templates/site.css).
# The words always go with the colour: colour is never the only carrier of the meaning.
COMPARISONS = {
    "better": ("Better than England", "cmp-better"),
    "similar": ("Similar to England", "cmp-similar"),
    "worse": ("Worse than England", "cmp-worse"),
    "higher": ("Higher than England", "cmp-higher"),
    "lower": ("Lower than England", "cmp-lower"),
    "not_compared": ("Not compared", "cmp-none"),
}
CI_METHODS = {
    "wilson": "Wilson score interval",
    "byar": "Byar's method",
    "exact_poisson": "exact Poisson interval",
    "as_returned": "as returned with the values",
}
TRENDS = {"increasing": "Increasing", "decreasing": "Decreasing"}
TREND_DIRECTIONS = {"getting_better": "getting better", "getting_worse": "getting worse"}


def comparison(code: str | None) -> str | None:
    """A comparison with England as words: 'better' -> 'Better than England'; None if none."""
    if code is None:
        return None
    return COMPARISONS[code][0] if code in COMPARISONS else cells.words(code)


def comparison_class(code: str | None) -> str:
    """The classes of a comparison's cell: 'cmp cmp-better'; 'cmp' alone for no known code."""
    return f"cmp {COMPARISONS[code][1]}" if code in COMPARISONS else "cmp"


def ci_method(code: str | None) -> str | None:
    """How an indicator's confidence intervals are made, as words; None if they are not."""
    return None if code is None else CI_METHODS.get(code) or cells.words(code)


def recent_trend(row: Mapping[str, Any]) -> str | None:
    """A figure's recent trend as words: 'Increasing and getting better', 'No significant
    change', 'Cannot be calculated: <why>'; None when there is none."""
    trend, note = row["recent_trend"], row["recent_trend_note"]
    if trend is None:
        return None
    if trend == "cannot_be_calculated":
        return f"Cannot be calculated: {note}" if note else "Cannot be calculated"
    text = TRENDS.get(trend) or cells.words(trend)
    direction = row["recent_trend_direction"]
    if direction is not None:
        text += " and " + (TREND_DIRECTIONS.get(direction) or cells.words(direction, False))
    return text


class LeagueRow(NamedTuple):
    """An area's value for one period, a row of an indicator page's league table.

    `site.py` makes them from `caa_area_performance`. A tuple, not a dict, because a template
    reads `row.value` as an attribute first: on a dict that fails before the key is tried,
    and an indicator page has hundreds of rows (the demo site 130,000 in all).
    """

    area_code: str
    ni_code: str
    period_id: str
    value: float | None
    england_value: float | None
    quartile: int | None
    rank: int | None
    areas_ranked: int | None
    previous_period_id: str | None
    previous_value: float | None
    direction_of_travel: str | None
    ci_lower_95: float | None
    ci_upper_95: float | None
    ci_note: str | None
    england_comparison: str | None
    period_label: str | None
    previous_label: str | None
    polarity: str | None
    area_name: str
    region_name: str


def _as_text(value: Any) -> Any:
    """How a template writes `{{ value }}`: None as nothing, and text with quotes escaped.

    Escaping stays automatic: autoescape runs every value through this, then through
    MarkupSafe, which escapes what is left. Text with quotes is escaped here, by the standard
    library, only to keep the spelling the published pages have always had: html.escape
    writes ' and " as &#x27; and &quot;, MarkupSafe as &#39; and &#34; (both correct HTML;
    < > & come out the same from both). So the same data keeps giving the same bytes.
    """
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return value
    text = str(value)
    if "'" in text or '"' in text:
        return Markup(html.escape(text))  # escaped just now, so safe
    return text


@cache
def environment() -> jinja2.Environment:
    """The site's templates: autoescaped, undefined names an error, cells.py's filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, "templates"),
        autoescape=True,
        finalize=_as_text,
        undefined=jinja2.StrictUndefined,
        # Block tags on lines of their own leave no trace; the files keep their last newline.
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(cells.FILTERS)
    env.filters.update(
        comparison=comparison,
        comparison_class=comparison_class,
        ci_method=ci_method,
        recent_trend=recent_trend,
    )
    return env


def _render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def index_page(meta: dict, areas: list[dict], indicators: list[dict], published: set[str]) -> str:
    """`index.html`: the release, its files, areas by region and indicators by theme."""
    return _render(
        "index.html",
        release=meta,
        area_count=len(areas),
        regions=[(r, list(g)) for r, g in groupby(areas, key=lambda a: a["region_name"])],
        themes=[(t, list(g)) for t, g in groupby(indicators, key=lambda i: i["theme"])],
        published=published,
    )


def _trend_figure(
    number_: int, theme: str, area_name: str, rows: list[dict], domain: tuple[int, int]
) -> dict[str, Any] | None:
    """The chart of a theme's trends on an area page and the rows drawn; None if none."""
    drawn = [r for r in rows if r["trend"]]
    if not drawn:
        return None
    chart_rows = []
    for r in drawn:
        with_england = r["aggregation"] != "sum"
        chart_rows.append(
            {
                "label": f"NI {r['ni_number']}",
                "area": [(x, v) for _, x, v, _ in r["trend"]],
                "england": [(x, e) for _, x, _, e in r["trend"] if e is not None and with_england],
            }
        )
    name = f"Trends in {theme} for {area_name}: one row for each of {len(drawn)} indicators"
    spec = charts.trend_spec(chart_rows, domain)
    return {"chart": charts.render_svg(spec, f"trend-{number_}", name), "rows": drawn}


def area_page(payload: dict[str, Any]) -> str:
    """`areas/<area_code>.html`: the area's latest values by theme, with their trends."""
    name = payload["area"]["area_name"]
    themes = [
        {
            **section,
            "figure": _trend_figure(
                i, section["theme"], name, section["rows"], payload["x_domain"]
            ),
        }
        for i, section in enumerate(payload["themes"], 1)
    ]
    return _render(
        "area.html",
        release=payload["release"],
        area=payload["area"],
        themes=themes,
        indicator_count=payload["indicator_count"],
    )


def _distribution_figure(
    indicator: dict[str, Any], period: dict[str, Any]
) -> dict[str, Any] | None:
    """The histogram of the areas' values for one period (`site.py`'s section of an indicator
    page) and its bins; None if none."""
    values = [r.value for r in period["league"] if r.value is not None]
    bins = charts.histogram_bins(values)
    if not bins:
        return None
    england = period["england"] or {}
    marker, marker_name = england.get("median_area_value"), "Median of areas"
    if england.get("value") is not None and indicator["aggregation"] != "sum":
        marker, marker_name = england["value"], "England"
    marker_text = None
    if marker is not None:
        marker_text = f"{marker_name} {cells.number(marker, 1, trim=False)}"
    label = period["label"]
    name = f"Histogram of {len(values)} areas' values of NI {indicator['ni_number']}, {label}"
    name += f", with the {marker_text} marked" if marker is not None else ""
    spec = charts.distribution_spec(bins, marker, marker_text or "")
    return {
        "chart": charts.render_svg(spec, "distribution", name),
        "bins": bins,
        "places": charts.edge_places(bins),
        "count": len(values),
        "marker_text": marker_text,
    }


def indicator_page(payload: dict[str, Any]) -> str:
    """`indicators/ni-<n>.html`: England, regions, MAAs and every area, for every period.

    `payload["periods"]`: a section per period, newest first; only the newest has a chart
    (the distribution of its areas' values): the charts are the cost of a site.
    """
    return _render(
        "indicator.html",
        **payload,
        distribution=_distribution_figure(payload["indicator"], payload["periods"][0]),
    )


def render_page(job: tuple[str, dict[str, Any]]) -> str:
    """One page's HTML from (kind, payload): a top-level function, for worker processes."""
    kind, payload = job
    return {"area": area_page, "indicator": indicator_page}[kind](payload)

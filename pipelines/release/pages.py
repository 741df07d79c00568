"""The HTML of the release site: the index, area, indicator and league pages, drawn with Jinja2.

Pure functions from plain data (dicts and lists that `site.py` reads from the release) to the
text of the files a job writes (its pages and the CSV files of their tables, `site_csv.py`),
so that pages can be drawn in worker processes. All the HTML is in `templates/`: a page
template each (`index.html`, `area.html`, `indicator.html`, `league.html`, framed by
`page.html`), the cells and tables in `cells.html`, the charts' figures in `figures.html`;
the scripts the pages load (`search.js`, `sort.js`) are there too, copied as they are. The
templates are autoescaped: every value a template writes is escaped unless it is already HTML
(a macro's output or a chart from `charts.render_svg` / `cartogram.cartogram_chart`). This
module only shapes the data and draws the charts; links and file names are built only from
codes `site.py` has validated.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from functools import cache
from itertools import groupby
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from . import cells, charts, map_figure, site_csv

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


def neighbours_comparison(code: str | None) -> str | None:
    """A comparison with the statistical neighbours as words: 'Better than neighbours'."""
    words = comparison(code)
    return (
        None
        if words is None
        else words.replace("than England", "than neighbours").replace("to England", "to neighbours")
    )


def comparison_class(code: str | None) -> str:
    """The classes of a comparison's cell: 'cmp cmp-better'; 'cmp' alone for an unknown code,
    'none' for no comparison (England's own row)."""
    if code is None:
        return "none"
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
        neighbours_comparison=neighbours_comparison,
        comparison_class=comparison_class,
        ci_method=ci_method,
        recent_trend=recent_trend,
    )
    return env


def _render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def index_page(meta: dict, areas: list[dict], indicators: list[dict], published: set[str]) -> str:
    """`index.html`: search first, then the release, its files, areas by region and
    indicators by theme (the lists are what a reader without scripts uses)."""
    return _render(
        "index.html",
        release=meta,
        root="",
        area_count=len(areas),
        regions=[(r, list(g)) for r, g in groupby(areas, key=lambda a: a["region_name"])],
        themes=[(t, list(g)) for t, g in groupby(indicators, key=lambda i: i["theme"])],
        published=published,
    )


def _trend_figure(
    number_: int, theme: str, area_name: str, rows: list[dict], domain: tuple[int, int]
) -> dict[str, Any] | None:
    """The chart of a theme's trends on an area page and the rows drawn; None if none.

    Each row's trend: [(period label, x, value, England value, lower, upper)], oldest first.
    """
    drawn = [r for r in rows if any(point[2] is not None for point in r["trend"])]
    if not drawn:
        return None
    chart_rows = []
    for r in drawn:
        with_england = r["aggregation"] != "sum"
        area = [(x, v) for _, x, v, _, _, _ in r["trend"] if v is not None]
        england = [(x, e) for _, x, _, e, _, _ in r["trend"] if e is not None and with_england]
        interval = [
            (x, lower, upper)
            for _, x, v, _, lower, upper in r["trend"]
            if v is not None and lower is not None and upper is not None
        ]
        chart_rows.append(
            {
                "label": f"NI {r['ni_number']}",
                "area": area,
                "england": england,
                "interval": interval,
                "latest": cells.area_value(area[-1][1]) or "",
            }
        )
    name = f"Trends in {theme} for {area_name}: one row for each of {len(drawn)} indicators"
    return {"chart": charts.draw_trend(chart_rows, domain, f"trend-{number_}", name), "rows": drawn}


def area_page(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """`areas/<area_code>.html`, with its trends, and the CSV of its latest values."""
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
    page = _render(
        "area.html",
        release=payload["release"],
        root="../",
        area=payload["area"],
        themes=themes,
        indicator_count=payload["indicator_count"],
        with_neighbours=payload["with_neighbours"],
        csv_name=payload["csv"].rsplit("/", 1)[1],
    )
    table = site_csv.area_csv(payload["themes"], payload["with_neighbours"])
    return [(payload["html"], page), (payload["csv"], table)]


def _distribution_figure(
    indicator: dict[str, Any], period: dict[str, Any]
) -> dict[str, Any] | None:
    """The histogram of the areas' values for one period and its bins; None if none."""
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


def _league_page(payload: dict[str, Any], period: dict[str, Any], latest: bool) -> str:
    return _render(
        "league.html",
        release=payload["release"],
        root="../../",
        indicator=payload["indicator"],
        period=period,
        periods=payload["periods"],
        latest=latest,
        elsewhere=payload["elsewhere"] if latest else [],
        distribution=_distribution_figure(payload["indicator"], period) if latest else None,
        map=map_figure.map_figure(payload["indicator"], period) if latest else None,
        folder=payload["folder"],
    )


def indicator_pages(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """`indicators/ni-<n>.html` (the indicator and its periods) and, for each period,
    `indicators/ni-<n>/<period>.html` (its league table; the newest also the map and the
    distribution of values), each with its CSV files.

    `payload["periods"]`: a section per period, newest first. Only the newest has charts:
    the charts are the cost of a site.
    """
    files = [
        (
            payload["html"],
            _render("indicator.html", **payload, root="../", csv_name=payload["csv"].rsplit("/", 1)[1]),
        ),
        (payload["csv"], site_csv.periods_csv(payload["periods"])),
    ]  # fmt: skip
    for index, period in enumerate(payload["periods"]):
        files.append((period["html"], _league_page(payload, period, index == 0)))
        files.append((period["csv"], site_csv.league_csv(period["league"])))
        files.append((period["groups_csv"], site_csv.groups_csv(period)))
    return files


def render_page(job: tuple[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """One job's files as (path in the site, text): a top-level function, for workers."""
    kind, payload = job
    return {"area": area_page, "indicator": indicator_pages}[kind](payload)

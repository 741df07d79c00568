"""The HTML of the release site: the index, area and indicator pages (cells: cells.py).

Pure functions from plain data (dicts and lists that `site.py` reads from the release) to HTML
text, so that pages can be drawn in worker processes. The fixed text lives in `templates/`
(`string.Template`, filled only with HTML this module built); every text from the data goes
through `esc`, and links are built only from codes `site.py` has validated.
"""

from __future__ import annotations

from functools import cache
from itertools import groupby
from pathlib import Path
from string import Template
from typing import Any

from . import charts
from .cells import (
    AGGREGATION,
    NO_VALUE,
    NUMBERS_NOTE,
    area_value,
    comparator,
    direction,
    esc,
    group_value,
    number,
    quartile,
    rank,
    table,
    target,
    text_or_none,
    words,
)

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def fill(name: str, **parts: Any) -> str:
    """A template from `templates/` with `parts` (HTML, already escaped) put in."""
    return _template(name).substitute(**{k: str(v) for k, v in parts.items()})


def page(title: str, crumbs: list[tuple[str, str]], body: str, release: dict[str, str]) -> str:
    """The frame of every page: head with the style sheet, breadcrumb trail, body, footer."""
    trail = "".join(
        f'<li><a href="{href}">{esc(text)}</a></li>' if href else f"<li>{esc(text)}</li>"
        for text, href in crumbs
    )
    style = (TEMPLATES / "site.css").read_text(encoding="utf-8")
    meta = {k: esc(v) for k, v in release.items()}
    return fill("page.html", title=esc(title), crumbs=trail, body=body, style=style, **meta)


def index_page(meta: dict, areas: list[dict], indicators: list[dict], published: set[str]) -> str:
    """`index.html`: the release, its files, areas by region and indicators by theme."""
    area_parts = []
    for region, group in groupby(areas, key=lambda a: a["region_name"]):
        links = "".join(
            f'<li><a href="areas/{a["area_code"]}.html">{esc(a["area_name"])}</a></li>'
            for a in group
        )
        area_parts.append(f'<h3>{esc(region)}</h3><ul class="cols">{links}</ul>')
    indicator_parts = []
    for theme, group in groupby(indicators, key=lambda i: i["theme"]):
        items = []
        for i in group:
            text = f"NI {i['ni_number']}: {esc(i['title'])}"
            if i["ni_code"] in published:
                items.append(f'<li><a href="indicators/ni-{i["ni_number"]}.html">{text}</a></li>')
            else:
                items.append(f'<li>{text} <span class="note">(no published values)</span></li>')
        indicator_parts.append(f"<h3>{esc(theme)}</h3><ul>{''.join(items)}</ul>")
    body = fill(
        "index.html",
        **{k: esc(v) for k, v in meta.items()},
        area_count=len(areas),
        areas="".join(area_parts) or "<p>No area has a published value.</p>",
        indicator_count=len(published),
        indicators="".join(indicator_parts),
    )
    return page("Release " + meta["release_id"], [(meta["release_id"], "")], body, meta)


def _trend_figure(number_: int, theme: str, area_name: str, rows: list[dict], domain) -> str:
    """The chart of a theme's trends on an area page, with a table of the values drawn."""
    drawn = [r for r in rows if r["trend"]]
    if not drawn:
        return ""
    chart_rows, data_rows = [], []
    for r in drawn:
        with_england = r["aggregation"] != "sum"
        chart_rows.append(
            {
                "label": f"NI {r['ni_number']}",
                "area": [(x, v) for _, x, v, _ in r["trend"]],
                "england": [(x, e) for _, x, _, e in r["trend"] if e is not None and with_england],
            }
        )
        for label, _, v, e in r["trend"]:
            england = group_value(e) if with_england else "total; not drawn"
            data_rows.append(
                f'<tr><th scope="row">NI {r["ni_number"]}</th><td>{esc(label)}</td>'
                f'<td class="num">{area_value(v)}</td><td class="num">{england}</td></tr>'
            )
    name = f"Trends in {theme} for {area_name}: one row for each of {len(drawn)} indicators"
    svg = charts.render_svg(charts.trend_spec(chart_rows, domain), f"trend-{number_}", name)
    head = ["Indicator", "Period", esc(area_name), "England"]
    caption = f"Values drawn in the chart: {esc(theme)}, {esc(area_name)}"
    data = table(caption, head, data_rows, {2, 3})
    return fill("trend_figure.html", theme=esc(theme), area_name=esc(area_name), svg=svg, data=data)


def area_page(payload: dict[str, Any]) -> str:
    """`areas/<area_code>.html`: the area's latest values by theme, with their trends."""
    area, release = payload["area"], payload["release"]
    name = area["area_name"]
    toc, sections = [], []
    for i, section in enumerate(payload["themes"], 1):
        theme = section["theme"]
        toc.append(f'<li><a href="#theme-{i}">{esc(theme)}</a></li>')
        rows = [
            f'<tr><th scope="row"><a class="code" href="../indicators/ni-{r["ni_number"]}.html">'
            f'NI {r["ni_number"]}</a> <span class="title">{esc(r["title"])}</span></th>'
            f"<td>{esc(r['period_label'] or r['period_id'])}</td>"
            f'<td class="num">{area_value(r["value"])}</td>'
            f'<td class="num">{comparator(r["england_value"], r["aggregation"])}</td>'
            f'<td class="num">{comparator(r["region_value"], r["aggregation"])}</td>'
            f'<td>{quartile(r)}</td><td class="nw">{rank(r)}</td><td>{direction(r)}</td>'
            f"<td>{target(r)}</td></tr>"
            for r in section["rows"]
        ]
        head = ["Indicator", "Period", "Value", "England", "Region", "Quartile", "Rank"]
        head += ["Direction of travel", "Target"]
        caption = f"{esc(theme)}: latest published values for {esc(name)}"
        figure = _trend_figure(i, theme, name, section["rows"], payload["x_domain"])
        sections.append(
            f'<section aria-labelledby="theme-{i}"><h2 id="theme-{i}">{esc(theme)}</h2>'
            f"{table(caption, head, rows, {2, 3, 4})}{figure}</section>"
        )
    body = fill(
        "area.html",
        area_name=esc(name),
        area_code=esc(area["area_code"]),
        area_type=words(area["area_type"]),
        region_name=esc(area["region_name"]),
        maas=", ".join(esc(m) for m in area["maas"]) or "none",
        indicator_count=payload["indicator_count"],
        numbers_note=NUMBERS_NOTE,
        toc="".join(toc),
        sections="".join(sections),
    )
    crumbs = [(f"Release {release['release_id']}", "../index.html")]
    crumbs += [("Areas", "../index.html#areas"), (name, "")]
    return page(name, crumbs, body, release)


def _group_rows(groups: list[dict[str, Any]]) -> list[str]:
    return [
        f'<tr><th scope="row">{esc(g["group_name"])}</th>'
        f'<td class="num">{group_value(g["value"])}</td>'
        f'<td class="num">{group_value(g["median_area_value"])}</td>'
        f'<td class="num">{g["areas_reporting"]} of {g["areas_expected"]}</td></tr>'
        for g in groups
    ]


def _league(caption: str, rows: list[dict[str, Any]], with_period: bool) -> str:
    head = ["Rank", "Area", "Region"] + ["Period"] * with_period
    head += ["Value", "Quartile", "Direction of travel"]
    cells = [
        f'<tr><td class="num">{esc(r["rank"]) or "not ranked"}</td>'
        f'<th scope="row"><a href="../areas/{r["area_code"]}.html">{esc(r["area_name"])}</a></th>'
        f"<td>{esc(r['region_name'])}</td>"
        + (f"<td>{esc(r['period_label'] or r['period_id'])}</td>" if with_period else "")
        + f'<td class="num">{area_value(r["value"])}</td><td>{quartile(r)}</td>'
        f"<td>{direction(r)}</td></tr>"
        for r in rows
    ]
    return table(caption, head, cells, {0, 3 + with_period})


def _distribution_figure(indicator: dict[str, Any], payload: dict[str, Any]) -> str:
    """The histogram of the areas' values on an indicator page, with a table of its bins."""
    values = [r["value"] for r in payload["league"] if r["value"] is not None]
    bins = charts.histogram_bins(values)
    if not bins:
        return ""
    england = payload["england"] or {}
    marker, marker_name = england.get("median_area_value"), "Median of areas"
    if england.get("value") is not None and indicator["aggregation"] != "sum":
        marker, marker_name = england["value"], "England"
    marker_text = f"{marker_name} {number(marker, 1, trim=False)}" if marker is not None else ""
    places = charts.edge_places(bins)
    rows = [
        f'<tr><td class="num">{number(s, places)}</td><td class="num">{number(e, places)}</td>'
        f'<td class="num">{n}</td></tr>'
        for s, e, n in bins
    ]
    period = payload["period_label"]
    name = f"Histogram of {len(values)} areas' values of NI {indicator['ni_number']}, {period}"
    name += f", with the {marker_text} marked" if marker is not None else ""
    spec = charts.distribution_spec(bins, marker, marker_text)
    caption = f"Number of areas by value, {esc(period)} (each range includes its start"
    caption += "; the last also its end)"
    return fill(
        "distribution_figure.html",
        count=len(values),
        period=esc(period),
        marked=f'; <span class="key-marker">dashed red line</span>: {esc(marker_text)}'
        if marker is not None
        else "",
        svg=charts.render_svg(spec, "distribution", name),
        data=table(caption, ["From", "To", "Number of areas"], rows, {0, 1, 2}),
    )


def indicator_page(payload: dict[str, Any]) -> str:
    """`indicators/ni-<n>.html`: England, regions, MAAs and every area for the latest period."""
    indicator, release, england = payload["indicator"], payload["release"], payload["england"]
    code = f"NI {indicator['ni_number']}"
    period = esc(payload["period_label"])
    england_text = NO_VALUE
    if england:
        england_text = (
            f"{group_value(england['value'])} ({england['areas_reporting']} of "
            f"{england['areas_expected']} areas reporting; median of areas "
            f"{group_value(england['median_area_value'])})"
        )
    group_head = ["Group", "Value", "Median of areas", "Areas reporting"]
    maas = payload["maas"]
    order = "best first"
    if indicator["polarity"] == "neither":
        order = "not ranked (neither higher nor lower is better): highest value first"
    league = _league(
        f"All {len(payload['league'])} areas with a published value for {period}, {order}",
        payload["league"],
        False,
    )
    earlier = ""
    if payload["earlier"]:
        earlier = "<h2>Areas whose latest published value is for an earlier period</h2>"
        earlier += _league("Ranked among the areas of their own period", payload["earlier"], True)
    body = fill(
        "indicator.html",
        code=code,
        title=esc(indicator["title"]),
        theme=text_or_none(indicator["theme"]),
        polarity=words(indicator["polarity"]),
        unit=text_or_none(indicator["unit"]),
        period_type=words(indicator["period_type"]),
        collection=text_or_none(indicator["collection"]),
        aggregation=text_or_none(
            AGGREGATION.get(indicator["aggregation"], indicator["aggregation"])
        ),
        numbers_note=NUMBERS_NOTE,
        period=period,
        england=england_text,
        distribution=_distribution_figure(indicator, payload),
        regions=table(
            f"{code} by region, {period}", group_head, _group_rows(payload["regions"]), {1, 2, 3}
        ),
        maas=table(
            f"{code} by multi-area agreement (MAA), {period}",
            group_head,
            _group_rows(maas),
            {1, 2, 3},
        )
        if maas
        else "<p>No MAA values for this period.</p>",
        league=league,
        earlier=earlier,
    )
    crumbs = [(f"Release {release['release_id']}", "../index.html")]
    crumbs += [("Indicators", "../index.html#indicators"), (code, "")]
    return page(f"{code}: {indicator['title']}", crumbs, body, release)


def render_page(job: tuple[str, dict[str, Any]]) -> str:
    """One page's HTML from (kind, payload): a top-level function, for worker processes."""
    kind, payload = job
    return {"area": area_page, "indicator": indicator_page}[kind](payload)

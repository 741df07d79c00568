"""The files beside the site's pages: a CSV for each table, and the search's index.

Each CSV holds the rows of its page's table in the page's order, with the figures unrounded
and codes as codes (the page shows them rounded and in words): numbers in full as Python
writes them (`64.6312008398358`), empty cells for no value, `true`/`false`, and text cells
that a spreadsheet would run as a formula given a leading apostrophe (`cells.spreadsheet_safe`,
the release's data files' rule). UTF-8, comma separated, quoted where needed, `\\n` line ends.

The search index is a script that sets one global, `NIW_SEARCH_INDEX`: a page opened from
disk (file://) cannot fetch a JSON file in Chromium, but it can load a script. Its texts are
JSON strings with `<`, `>` and `&` escaped, so the file is inert data whatever the names hold.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .cells import FORMULA_STARTS, spreadsheet_safe

FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character
AREA_COLUMNS = (
    "theme", "ni_code", "ni_number", "indicator_title", "period_id", "period_label", "value",
    "ci_lower_95", "ci_upper_95", "ci_note", "england_value", "england_comparison",
    "recent_trend", "recent_trend_direction", "recent_trend_note", "region_value",
    "quartile", "rank", "areas_ranked", "previous_period_id", "previous_value",
    "direction_of_travel", "target_value", "target_status", "is_illustrative",
)  # fmt: skip
NEIGHBOUR_COLUMNS = (
    "neighbours_value", "neighbours_ci_lower_95", "neighbours_ci_upper_95",
    "neighbours_reporting", "neighbours_rank", "neighbours_ranked", "neighbours_comparison",
)  # fmt: skip
LEAGUE_COLUMNS = (
    "rank", "area_code", "area_name", "region_name", "value", "ci_lower_95", "ci_upper_95",
    "ci_note", "england_value", "england_comparison", "quartile", "areas_ranked",
    "previous_period_id", "previous_value", "direction_of_travel",
)  # fmt: skip
GROUP_COLUMNS = (
    "group_type", "group_code", "group_name", "value", "ci_lower_95", "ci_upper_95",
    "ci_note", "england_comparison", "median_area_value", "areas_reporting", "areas_expected",
)  # fmt: skip
PERIOD_COLUMNS = (
    "period_id", "period_label", "england_value", "ci_lower_95", "ci_upper_95", "ci_note",
    "areas_reporting", "areas_expected", "median_area_value", "areas_with_value",
)  # fmt: skip


def cell(value: Any) -> str:
    """One CSV cell: '' for no value, numbers in full, text made spreadsheet-safe.

    By exact type, commonest first: a site has ~350,000 cells (bool before int: it is one).
    """
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in FORMULA_FIRST else value
    if kind is float:
        return repr(value) if math.isfinite(value) else ""
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    return spreadsheet_safe(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def area_csv(themes: list[dict], with_neighbours: bool) -> str:
    """An area page's latest values, theme by theme as the page shows them."""
    names = AREA_COLUMNS + (NEIGHBOUR_COLUMNS if with_neighbours else ())
    rows = []
    for section in themes:
        for r in section["rows"]:
            row = {**r, "indicator_title": r["title"], "period_label": r["period_label"] or r["period_id"]}  # fmt: skip
            rows.append([row.get(name) for name in names])
    return csv_text(names, rows)


def league_csv(league: list) -> str:
    """A league table's rows, best first (LeagueRow tuples)."""
    return csv_text(LEAGUE_COLUMNS, ([getattr(r, n) for n in LEAGUE_COLUMNS] for r in league))


def groups_csv(section: Mapping[str, Any]) -> str:
    """A period's England, region and MAA values, as the page's tables list them."""
    groups = [g for g in [section["england"]] if g] + section["regions"] + section["maas"]
    return csv_text(GROUP_COLUMNS, ([g.get(n) for n in GROUP_COLUMNS] for g in groups))


def periods_csv(sections: list[dict]) -> str:
    """An indicator page's table of periods, newest first: England's value and the counts."""
    rows = []
    for s in sections:
        england = s["england"] or {}
        rows.append(
            [s["period_id"], s["label"], england.get("value"), england.get("ci_lower_95"),
             england.get("ci_upper_95"), england.get("ci_note"), england.get("areas_reporting"),
             england.get("areas_expected"), england.get("median_area_value"), len(s["league"])]
        )  # fmt: skip
    return csv_text(PERIOD_COLUMNS, rows)


def search_index(areas: list[dict], indicators: list[dict], published: set[str]) -> str:
    """search-index.js: every area with a page [code, name, region] and every indicator
    [number, title, theme, has a page (1 or 0)], as a script setting NIW_SEARCH_INDEX."""
    index = {
        "areas": [[a["area_code"], a["area_name"], a["region_name"]] for a in areas],
        "indicators": [
            [i["ni_number"], i["title"], i["theme"], int(i["ni_code"] in published)]
            for i in sorted(indicators, key=lambda i: i["ni_number"])
        ],
    }
    text = json.dumps(index, ensure_ascii=True, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return (
        "// The search's index, for search.js: a script, because a page opened from disk\n"
        "// cannot fetch a JSON file. areas: [code, name, region]; indicators: [number,\n"
        "// title, theme, 1 if it has a page].\n"
        f"window.NIW_SEARCH_INDEX = {text};\n"
    )

"""Escaping is the default: text from the data or from senders never reaches a page as markup.

The release site (`build_site`, from the small release of `site_fixtures` with hostile text
put into every text field the pages show) and the quality report (`record_outcomes` and
`write_report`, from real suites with hostile failing rows) are drawn by the real code; each
hostile text must be absent as written and present in its escaped form.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from markupsafe import escape
from site_fixtures import HOSTILE_AREA, HOSTILE_TITLE, PageReader, make_small_release_tables

from pipelines.quality.gx_runner import ExpectationOutcome, SuiteOutcome
from pipelines.quality.report_page import record_outcomes, write_report
from pipelines.quality.suites import load_suites
from pipelines.release.site import build_site

SCRIPT = '"><script>alert(1)</script>'
IMG_FILE = "<img src=x onerror=alert(1)>.csv"
# (table, column, where, hostile text): every text field of the release the pages write.
SITE_FIELDS = [
    ("dim_area", "region", "region_code = 'E12000007'", "London <b onclick=alert('region')>"),
    ("fct_group_values", "group_name", "group_code = 'E12000007'", "London <i onclick=alert(2)>"),
    ("dim_area", "area_type", "area_code = 'E06000001'", f"unitary{SCRIPT}"),
    ("dim_indicator", "theme", "ni_code = 'NI 117'", f"Children & young people {SCRIPT}"),
    ("dim_indicator", "unit", "ni_code = 'NI 8'", "<svg onload=alert('unit')>"),
    ("dim_indicator", "collection", "ni_code = 'NI 117'", "</td><script>alert(3)</script>"),
    ("dim_period", "label", "period_id = '2009-10'", "2009/10 <iframe src=x>"),
    ("dim_maa", "maa_name", "true", "Tees Valley <script>alert('maa')</script>"),
    (
        "caa_area_performance",
        "direction_of_travel",
        "area_code = 'E06000001'",
        'up" onclick="alert(4)',
    ),  # fmt: skip
    (
        "caa_area_performance",
        "target_status",
        "target_value is not null",
        'met" onclick="alert(5)',
    ),  # fmt: skip
    ("caa_area_performance", "ci_note", "ni_code = 'NI 185'", "no method <script>alert('ci')</script>"),
    ("fct_group_values", "ci_note", "ni_code = 'NI 185'", "<b>no interval</b> for groups"),
    ("caa_area_performance", "recent_trend_note", "recent_trend = 'cannot_be_calculated'", "too few <img src=x onerror=alert('trend')>"),
    ("caa_area_performance", "recent_trend", "recent_trend = 'no_significant_change'", 'rising" onclick="alert(7)'),
    ("caa_area_performance", "recent_trend_direction", "recent_trend_direction = 'getting_worse'", "<u onclick=alert(8)>worse</u>"),
    ("caa_area_performance", "england_comparison", "area_code = 'E06000002'", 'better" onmouseover="alert(6)'),
    ("fct_group_values", "england_comparison", "group_type = 'maa'", "<i>similar</i>"),
    ("dim_indicator", "ci_method", "ni_code = 'NI 8'", "wilson <script>alert('method')</script>"),
    ("dim_indicator", "value_type", "ni_code = 'NI 8'", "proportion <iframe src=x>"),
]  # fmt: skip
RELEASE_SOURCE = "L1 <script>alert('load')</script>"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> dict[str, str]:
    """The site of the small release with hostile text in every field: {page: HTML}."""
    site_dir = tmp_path_factory.mktemp("hostile") / "site"
    con = duckdb.connect()
    try:
        expected = make_small_release_tables(con)
        for table, column, where, text in SITE_FIELDS:
            con.execute(f"update {table} set {column} = ? where {where}", [text])  # noqa: S608
        release = {**expected["release"], "source_load": RELEASE_SOURCE}
        build_site(con, site_dir, release, workers=1)
    finally:
        con.close()
    return {
        p.relative_to(site_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site_dir.rglob("*.html"))
    }


def _hostile_site_texts() -> list[str]:
    return [HOSTILE_AREA, HOSTILE_TITLE, RELEASE_SOURCE] + [f[3] for f in SITE_FIELDS]


@pytest.mark.parametrize("text", _hostile_site_texts())
def test_site_escapes_every_text_from_the_data(hostile_site, text):
    for name, source in hostile_site.items():
        assert text not in source, name
    # codes are shown as words, capitalised ('unitary...' -> 'Unitary...'); the rest as it is
    shown = {html.escape(text), html.escape(text[:1].upper() + text[1:])}
    pages = [name for name, source in hostile_site.items() if any(s in source for s in shown)]
    assert pages, f"{text!r} is not on any page, escaped"


class _Markup(HTMLParser):
    """The elements and attribute names of a page."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_site_pages_hold_no_markup_from_the_data(hostile_site):
    scripts = r'<script src="(?:\.\./)*(?:search-index|search|sort)\.js"></script>'
    for name, source in hostile_site.items():
        # the site's own scripts, by src and empty, are the only script elements
        markup = _Markup(re.sub(scripts, "", source))
        assert not markup.tags & {"script", "img", "iframe", "b", "i", "u"}, name
        assert not [a for a in markup.attributes if a.startswith("on")], name
        assert "<svg onload" not in source, name
    # each kind of page shows the hostile texts it holds, as text
    area = PageReader(hostile_site["areas/E06000001.html"])
    assert "Unitary" + SCRIPT in area.text and "Tees Valley <script>" in area.text
    assert f"Children & young people {SCRIPT}" in area.text
    assert 'Up" onclick="alert(4)' in area.text and 'met" onclick="alert(5)' in area.text
    indicator = PageReader(hostile_site["indicators/ni-117.html"])
    assert "</td><script>alert(3)</script>" in indicator.text
    assert "2009/10 <iframe src=x>" in indicator.text
    league = PageReader(hostile_site["indicators/ni-117/2009-10.html"])
    assert HOSTILE_AREA in league.text and "London <i onclick=alert(2)>" in league.text
    assert "2009/10 <iframe src=x>" in league.text and "2009/10 <iframe src=x>" in league.title
    assert "<svg onload=alert('unit')>" in PageReader(hostile_site["indicators/ni-8.html"]).text
    assert HOSTILE_TITLE in PageReader(hostile_site["indicators/ni-185.html"]).text
    index = PageReader(hostile_site["index.html"])
    assert HOSTILE_AREA in index.text and "London <b onclick=alert('region')>" in index.text
    assert RELEASE_SOURCE in index.text
    # a chart's accessible name holds the theme and the area's name, escaped like the page
    title = '<title id="trend-1-title">Trends in ' + html.escape(
        f"Children & young people {SCRIPT}"
    )
    assert title in hostile_site["areas/E06000001.html"]


def _suite(name: str):
    return next(s for s in load_suites() if s.name == name)


def _outcome(suite, rows: list[dict], error: str | None = None) -> SuiteOutcome:
    first = suite.definition["expectations"][0]
    meta = first["meta"]
    expectation = ExpectationOutcome(
        rule=meta["rule"],
        expectation=first["type"],
        severity=first.get("severity", "critical"),
        success=False,
        element_count=100,
        unexpected_count=len(rows) + 5,
        notes=first["notes"],
        warning_template=meta.get("warning"),
        failing_rows=rows,
        error=error,
    )
    return SuiteOutcome(suite, False, [expectation], rows_checked=100)


def test_quality_report_escapes_senders_text(tmp_path: Path):
    quality = tmp_path / "quality"
    returns = _suite("anomalies_return_files")  # a warning suite: rows become messages
    accepted = _suite("ingest_accepted_values")  # a blocking suite: rows become a table
    assert "{path}" in returns.definition["expectations"][0]["meta"]["warning"]
    outcomes = [
        _outcome(returns, [{"path": IMG_FILE, "rejection": f"rejected whole {SCRIPT}"}]),
        _outcome(
            accepted,
            [
                {
                    "path": IMG_FILE,
                    "line_number": 7,
                    "area_code": "E06000001",
                    "comment": SCRIPT,
                    "value": "<b>12</b> & more",
                }
            ],
            error=f"could not read {IMG_FILE}",
        ),
    ]
    outcomes[1].docs_page = quality / "data_docs" / f"{SCRIPT}.html"
    load_id = "L20100701T090000Z-0001"
    record_outcomes(quality, load_id, "run-1", outcomes)
    index = write_report(quality, load_id)
    for page in (index, quality / "loads" / load_id / "index.html"):
        source = page.read_text(encoding="utf-8")
        for text in (IMG_FILE, SCRIPT, "<b>12</b>"):
            assert text not in source, (page, text)
            assert str(escape(text)) in source, (page, text)
        assert "<script" not in source and "<img" not in source
        report = PageReader(source)
        assert f"{IMG_FILE}: rejected whole {SCRIPT}" in report.text  # the warning message
        assert f"could not read {IMG_FILE}" in report.text  # the error, as the count
        rows = report.tables[-1]["rows"]
        assert rows[0] == ["path", "line_number", "area_code", "comment", "value"]
        assert rows[1] == [IMG_FILE, "7", "E06000001", SCRIPT, "<b>12</b> & more"]
        assert "BLOCKED" in report.text
        docs = [link for link in report.links if link.endswith(f"{SCRIPT}.html")]
        assert len(docs) == 1

"""The offline site of a release, built by `build_site` from the small release of
`site_fixtures`: what a reader finds on each page, that each table's CSV holds the same rows,
that search can find everything, and that the pages are safe and stable."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest
from site_fixtures import PageReader, make_small_release_tables

from pipelines.release import cells, pages, release, site_csv
from pipelines.release.cells import area_value, group_value
from pipelines.release.charts import histogram_bins
from pipelines.release.pages import environment
from pipelines.release.site import build_site


def _build(site_dir: Path, workers: int | None = None) -> tuple[int, dict]:
    con = duckdb.connect()
    try:
        expected = make_small_release_tables(con)
        return build_site(con, site_dir, expected["release"], workers=workers), expected
    finally:
        con.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, dict, int]:
    site_dir = tmp_path_factory.mktemp("release") / "site"
    pages_written, expected = _build(site_dir, workers=2)  # worker processes, as a release does
    return site_dir, expected, pages_written


def _read(path: Path) -> PageReader:
    return PageReader(path.read_text(encoding="utf-8"))


def _files(site_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def _league_files(expected: dict) -> dict[str, list[str]]:
    """Every league page the small release must have: {indicators/ni-N/<period>: [areas]}."""
    return {
        f"indicators/ni-{number}/{period_id}": [row[1] for row in rows]
        for number, sections in expected["leagues"].items()
        for period_id, _, rows in sections
    }


def test_index_leads_with_search_and_links_every_page(site):
    site_dir, expected, written_pages = site
    source = (site_dir / "index.html").read_text("utf-8")
    index = PageReader(source)
    release_meta = expected["release"]
    for field in ("release_id", "created", "as_of", "source_load"):
        assert release_meta[field] in index.text
    assert "only final values whose period's publication date had passed" in index.text
    for link in ("../manifest.json", "../SHA256SUMS", "../changes.csv", "../data/"):
        assert link in index.links
    # the search box comes first in the page's main content, labelled, with its scripts
    main = source[source.index('<main id="main">') :]
    assert main.index('<form class="search"') < main.index("<h2")
    assert '<label for="search-box">Find an area or an indicator</label>' in source
    assert [s["src"] for s in index.scripts] == ["search-index.js", "search.js"]

    area_links = {f"areas/{code}.html" for code in expected["published_areas"]}
    indicator_links = {f"indicators/ni-{n}.html" for n in expected["published_indicators"]}
    assert area_links | indicator_links <= set(index.links)
    for name in expected["published_areas"].values():
        assert name in index.text
    # Unpublished areas get no page; unpublished indicators are listed without a link.
    for code in expected["unpublished_areas"]:
        assert f"areas/{code}.html" not in index.links
    for number, title in expected["unpublished_indicators"].items():
        assert f"indicators/ni-{number}.html" not in index.links
        assert f"NI {number}: {title} (no published values)" in index.text

    leagues = set(_league_files(expected))
    html = area_links | indicator_links | {f"{f}.html" for f in leagues} | {"index.html"}
    tables = {name.replace(".html", ".csv") for name in html - {"index.html"}}
    tables |= {f"{f}.groups.csv" for f in leagues}
    assets = {"search-index.js", "search.js", "sort.js", "pages.json"}
    assert set(_files(site_dir)) == html | tables | assets
    assert written_pages == len(html)


def test_titles_are_human(site):
    site_dir, expected, _ = site
    date = "Release of 1 July 2010"  # the release's as_of, 2010-07-01
    index = _read(site_dir / "index.html")
    assert index.h1 == date and index.title.startswith(date)
    hartlepool = _read(site_dir / "areas" / "E06000001.html")
    assert hartlepool.h1 == "Hartlepool"
    # the other pages name no release (the index does, and each links to it), so a page
    # whose data did not change is the same file in the next release
    assert hartlepool.title == "Hartlepool – National Indicators for England"
    league = _read(site_dir / "indicators" / "ni-117" / "2008-09.html")
    assert league.h1 == "NI 117 · 2008/09"
    assert league.title == "NI 117 · 2008/09 – National Indicators for England"
    for path in site_dir.rglob("*.html"):
        page = _read(path)
        assert expected["release"]["release_id"] not in page.title + page.h1, path
        assert "L2010" not in page.title + page.h1, path


AREA_HEAD = ["Indicator", "Period", "Value", "95% confidence interval", "England", "Compared with England", "Recent trend", "Region", "Quartile", "Rank", "Direction of travel", "Target", "Statistical neighbours", "Compared with neighbours", "Rank among neighbours"]  # fmt: skip
COMPARISONS = ["Better than England", "Similar to England", "Worse than England", "Higher than England", "Lower than England", "Not compared"]  # fmt: skip


def test_area_page_shows_value_comparators_rank_direction_target_and_neighbours(site):
    site_dir, expected, _ = site
    row = expected["area_row"]
    page = _read(site_dir / "areas" / f"{row['area_code']}.html")
    assert "Hartlepool E06000001 · Unitary · North East region" in page.text
    assert "Tees Valley" in page.text  # its multi-area agreement
    table = page.table("Children and young people: latest published values")
    head, *body = table["rows"]
    assert head == AREA_HEAD
    found = [r for r in body if r[0].startswith(f"NI {row['ni_number']} ")]
    assert found, body
    assert found[0][1:] == [row["period"], row["value"], row["interval"], row["england"], row["comparison"], row["recent_trend"], row["region"], row["quartile"], row["rank"], row["direction"], row["target"], row["neighbours"], row["neighbours_comparison"], row["neighbours_rank"]]  # fmt: skip
    assert f"../indicators/ni-{row['ni_number']}.html" in page.links
    # its statistical neighbours, nearest first, each a link
    neighbours = [link for link in page.links if re.fullmatch(r"E\d{8}\.html", link)]
    assert neighbours == [f"{code}.html" for code in expected["neighbours"][row["area_code"]]]
    assert "Statistical neighbours Middlesbrough" in page.text

    illustrative = expected["illustrative_row"]
    page = _read(site_dir / "areas" / f"{illustrative['area_code']}.html")
    rows = page.table("Stronger communities: latest")["rows"]
    assert [r[11] for r in rows if r[0].startswith(f"NI {illustrative['ni_number']} ")] == [
        illustrative["target"]
    ]


def test_area_page_gives_each_latest_value_its_interval_comparison_and_trend_in_words(site):
    site_dir, expected, _ = site
    shown = [s for by_ni in expected["area_latest"].values() for s in by_ni.values()]
    # the small release shows every comparison, an interval's absence with and without a
    # reason, and every recent trend outcome
    assert {s["comparison"] for s in shown} == set(COMPARISONS)
    assert {"no interval", "the indicator is a total of tonnes: no method"} <= {s["interval"] for s in shown}  # fmt: skip
    trends = {s["recent_trend"] for s in shown}
    assert {"Increasing and getting better", "Increasing and getting worse", "Decreasing and getting better", "Decreasing and getting worse", "Increasing", "No significant change", "Cannot be calculated"} <= trends  # fmt: skip
    assert "Cannot be calculated: fewer than 5 consecutive annual points" in trends

    for code, by_ni in expected["area_latest"].items():
        page = _read(site_dir / "areas" / f"{code}.html")
        rows = [
            r
            for t in page.tables
            if "latest published values" in t["caption"]
            for r in t["rows"]
            if r != AREA_HEAD
        ]
        assert len(rows) == len(by_ni), code
        for number, want in by_ni.items():
            found = [r for r in rows if r[0].startswith(f"NI {number} ")]
            assert len(found) == 1, (code, number)
            r = found[0]
            assert [r[1], r[2], r[3], r[5], r[6]] == [want["period"], want["value"], want["interval"], want["comparison"], want["recent_trend"]], (code, number)  # fmt: skip


def test_area_and_league_pages_have_the_key_in_words(site):
    site_dir, expected, _ = site
    paths = [*site_dir.glob("areas/*.html"), *site_dir.glob("indicators/*/*.html")]
    assert len(paths) == len(expected["published_areas"]) + len(_league_files(expected))
    for path in sorted(paths):
        text = _read(path).text
        key = text[text.index("Key: comparison with England") :]
        assert "95% confidence interval" in key, path
        for words in COMPARISONS:
            assert words in key, (path, words)
        assert "neither higher nor lower is better" in key
        assert ("Recent trend:" in key) == (path.parent.name == "areas")


LEAGUE_HEAD = ["Rank", "Area", "Region", "Value", "95% confidence interval", "Compared with England", "Quartile", "Direction of travel"]  # fmt: skip


def test_each_period_has_its_own_league_page_ranking_every_area(site):
    site_dir, expected, _ = site
    for number, sections in expected["leagues"].items():
        indicator = _read(site_dir / "indicators" / f"ni-{number}.html")
        # the indicator's page links every period's league page, newest first
        links = [f"ni-{number}/{period_id}.html" for period_id, _, _ in sections]
        assert list(dict.fromkeys(link for link in indicator.links if link.startswith(f"ni-{number}/"))) == links  # fmt: skip
        periods = indicator.table("in England, every published period")["rows"][1:]
        assert [r[0] for r in periods] == [label for _, label, _ in sections]
        for index, (period_id, label, rows) in enumerate(sections):
            page = _read(site_dir / "indicators" / f"ni-{number}" / f"{period_id}.html")
            table = page.table("areas with a published value for ")
            assert f"with a published value for {label}," in table["caption"]
            assert table["rows"][0] == LEAGUE_HEAD
            assert [(r[0], r[1], r[3], r[4], r[5]) for r in table["rows"][1:]] == rows
            assert table["class"] == "sortable" and table["csv"] == f"{period_id}.csv"
            assert [s["src"] for s in page.scripts] == ["../../sort.js"]
            assert ("the latest published period" in page.text) == (index == 0)
            assert f"../ni-{number}.html" in page.links
    for number, areas in expected["league"].items():
        newest = expected["leagues"][number][0][0]
        page = _read(site_dir / "indicators" / f"ni-{number}" / f"{newest}.html")
        body = page.table("areas with a published value")["rows"][1:]
        assert [r[1] for r in body] == areas
        ranks = [r[0] for r in body]
        if number in (185, 65):  # polarity 'neither'
            assert set(ranks) == {"not ranked"}
        else:
            assert ranks == [str(i) for i in range(1, len(areas) + 1)]
        if number in expected["league_values"]:
            assert [r[3] for r in body] == expected["league_values"][number]
        if number in expected["earlier"]:
            # named below the newest table, with a link to their period's league page
            note = page.text.split("their latest published value being for an earlier period:")[1]
            for name in expected["earlier"][number]:
                assert note.startswith(f" {name} ( 2008/09 )"), note[:80]
            assert "2008-09.html" in page.links


def test_league_pages_give_england_region_and_maa_values(site):
    site_dir, expected, _ = site
    for number, groups in expected["indicator_groups"].items():
        page = _read(site_dir / "indicators" / f"ni-{number}" / "2009-10.html")
        england = f"England {groups['England']} (95% CI {expected['england_interval'][number]}); 4 of 4 areas reporting"  # fmt: skip
        assert england in page.text
        assert f"England's recent trend {expected['england_trend'][number]}" in page.text
        found = {
            r[0]: r[1]
            for caption in ("in England and by region", "by multi-area agreement")
            for r in page.table(caption)["rows"][1:]
        }
        assert {name: found[name] for name in groups} == groups
        assert "shown to 1 decimal place" in page.text


def test_every_chart_is_named_and_has_a_table_of_the_same_numbers(site):
    site_dir, expected, _ = site
    charts = 0
    for path in sorted(site_dir.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        page = PageReader(source)
        figures = re.findall(r"<figure class=\"chart[^\"]*\">.*?</figure>", source, re.S)
        drawn = [svg for svg in page.svgs if svg.get("class") != "swatch"]  # not the key's
        assert len(figures) == len(drawn)
        for figure, svg in zip(figures, drawn, strict=True):
            charts += 1
            assert svg["role"] == "img"
            title = re.search(rf'<title id="{svg["aria-labelledby"]}">([^<]+)</title>', figure)
            assert title and len(title.group(1)) > 20
            assert "<details><summary>Data for this" in figure
            data = [t for t in PageReader(figure).tables if t["in_details"]][0]
            rows = data["rows"][1:]
            if svg["id"] == "distribution":
                # one bar per row of the table; the counts are the league table's areas
                bars = re.search(r'class="mark-rect role-mark[^>]*>(.*?)</g>', figure, re.S)
                assert bars.group(1).count("<path") == len(rows)
                league = page.table("areas with a published value")["rows"][1:]
                assert sum(int(r[2]) for r in rows) == len(league)
                for r in league:
                    value = float(r[3].replace(",", ""))
                    assert any(float(f) <= value <= float(t) for f, t, _ in rows)
            elif svg["id"] == "map":
                # a swatch and a count for each colour in the key beside it
                key = PageReader(figure).table("Key: areas by colour")["rows"][1:]
                assert sum(int(r[1]) for r in key) == len(rows) and figure.count('class="swatch"') == len(key)  # fmt: skip
            else:
                # one labelled row in the chart per indicator in the table, in the same order,
                # each with its latest value written beside it
                labels = re.findall(r">(NI \d+)<", figure.split("</svg>")[0])
                assert labels == list(dict.fromkeys(r[0] for r in rows))
    areas, indicators = len(expected["published_areas"]), len(expected["published_indicators"])
    assert charts == areas * 3 + indicators * 2  # trends by theme; distribution and map

    # Hartlepool's NI 117 trend: both published years, with the interval and England
    page = _read(site_dir / "areas" / "E06000001.html")
    trend = page.table("Values drawn in the chart: Children and young people")["rows"]
    assert trend[0] == ["Indicator", "Period", "Hartlepool", "95% confidence interval", "England"]
    assert ["NI 117", "2008/09", "7.5", "6.03 to 9.3", "6.5"] in trend  # 326/5000 = 6.52
    assert ["NI 117", "2009/10", "6.8", "5.4 to 8.53", "6.4"] in trend
    # the hostile-named area has no NI 185 value for 2009/10: England's still is in its trend
    page = _read(site_dir / "areas" / "E09000002.html")
    trend = page.table("Values drawn in the chart: Environmental sustainability")["rows"]
    assert [r[:3] for r in trend[1:]] == [["NI 185", "2008/09", "60"], ["NI 185", "2009/10", "– no value"]]  # fmt: skip


def test_trend_chart_draws_interval_england_and_labelled_values(site):
    site_dir, _, _ = site
    source = (site_dir / "areas" / "E06000001.html").read_text("utf-8")
    figure = re.search(r'<svg id="trend-1".*?</svg>', source, re.S).group(0)
    assert "Year (each value is drawn at the middle of its period)" in figure  # x axis title
    for year in ("2008", "2009", "2010"):
        assert f">{year}</text>" in figure
    # the latest values written on the right, the rows' scales beside them
    texts = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", figure)
    assert {"NI 65", "NI 117", "18", "6.8"} <= set(texts), texts
    # the intervals as one filled path of closed shapes, England a dashed line
    assert re.search(r'<path[^>]*d="M[^"]*Z[^"]*"[^>]*fill="#c9dbef"', figure)
    assert 'stroke-dasharray="4,3"' in figure


def test_map_has_a_tile_for_each_area_of_the_period(site):
    site_dir, expected, _ = site
    for number, sections in expected["leagues"].items():
        period_id = sections[0][0]
        source = (site_dir / "indicators" / f"ni-{number}" / f"{period_id}.html").read_text("utf-8")  # fmt: skip
        figure = re.search(r'<figure class="chart map">.*?</figure>', source, re.S).group(0)
        tiles = re.search(r'<g class="mark-rect role-mark[^>]*>(.*?)</g>', figure, re.S).group(1)
        assert tiles.count("<path") == len(expected["map_areas"][period_id]), number
        table = [t for t in PageReader(figure).tables if t["in_details"]][0]["rows"][1:]
        shown = {r[0] for r in table}
        names = {**expected["published_areas"], **expected["unpublished_areas"]}
        assert shown == {names[code] for code in expected["map_areas"][period_id]}
        league = PageReader(source).table("areas with a published value")["rows"][1:]
        for row in table:
            area = [r for r in league if r[1] == row[0]]
            if area:  # the table says what the tile's colour says: the comparison with England
                assert row[2] == area[0][3]
                if number in (8, 117):
                    assert row[3] == area[0][5]
            else:
                assert row[2:] == ["– no value", "No value"]


# What each CSV column becomes in its HTML table: {CSV header start: [(HTML column, rule)]}.
def _interval(row: dict, places: int = 2) -> str:
    shown = area_value if places == 2 else group_value
    if row["ci_lower_95"] and row["ci_upper_95"]:
        return f"{shown(float(row['ci_lower_95']))} to {shown(float(row['ci_upper_95']))}"
    return row["ci_note"] or "no interval"


def _number(text: str, rule) -> str:
    return rule(float(text)) if text else "– no value"


def _expected_cells(kind: str, row: dict[str, str]) -> dict[int, str]:
    """The HTML table's cells, by column, as a CSV row says they must read."""
    if kind == "league":
        return {
            0: row["rank"] or "not ranked",
            1: row["area_name"],
            2: row["region_name"],
            3: _number(row["value"], area_value),
            4: _interval(row),
            5: pages.comparison(row["england_comparison"] or None) or "– no value",
        }
    if kind == "groups":
        return {
            0: row["group_name"],
            1: _number(row["value"], group_value),
            2: _interval(row, 1),
            3: pages.comparison(row["england_comparison"] or None) or "– no value",
            4: _number(row["median_area_value"], group_value),
            5: f"{row['areas_reporting']} of {row['areas_expected']}",
        }
    if kind == "periods":
        return {
            0: row["period_label"],
            1: _number(row["england_value"], group_value),
            2: _interval(row, 1),
            3: row["areas_with_value"],
        }
    england = _number(row["england_value"], group_value)
    return {
        0: f"NI {row['ni_number']} {row['indicator_title']}",
        1: row["period_label"],
        2: _number(row["value"], area_value),
        3: _interval(row),
        4: england
        + (
            " total"
            if row["england_value"] and row["theme"] == "Environmental sustainability"
            else ""
        ),  # fmt: skip
        5: pages.comparison(row["england_comparison"] or None) or "– no value",
        9: f"{row['rank']} of {row['areas_ranked']}" if row["rank"] else "not ranked",
        12: _number(row["neighbours_value"], group_value)
        + (
            " total"
            if row["neighbours_value"] and row["theme"] == "Environmental sustainability"
            else ""
        ),  # fmt: skip
        13: pages.neighbours_comparison(row["neighbours_comparison"] or None) or "– no value",
    }


def _kind(header: list[str]) -> str:
    return {
        tuple(site_csv.LEAGUE_COLUMNS): "league",
        tuple(site_csv.GROUP_COLUMNS): "groups",
        tuple(site_csv.PERIOD_COLUMNS): "periods",
    }.get(tuple(header), "area")


def test_every_pages_csv_holds_the_rows_of_its_table(site):
    site_dir, _, _ = site
    checked = set()
    for path in sorted(site_dir.rglob("*.html")):
        page = _read(path)
        by_csv: dict[str, list[list[str]]] = {}
        for table in page.tables:
            if table["csv"]:
                assert table["csv"] in page.links, (path, table["csv"])  # a link beside it
                by_csv.setdefault(table["csv"], []).extend(table["rows"][1:])
        if path.name == "index.html":
            assert not by_csv
            continue
        assert by_csv, path  # every other page offers its table
        for name, html_rows in by_csv.items():
            csv_path = path.parent / name
            text = csv_path.read_text("utf-8")
            header = text.splitlines()[0].split(",")
            rows = _csv(csv_path)
            assert len(rows) == len(html_rows), (path, name)
            kind = _kind(header)
            for csv_row, html_row in zip(rows, html_rows, strict=True):
                for column, want in _expected_cells(kind, csv_row).items():
                    got = html_row[column]
                    # text cells that start like a formula got an apostrophe in the CSV only
                    assert got == want or "'" + got == want, (path, name, column, got, want)
            checked.add(csv_path.relative_to(site_dir).as_posix())
    assert checked == {p for p in _files(site_dir) if p.endswith(".csv")}


def test_csv_cells_are_unrounded_and_formula_safe(tmp_path):
    assert cells.FORMULA_STARTS == release.FORMULA_STARTS  # the release's data files' rule
    con = duckdb.connect()
    expected = make_small_release_tables(con)
    formula = '=HYPERLINK("http://x","y")'
    con.execute("update dim_area set region = ? where region_code = 'E12000007'", ["@SUM(1)"])
    con.execute("update caa_area_performance set area_name = ? where area_code = 'E09000001'", [formula])  # fmt: skip
    con.execute("update fct_group_values set group_name = '-2+3' where group_type = 'maa'")
    build_site(con, tmp_path / "site", expected["release"], workers=1)
    league = _csv(tmp_path / "site" / "indicators" / "ni-117" / "2009-10.csv")
    city = next(r for r in league if r["area_code"] == "E09000001")
    assert city["area_name"] == "'" + formula and city["region_name"] == "'@SUM(1)"
    assert city["value"] == repr(41 / 1000 * 100)  # unrounded: 4.1000000000000005
    groups = _csv(tmp_path / "site" / "indicators" / "ni-117" / "2009-10.groups.csv")
    assert [g["group_name"] for g in groups if g["group_type"] == "maa"] == ["'-2+3"]
    # negative numbers are numbers, not formulas
    assert site_csv.cell(-1.5) == "-1.5" and site_csv.cell("-1.5") == "'-1.5"
    page = _read(tmp_path / "site" / "indicators" / "ni-117" / "2009-10.html")
    assert formula in page.text  # the page shows the name as it is


def _search_index(site_dir: Path) -> dict:
    text = (site_dir / "search-index.js").read_text("utf-8")
    body = text[text.index("window.NIW_SEARCH_INDEX = ") + len("window.NIW_SEARCH_INDEX = ") :]
    return json.loads(body.rstrip().rstrip(";"))


def test_search_index_holds_every_area_and_indicator(site):
    site_dir, expected, _ = site
    index = _search_index(site_dir)
    areas = {code: name for code, name, _ in index["areas"]}
    assert areas == expected["published_areas"]
    for code in areas:
        assert (site_dir / "areas" / f"{code}.html").is_file()
    indicators = {number: (title, bool(page)) for number, title, _, page in index["indicators"]}
    published = {n: (t, True) for n, t in expected["published_indicators"].items()}
    unpublished = {n: (t, False) for n, t in expected["unpublished_indicators"].items()}
    assert indicators == published | unpublished
    for number, (_, page) in indicators.items():
        assert (site_dir / "indicators" / f"ni-{number}.html").is_file() == page
    # the index is inert data: no markup from the names survives as written
    text = (site_dir / "search-index.js").read_text("utf-8")
    assert "<" not in text and ">" not in text and "&" not in text
    assert re.fullmatch(r"(//[^\n]*\n)*window\.NIW_SEARCH_INDEX = \{.*\};\n", text, re.S)


def test_text_from_the_data_is_escaped(site):
    site_dir, expected, _ = site
    for path in sorted(site_dir.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        assert "<img" not in source, path
        # the only scripts are the site's own files, by src, with nothing inline
        allowed = r'<script src="(?:\.\./)*(?:search-index|search|sort)\.js"></script>'
        assert source.count("<script") == len(re.findall(allowed, source)), path
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Dagenham" in index
    assert "CO2 reduction &lt;img src=x onerror=alert(2)&gt; &quot;local authority&quot;" in index
    for hostile in expected["hostile_texts"]:
        assert hostile in _read(site_dir / "index.html").text  # shown as text, not markup
    assert expected["hostile_texts"][0] in _read(site_dir / "areas" / "E09000002.html").text
    assert expected["hostile_texts"][1] in _read(site_dir / "indicators" / "ni-185.html").text


def test_pages_stay_offline_and_show_no_placeholders(site):
    site_dir, _, _ = site
    for name, content in _files(site_dir).items():
        text = content.decode("utf-8")
        assert "http://" not in text and "https://" not in text, name
        if not name.endswith(".html"):
            continue
        page = PageReader(text)
        for link in page.links:
            assert not re.match(r"[a-z]+:|//", link), (name, link)
            target = (site_dir / name).parent / link.split("#")[0]
            if not link.startswith("../") or name != "index.html":
                assert target.exists(), (name, link)
        assert not re.search(r"\b(nan|None|NaN|null)\b", page.text), name
        assert 'lang="en-GB"' in text


def test_rebuild_gives_byte_identical_files(site, tmp_path):
    site_dir, _, _ = site
    first = _files(site_dir)  # drawn by two worker processes
    _build(tmp_path / "again", workers=1)  # drawn again, in this process alone
    assert _files(tmp_path / "again") == first


def test_no_page_for_a_code_that_is_not_a_valid_area_code(tmp_path):
    con = duckdb.connect()
    expected = make_small_release_tables(con)
    con.execute("""
        insert into caa_area_performance
        select * replace ('../../evil' as area_code, 'Evil' as area_name)
        from caa_area_performance where area_code = 'E06000001'
    """)
    con.execute("update dim_period set period_id = '../x' where period_id = '2008-09'")
    con.execute("update caa_area_performance set period_id = '../x' where period_id = '2008-09'")
    said: list[str] = []
    build_site(con, tmp_path / "site", expected["release"], progress=said.append)
    assert any("not E + 8 digits" in message for message in said)
    assert not list(tmp_path.rglob("*evil*")) and not list(tmp_path.rglob("x.*"))
    assert (tmp_path / "site" / "indicators" / "ni-117" / "period-2.html").is_file()
    assert "Evil" not in (tmp_path / "site" / "indicators" / "ni-117" / "2009-10.html").read_text("utf-8")  # fmt: skip


@pytest.mark.parametrize(
    ("value", "area", "group"),
    [
        (7.5, "7.5", "7.5"),
        (12.0, "12", "12.0"),
        (6.800000000000001, "6.8", "6.8"),
        (57.78032036613272, "57.78", "57.8"),
        (64.6312008398358, "64.63", "64.6"),
        (5805.0, "5,805", "5,805.0"),
        (-18.8, "-18.8", "-18.8"),
        (-0.001, "0", "0.0"),
    ],
)
def test_number_rule(value, area, group):
    assert area_value(value) == area
    assert group_value(value) == group


def test_ordinals():
    assert [cells.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 16, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "16th", "21st", "22nd", "23rd", "101st", "111th"
    ]  # fmt: skip


def test_missing_numbers_read_as_no_value():
    # a value cell as the pages write it: the number rule's text, or the no-value mark
    cell = environment().from_string(
        '{% from "cells.html" import NO_VALUE %}{{ value|area_value or NO_VALUE }} '
        "{{ value|group_value or NO_VALUE }}"
    )
    for missing in (None, float("nan")):
        assert area_value(missing) is None and group_value(missing) is None
        assert PageReader(cell.render(value=missing)).text == "– no value – no value"
    assert cell.render(value=7.5) == "7.5 7.5"


def test_histogram_bins_have_round_edges_and_count_every_value():
    values = [3.2, 4.1, 6.1, 6.8, 8.7, 9.99, 10.0]
    bins = histogram_bins(values)
    assert sum(n for _, _, n in bins) == len(values)
    assert bins[0][0] == 3 and bins[-1][1] >= 10
    steps = {round(e - s, 9) for s, e, _ in bins}
    assert len(steps) == 1 and steps.pop() in (0.5, 1)
    assert histogram_bins([]) == []
    assert sum(n for _, _, n in histogram_bins([5.0, 5.0])) == 2


def test_the_next_release_draws_only_the_pages_whose_data_changed(tmp_path):
    """The pages of an area or indicator whose input is unchanged are carried over from the
    release before byte for byte (hard links); the rest are drawn; and the result is the
    site a build from nothing gives."""
    cache = tmp_path / "charts"
    con = duckdb.connect()
    try:
        expected = make_small_release_tables(con)
        first = tmp_path / "first" / "site"
        build_site(con, first, expected["release"], chart_cache=cache)
        # the next release: another id and date, and one value of City of London's revised
        con.execute(
            "update caa_area_performance set value = value + 1 "
            "where area_code = 'E09000001' and ni_code = 'NI 8' and period_id = '2008-09'"
        )
        later = {**expected["release"], "release_id": "R2010-08-01-test", "as_of": "2010-08-01"}
        said: list[str] = []
        carried = tmp_path / "second" / "site"
        build_site(con, carried, later, previous_site=first, chart_cache=cache, progress=said.append)  # fmt: skip
        whole = tmp_path / "whole" / "site"
        build_site(con, whole, later)
    finally:
        con.close()

    assert _files(carried) == _files(whole)  # carrying over changes no byte
    before, after = _files(first), _files(carried)
    changed = {name for name in after if before.get(name) != after[name]}
    assert "areas/E09000001.html" in changed and "indicators/ni-8/2008-09.html" in changed
    assert "index.html" in changed  # it names the release
    assert "areas/E06000001.html" not in changed  # Hartlepool's figures are the same
    pages_file = json.loads((carried / "pages.json").read_text("utf-8"))
    for name, entry in pages_file.items():
        for relative in entry["files"]:
            same_file = (carried / relative).stat().st_ino == (first / relative).stat().st_ino
            drawn = name in ("areas/E09000001.html", "indicators/ni-8.html")
            assert same_file is not drawn, relative
    assert any("carried over" in line and "2 to draw" in line for line in said), said
    assert sorted(p.name for p in cache.glob("*.svg"))  # the charts are kept for the next

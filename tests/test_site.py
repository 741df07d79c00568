"""The offline site of a release, built by `build_site` from the small release of
`site_fixtures`: what a reader finds on each page, and that the pages are safe and stable."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from site_fixtures import PageReader, make_small_release_tables

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
    pages, expected = _build(site_dir, workers=2)  # worker processes, as a release draws it
    return site_dir, expected, pages


def _read(path: Path) -> PageReader:
    return PageReader(path.read_text(encoding="utf-8"))


def _files(site_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


def test_index_describes_the_release_and_links_every_page(site):
    site_dir, expected, pages = site
    index = _read(site_dir / "index.html")
    release = expected["release"]
    for field in ("release_id", "created", "as_of", "source_load"):
        assert release[field] in index.text
    assert "only final values whose period's publication date had passed" in index.text
    for link in ("../manifest.json", "../SHA256SUMS", "../changes.csv", "../data/"):
        assert link in index.links

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

    written = set(_files(site_dir))
    assert written == {"index.html"} | area_links | indicator_links
    assert pages == len(written)


AREA_HEAD = ["Indicator", "Period", "Value", "95% confidence interval", "England", "Compared with England", "Recent trend", "Region", "Quartile", "Rank", "Direction of travel", "Target"]  # fmt: skip
COMPARISONS = ["Better than England", "Similar to England", "Worse than England", "Higher than England", "Lower than England", "Not compared"]  # fmt: skip


def test_area_page_shows_value_comparators_rank_direction_and_target(site):
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
    assert found[0][1:] == [row["period"], row["value"], row["interval"], row["england"], row["comparison"], row["recent_trend"], row["region"], row["quartile"], row["rank"], row["direction"], row["target"]]  # fmt: skip
    assert f"../indicators/ni-{row['ni_number']}.html" in page.links

    illustrative = expected["illustrative_row"]
    page = _read(site_dir / "areas" / f"{illustrative['area_code']}.html")
    rows = page.table("Stronger communities: latest")["rows"]
    assert [r[-1] for r in rows if r[0].startswith(f"NI {illustrative['ni_number']} ")] == [
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


def test_area_and_indicator_pages_have_the_key_in_words(site):
    site_dir, _, _ = site
    for path in sorted([*site_dir.glob("areas/*.html"), *site_dir.glob("indicators/*.html")]):
        text = _read(path).text
        key = text[text.index("Key: comparison with England") :]
        assert "95% confidence interval" in key, path
        for words in COMPARISONS:
            assert words in key, (path, words)
        assert "neither higher nor lower is better" in key
        assert ("Recent trend:" in key) == (path.parent.name == "areas")


def test_indicator_page_ranks_every_area_and_gives_group_values(site):
    site_dir, expected, _ = site
    for number, areas in expected["league"].items():
        page = _read(site_dir / "indicators" / f"ni-{number}.html")
        head, *body = page.table("areas with a published value")["rows"]
        assert head == ["Rank", "Area", "Region", "Value", "95% confidence interval", "Compared with England", "Quartile", "Direction of travel"]  # fmt: skip
        assert [r[1] for r in body] == areas
        ranks = [r[0] for r in body]
        if number in (185, 65):  # polarity 'neither'
            assert set(ranks) == {"not ranked"}
        else:
            assert ranks == [str(i) for i in range(1, len(areas) + 1)]
        if number in expected["league_values"]:
            assert [r[3] for r in body] == expected["league_values"][number]
        if number in expected["earlier"]:
            # named below the newest table, with a link to their period's table
            note = page.text.split("their latest published value being for an earlier period:")[1]
            for name in expected["earlier"][number]:
                assert note.startswith(f" {name} ( 2008/09 )"), note[:80]
            assert "#period-2008-09" in page.links
    for number, groups in expected["indicator_groups"].items():
        page = _read(site_dir / "indicators" / f"ni-{number}.html")
        england = f"England {groups.pop('England')} (95% CI {expected['england_interval'][number]}); 4 of 4 areas reporting"  # fmt: skip
        assert england in page.text
        assert f"England's recent trend {expected['england_trend'][number]}" in page.text
        cells = {
            r[0]: r[1]
            for caption in ("by region", "by multi-area agreement")
            for r in page.table(caption)["rows"][1:]
        }
        assert {name: cells[name] for name in groups} == groups
        assert "shown to 1 decimal place" in page.text


def test_indicator_page_has_a_league_table_for_every_period_newest_first(site):
    site_dir, expected, _ = site
    for number, sections in expected["leagues"].items():
        source = (site_dir / "indicators" / f"ni-{number}.html").read_text("utf-8")
        page = PageReader(source)
        leagues = [t for t in page.tables if "areas with a published value for " in t["caption"]]
        assert len(leagues) == len(sections) >= 2, number
        anchors = []
        for (period_id, label, rows), table in zip(sections, leagues, strict=True):
            assert f"with a published value for {label}," in table["caption"]
            shown = [(r[0], r[1], r[3], r[4], r[5]) for r in table["rows"][1:]]
            assert shown == rows, (number, label)
            anchor = f"period-{period_id}"
            assert f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{label}' in source
            anchors.append(f"#{anchor}")
        # the list of periods at the top links each section, newest first
        assert [link for link in page.links if link.startswith("#period-")][
            : len(anchors)
        ] == anchors
        assert f"{sections[0][1]}: latest published period" in page.text
        # each period's England, region and MAA values are in its own section
        assert len([t for t in page.tables if " by region, " in t["caption"]]) == len(sections)


def test_every_chart_is_named_and_has_a_table_of_the_same_numbers(site):
    site_dir, expected, _ = site
    charts = 0
    for path in sorted(site_dir.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        page = PageReader(source)
        figures = re.findall(r"<figure class=\"chart\">.*?</figure>", source, re.S)
        assert len(figures) == len(page.svgs)
        for figure, svg in zip(figures, page.svgs, strict=True):
            charts += 1
            assert svg["role"] == "img"
            title = re.search(rf'<title id="{svg["aria-labelledby"]}">([^<]+)</title>', figure)
            assert title and len(title.group(1)) > 20
            data = PageReader(figure).table("")
            assert "<details><summary>Data for this chart</summary><table>" in figure
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
            else:
                # one labelled row in the chart per indicator in the table, in the same order
                labels = re.findall(r">(NI \d+)<", figure.split("</svg>")[0])
                assert labels == list(dict.fromkeys(r[0] for r in rows))
    assert charts == len(expected["published_areas"]) * 3 + len(expected["published_indicators"])

    # Hartlepool's NI 117 trend: both published years, with England, as on the page
    page = _read(site_dir / "areas" / "E06000001.html")
    trend = page.table("Values drawn in the chart: Children and young people")["rows"]
    assert ["NI 117", "2008/09", "7.5", "6.5"] in trend  # England 2008/09: 326/5000 = 6.52
    assert ["NI 117", "2009/10", "6.8", "6.4"] in trend


def test_text_from_the_data_is_escaped(site):
    site_dir, expected, _ = site
    for path in sorted(site_dir.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        assert "<script" not in source and "<img" not in source, path
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
    said: list[str] = []
    build_site(con, tmp_path / "site", expected["release"], progress=said.append)
    assert any("not E + 8 digits" in message for message in said)
    assert not list(tmp_path.glob("*evil*")) and not list(tmp_path.rglob("*evil*"))
    assert "Evil" not in (tmp_path / "site" / "indicators" / "ni-117.html").read_text("utf-8")


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

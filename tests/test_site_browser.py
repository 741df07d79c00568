"""The site in a real browser: headless Chromium opens pages of a built site from disk.

Chromium renders the index, an area page, an indicator page and a league page from file://
URLs; the DOM it builds must hold the expected figures (and no element made from hostile
data). Search is typed into the index (a copy of it with the typing added as a script) and
must lead to the page found; a league table must sort when its headings are pressed, and be
the plain ranked table when scripts are off. The colours of the comparison cells are read as
Chromium computes them. Screenshots land in NIW_SCREENSHOT_DIR (default
`.test-artifacts/screenshots/` at the top of the repository, gitignored) for a person to look at. Needs the Debian package:
`apt-get install chromium`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import duckdb
import pytest
from browser import chromium, dump_dom, screenshot, screenshot_dir
from site_fixtures import COMPARISON_WORDS, PageReader, make_small_release_tables

from pipelines.release.site import build_site

pytestmark = pytest.mark.e2e  # Chromium renders each page: seconds a page

# The small release's Middlesbrough becomes Barnsley (E08000016) here, so that search is
# tried with a real name and code.
BARNSLEY = ("E06000002", "E08000016", "Barnsley")
AREA_TABLES = {
    "dim_area": ["area_code"],
    "caa_area_performance": ["area_code"],
    "fct_indicator_values": ["area_code"],
    "fct_laa_target_progress": ["area_code"],
    "bridge_maa_area": ["area_code"],
    "bridge_comparator_area": ["area_code"],
    "dim_comparator_group": ["neighbours_of"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    site_dir = tmp_path_factory.mktemp("release") / "site"
    con = duckdb.connect()
    try:
        expected = make_small_release_tables(con)
        old, new, name = BARNSLEY
        for table, code_columns in AREA_TABLES.items():
            for column in code_columns:
                con.execute(f"update {table} set {column} = ? where {column} = ?", [new, old])  # noqa: S608
        con.execute("update dim_area set area_name = ? where area_code = ?", [name, new])
        con.execute("update caa_area_performance set area_name = ? where area_code = ?", [name, new])  # fmt: skip
        build_site(con, site_dir, expected["release"])
    finally:
        con.close()
    areas = expected["published_areas"]
    areas[new] = name
    del areas[old]
    expected["league"] = {n: [name if a == "Middlesbrough" else a for a in names] for n, names in expected["league"].items()}  # fmt: skip
    return site_dir, expected


@pytest.fixture(scope="module")
def screenshots() -> Path:
    return screenshot_dir()


def test_chromium_renders_the_index(built, screenshots):
    site_dir, expected = built
    dom = dump_dom(site_dir / "index.html")
    assert expected["release"]["release_id"] in dom.text
    for code, name in expected["published_areas"].items():
        assert f"areas/{code}.html" in dom.links
        assert name in dom.text  # the hostile name too, as text
    for number in expected["published_indicators"]:
        assert f"indicators/ni-{number}.html" in dom.links
    png = screenshot(site_dir / "index.html", screenshots / "site-index.png")
    assert png.stat().st_size > 5_000


def test_chromium_renders_an_area_page(built, screenshots):
    site_dir, expected = built
    row = expected["area_row"]
    page = site_dir / "areas" / f"{row['area_code']}.html"
    dom = dump_dom(page)
    rows = dom.table("Children and young people: latest published values")["rows"]
    found = [r for r in rows if r[0].startswith(f"NI {row['ni_number']} ")]
    assert found and found[0][2:-3] == [row["value"], row["interval"], row["england"], row["comparison"], row["recent_trend"], row["region"], row["quartile"], row["rank"], row["direction"], row["target"]]  # fmt: skip
    assert [s["role"] for s in dom.svgs] == ["img"] * 3  # one trend chart per theme
    assert [r[-1] for r in rows if r[0].startswith(f"NI {row['ni_number']} ")] == [
        row["neighbours_rank"]
    ]
    png = screenshot(page, screenshots / "site-area.png")
    assert png.stat().st_size > 5_000

    hostile = site_dir / "areas" / "E09000002.html"
    dom = dump_dom(hostile)
    assert expected["hostile_texts"][0] in dom.text
    source = chromium("--dump-dom", hostile.as_uri())
    assert "<script" not in source  # the name stayed text: no element was made of it


def test_chromium_renders_an_indicator_page_and_its_league_page_with_the_map(built, screenshots):
    site_dir, expected = built
    page = site_dir / "indicators" / "ni-117.html"
    dom = dump_dom(page)
    assert dom.h1 == "NI 117: " + expected["published_indicators"][117]
    assert "ni-117/2009-10.html" in dom.links and "ni-117/2008-09.html" in dom.links
    png = screenshot(page, screenshots / "site-indicator.png")
    assert png.stat().st_size > 5_000

    league = site_dir / "indicators" / "ni-117" / "2009-10.html"
    dom = dump_dom(league)
    assert dom.h1 == "NI 117 · 2009/10"
    rows = dom.table("areas with a published value")["rows"][1:]
    assert [r[1] for r in rows] == expected["league"][117]
    assert [s["id"] for s in dom.svgs if s.get("role") == "img"] == ["map", "distribution"]
    png = screenshot(league, screenshots / "site-league-with-map.png")
    assert png.stat().st_size > 5_000


def _with_script(page: Path, script: str, name: str) -> Path:
    """A copy of `page` beside it, with `script` run after the page's own scripts."""
    copy = page.with_name(name)
    copy.write_text(page.read_text("utf-8").replace("</body>", f"<script>{script}</script></body>"), "utf-8")  # fmt: skip
    return copy


TYPE = """
const box = document.getElementById("search-box");
for (const letter of %s) {
  box.value += letter;
  box.dispatchEvent(new Event("input"));
}
document.getElementById("search").requestSubmit();  // Enter
"""


@pytest.mark.parametrize(
    ("query", "h1", "shot"),
    [
        ("Barnsley", "Barnsley", "site-search-barnsley.png"),
        ("E08000016", "Barnsley", None),
        ("NI 117", "NI 117: 16 to 18 year olds", "site-search-ni-117.png"),
        ("117", "NI 117: 16 to 18 year olds", None),
        ("not in education", "NI 117: 16 to 18 year olds", None),
    ],
)
def test_search_leads_to_the_page_typed_for(built, screenshots, query, h1, shot):
    site_dir, _ = built
    index = site_dir / "index.html"
    # typing shows the results as links, the first being the page
    shown = chromium("--dump-dom", index.as_uri() + "?q=" + query.replace(" ", "%20"))
    results = re.search(r'<ul id="search-results"[^>]*>(.*?)</ul>', shown, re.S).group(1)
    assert "result" in re.search(r'id="search-status"[^>]*>([^<]*)<', shown).group(1)
    first = PageReader(results).links[0]
    assert first.startswith(("areas/", "indicators/")), results
    # and Enter goes to it
    typed = _with_script(index, TYPE % repr(list(query)).replace("'", '"'), "typed.html")
    try:
        landed = PageReader(chromium("--virtual-time-budget=5000", "--dump-dom", typed.as_uri()))
    finally:
        typed.unlink()
    assert landed.h1.startswith(h1), (query, landed.h1)
    if shot:
        png = screenshot_of(index.as_uri() + "?q=" + query.replace(" ", "%20"), screenshots / shot)
        assert png.stat().st_size > 5_000


def screenshot_of(url: str, png: Path) -> Path:
    png.unlink(missing_ok=True)
    chromium(f"--screenshot={png}", "--window-size=1280,900", url)
    return png


SORT = """
const found = [];
const table = document.querySelector("table.sortable");
const names = () => Array.from(table.tBodies[0].rows, row => row.cells[1].textContent.trim()).join("|");
const sorts = () => Array.from(table.tHead.rows[0].cells, cell => cell.getAttribute("aria-sort") || "-").join("|");
found.push(names(), sorts(), table.tHead.querySelectorAll("th > button").length);
table.tHead.rows[0].cells[3].querySelector("button").click();  // Value
found.push(names(), sorts());
table.tHead.rows[0].cells[3].querySelector("button").click();  // Value again: the other way
found.push(names(), sorts());
table.tHead.rows[0].cells[1].querySelector("button").click();  // Area
found.push(names(), sorts());
const out = document.createElement("pre");
out.id = "probe";
out.textContent = found.join("\\n");
document.body.append(out);
"""


def test_league_table_sorts_in_chromium_and_is_plain_without_scripts(built, screenshots):
    site_dir, expected = built
    page = site_dir / "indicators" / "ni-8" / "2009-10.html"
    probe = _with_script(page, SORT, "probe-sort.html")
    try:
        dom = chromium("--dump-dom", probe.as_uri())
    finally:
        probe.unlink()
    found = html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1)).split("\n")
    ranked = expected["league"][8]  # best first: highest value first for NI 8
    assert found[0].split("|") == ranked
    assert found[1] == "|".join(["-"] * 8) and found[2] == "8"  # a button in every heading
    assert found[3].split("|") == ranked[::-1]  # value, ascending
    assert found[4].split("|")[3] == "ascending"
    assert found[5].split("|") == ranked  # value, descending
    assert found[6].split("|")[3] == "descending"
    assert found[7].split("|") == sorted(ranked, key=str.lower)  # area, A to Z
    assert found[8].split("|")[1] == "ascending" and found[8].count("ascending") == 1

    # without scripts (a copy that forbids them, as a browser with scripts off): the same
    # table, ranked, with plain headings and no sort state
    blocked = page.with_name("no-scripts.html")
    policy = '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">'
    blocked.write_text(page.read_text("utf-8").replace("<head>", "<head>" + policy), "utf-8")
    try:
        source = chromium("--dump-dom", blocked.as_uri())
    finally:
        blocked.unlink()
    rows = PageReader(source).table("areas with a published value")["rows"]
    assert [r[1] for r in rows[1:]] == ranked
    table = re.search(r'<table class="sortable".*?</table>', source, re.S).group(0)
    assert "<button" not in table and "aria-sort" not in table
    assert "Select a column heading" not in source  # sort.js's hint: it did not run
    png = screenshot(page, screenshots / "site-league.png")
    assert png.stat().st_size > 5_000


# Added to a copy of a page: each comparison cell's class, text and computed colours.
PROBE = """<script>
const found = [];
for (const cell of document.querySelectorAll(".cmp")) {
  const style = getComputedStyle(cell);
  found.push([cell.tagName, cell.className, cell.textContent, style.backgroundColor, style.color].join("\\t"));
}
const out = document.createElement("pre");
out.id = "probe";
out.textContent = found.join("\\n");
document.body.append(out);
</script>"""


def _computed_cells(page: Path, folder: Path) -> list[dict[str, str]]:
    probe = folder / f"probe-{page.name}"
    probe.write_text(page.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    dom = chromium("--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    keys = ("tag", "class", "text", "background", "colour")
    return [dict(zip(keys, line.split("\t"), strict=True)) for line in html.unescape(found.group(1)).splitlines()]  # fmt: skip


def _rgb(css: str) -> tuple[tuple[float, ...], float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return tuple(parts[:3]), parts[3] if len(parts) == 4 else 1.0


def _contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio of text `colour` on `background` (a transparent one is white)."""

    def luminance(rgb: tuple[float, ...]) -> float:
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]  # fmt: skip
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    back, alpha = _rgb(background)
    if alpha == 0:
        back = (255.0, 255.0, 255.0)
    lighter, darker = sorted((luminance(_rgb(colour)[0]), luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_chromium_colours_comparisons_and_says_them_in_words(built, tmp_path):
    site_dir, _ = built
    cells = []
    for page in (
        "areas/E09000002.html",
        "indicators/ni-65/2009-10.html",
        "indicators/ni-8/2009-10.html",
    ):
        cells += _computed_cells(site_dir / page, tmp_path)
    by_code: dict[str, list[dict[str, str]]] = {}
    for cell in cells:
        codes = [c.removeprefix("cmp-") for c in cell["class"].split() if c.startswith("cmp-")]
        assert len(codes) == 1, cell
        by_code.setdefault(codes[0], []).append(cell)
    assert set(by_code) == {"better", "similar", "worse", "higher", "lower", "none"}
    words = {**COMPARISON_WORDS, "none": COMPARISON_WORDS["not_compared"]}
    for code, found in by_code.items():
        # every table cell and every swatch of the key says its comparison in words: the
        # text a screen reader reads; the colour only repeats it
        # (on an area page, the comparison with its statistical neighbours too)
        neighbours = words[code].replace(" England", " neighbours")
        assert words[code] in {c["text"] for c in found} <= {words[code], neighbours}, code
        assert {c["tag"] for c in found} == {"TD", "SPAN"}, code  # the cells and the key
        assert len({(c["background"], c["colour"]) for c in found}) == 1, code  # one colour each
        for c in found:
            assert _contrast(c["colour"], c["background"]) >= 4.5, c
    colour = {code: found[0]["background"] for code, found in by_code.items()}
    assert len({colour["better"], colour["similar"], colour["worse"], colour["higher"]}) == 4
    assert colour["higher"] == colour["lower"]  # no polarity: one neutral colour
    assert _rgb(colour["none"])[1] == 0  # not compared: no fill

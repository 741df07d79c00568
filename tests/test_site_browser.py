"""The site in a real browser: headless Chromium opens pages of a built site from disk.

Chromium renders the index, an area page and an indicator page from file:// URLs; the DOM it
builds must hold the expected figures (and no element made from hostile data), and the
screenshots it takes land in NIW_SCREENSHOT_DIR (default `.test-artifacts/screenshots/`) for
a person to look at. The colours of the comparison cells are read as Chromium computes them,
from a copy of a page with a probe script added. Needs the Debian package: `apt-get install
chromium`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import duckdb
import pytest
from browser import chromium, dump_dom, screenshot, screenshot_dir
from site_fixtures import COMPARISON_WORDS, make_small_release_tables

from pipelines.release.site import build_site

pytestmark = pytest.mark.e2e  # Chromium renders each page: seconds a page


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    site_dir = tmp_path_factory.mktemp("release") / "site"
    con = duckdb.connect()
    try:
        expected = make_small_release_tables(con)
        build_site(con, site_dir, expected["release"])
    finally:
        con.close()
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
    assert found and found[0][2:] == [row["value"], row["interval"], row["england"], row["comparison"], row["recent_trend"], row["region"], row["quartile"], row["rank"], row["direction"], row["target"]]  # fmt: skip
    assert [s["role"] for s in dom.svgs] == ["img"] * 3  # one trend chart per theme
    png = screenshot(page, screenshots / "site-area.png")
    assert png.stat().st_size > 5_000

    hostile = site_dir / "areas" / "E09000002.html"
    dom = dump_dom(hostile)
    assert expected["hostile_texts"][0] in dom.text
    source = chromium("--dump-dom", hostile.as_uri())
    assert "<script" not in source  # the name stayed text: no element was made of it


def test_chromium_renders_an_indicator_page(built, screenshots):
    site_dir, expected = built
    page = site_dir / "indicators" / "ni-117.html"
    dom = dump_dom(page)
    league = dom.table("areas with a published value")["rows"][1:]
    assert [r[1] for r in league] == expected["league"][117]
    assert [s["id"] for s in dom.svgs] == ["distribution"]
    png = screenshot(page, screenshots / "site-indicator.png")
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
    for page in ("areas/E09000002.html", "indicators/ni-65.html", "indicators/ni-8.html"):
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
        assert {c["text"] for c in found} == {words[code]}, code
        assert {c["tag"] for c in found} == {"TD", "SPAN"}, code  # the cells and the key
        assert len({(c["background"], c["colour"]) for c in found}) == 1, code  # one colour each
        for c in found:
            assert _contrast(c["colour"], c["background"]) >= 4.5, c
    colour = {code: found[0]["background"] for code, found in by_code.items()}
    assert len({colour["better"], colour["similar"], colour["worse"], colour["higher"]}) == 4
    assert colour["higher"] == colour["lower"]  # no polarity: one neutral colour
    assert _rgb(colour["none"])[1] == 0  # not compared: no fill

"""The site in a real browser: headless Chromium opens pages of a built site from disk.

Chromium renders the index, an area page and an indicator page from file:// URLs; the DOM it
builds must hold the expected figures (and no element made from hostile data), and the
screenshots it takes land in NIW_SCREENSHOT_DIR (default `.test-artifacts/screenshots/`) for
a person to look at. Needs the Debian package: `apt-get install chromium`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from browser import chromium, dump_dom, screenshot, screenshot_dir
from site_fixtures import make_small_release_tables

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
    assert found and found[0][2:] == [row["value"], row["england"], row["region"], row["quartile"], row["rank"], row["direction"], row["target"]]  # fmt: skip
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

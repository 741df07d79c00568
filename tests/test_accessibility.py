"""Every kind of site page passes axe-core's automated accessibility check in Chromium.

axe-core (axe.min.js, shipped by the dev dependency axe-core-python; NIW_AXE_JS may point at
another copy) runs in headless Chromium on the small site of tests/site_fixtures.py, with the
rules of WCAG 2.0 and 2.1 at levels A and AA (`browser.axe_violations`). A page passes when
axe reports no violation. Screenshots of the pages as checked land in NIW_SCREENSHOT_DIR
(default `.test-artifacts/screenshots/`, ignored by git) for a person to look at.

An automated check finds only part of what makes a page accessible (about a third of the
WCAG criteria can be tested by a machine); it is a floor, not a verdict.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from browser import axe_violations, screenshot_dir
from site_fixtures import make_small_release_tables

from pipelines.release import cartogram, pages
from pipelines.release.site import build_site

pytestmark = pytest.mark.e2e  # Chromium loads each page and runs axe in it: seconds a page

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("release") / "site"
    con = duckdb.connect()
    try:
        expected = make_small_release_tables(con)
        build_site(con, site, expected["release"])
    finally:
        con.close()
    return site


def described(violations: list[dict]) -> str:
    """The violations as a person fixing them wants to read them."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            lines.append("       " + node["summary"].replace("\n", "\n       "))
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("page", "png"),
    [
        ("index.html", "axe-index.png"),
        ("areas/E06000001.html", "axe-area.png"),
        ("indicators/ni-117.html", "axe-indicator.png"),
        ("indicators/ni-117/2009-10.html", "axe-indicator-period.png"),  # its league and map
    ],
)
def test_the_page_has_no_wcag_21_aa_violations(site_dir, page, png):
    shot = screenshot_dir() / png
    violations = axe_violations(site_dir / page, screenshot_png=shot)
    assert shot.stat().st_size > 5_000
    assert not violations, f"{page}:\n{described(violations)}"


def test_the_map_alone_has_no_violations(tmp_path):
    # the tile map of 2009/10 as the pages write a chart (cells.html's `chart` macro), so it
    # is checked whether or not the small site draws one
    areas = {row["area_code"]: row for row in csv.DictReader((SEEDS / "areas.csv").open())}
    labels = [label for label, _ in cartogram.COMPARISON_CATEGORIES]
    tiles = [
        {
            "area_code": code,
            "area_name": areas[code]["area_name"],
            "region_name": areas[code]["region"],
            "tile_col": int(row["tile_col"]),
            "tile_row": int(row["tile_row"]),
            "value": float(index),
            "fill": labels[index % len(labels)],
        }
        for index, row in enumerate(csv.DictReader((SEEDS / "area_tiles.csv").open()))
        if not areas[code := row["area_code"]]["valid_to_period"]
    ]
    chart = cartogram.cartogram_chart(tiles, "NI 117, 2009/10", "map", "Map of NI 117, 2009/10")
    svg = pages.environment().get_template("cells.html").module.chart(chart)
    page = tmp_path / "map.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Map</title></head>'
        f"<body><main><h1>Map</h1><figure>{svg}</figure></main></body></html>",
        "utf-8",
    )
    shot = screenshot_dir() / "axe-map.png"
    violations = axe_violations(page, screenshot_png=shot)
    assert not violations, described(violations)


def test_the_check_finds_a_violation(tmp_path):
    # a control: an image without alternative text and grey-on-grey text must be reported
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>'
        '<img src="x.png"><p style="color:#999;background:#aaa">faint</p></main></body></html>',
        "utf-8",
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= found

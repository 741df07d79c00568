"""The tile cartogram: its layout seed (data/seeds/area_tiles.csv) and its drawing.

The layout: one tile per area in each period (150 in 2008/09, 152 from 2009/10), no two on a
cell, each region one block of edge-touching tiles placed roughly where it lies in England.
The drawing: one tile and one label per area in the SVG, a <title> per tile, a legend of the
categories present, labels readable on every fill.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.reference import tiles
from pipelines.release import cartogram

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "seeds"


def read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


AREAS = {row["area_code"]: row for row in read("areas.csv")}
TILES = {row["area_code"]: row for row in read("area_tiles.csv")}
# docs/architecture.md: an area exists in a period when its reporting year lies within
# valid_from_period..valid_to_period (empty: unbounded).
PERIOD_SETS = {
    "2008-09": [c for c, a in AREAS.items() if not a["valid_from_period"]],
    "2009-10": [c for c, a in AREAS.items() if not a["valid_to_period"]],
}


def cell(code: str) -> tuple[int, int]:
    return int(TILES[code]["tile_col"]), int(TILES[code]["tile_row"])


def map_tiles(period: str, fill=lambda code: "Similar to England") -> list[dict]:
    return [
        {
            "area_code": code,
            "area_name": AREAS[code]["area_name"],
            "tile_col": cell(code)[0],
            "tile_row": cell(code)[1],
            "region_name": AREAS[code]["region"],
            "value": 10.0 + index,
            "fill": fill(code),
        }
        for index, code in enumerate(PERIOD_SETS[period])
    ]


def blocks(cells: list[tuple[int, int]]) -> int:
    """How many groups of edge-touching cells `cells` make."""
    left, count = set(cells), 0
    while left:
        count += 1
        stack = [left.pop()]
        while stack:
            col, row = stack.pop()
            for step in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                near = (col + step[0], row + step[1])
                if near in left:
                    left.remove(near)
                    stack.append(near)
    return count


# ---- the layout seed ------------------------------------------------------------------------


def test_the_seed_is_the_rule_applied_to_the_areas():
    # the same bytes test_seeds checks with the reference; this needs only areas.csv
    built = tiles.area_tiles(AREAS.values())
    assert [{k: str(v) for k, v in row.items()} for row in built] == read("area_tiles.csv")


def test_every_area_has_a_tile_and_its_provenance():
    assert set(TILES) == set(AREAS) and len(TILES) == 154
    for row in TILES.values():
        assert row["source"].startswith("recalled, approximate"), row


@pytest.mark.parametrize(("period", "areas"), [("2008-09", 150), ("2009-10", 152)])
def test_each_period_has_one_tile_per_cell(period, areas):
    codes = PERIOD_SETS[period]
    assert len(codes) == areas
    assert len({cell(code) for code in codes}) == areas


def test_the_ended_counties_share_a_successor_cell():
    assert cell("E10000001") in {cell("E06000055"), cell("E06000056")}  # Bedfordshire
    assert cell("E10000004") in {cell("E06000049"), cell("E06000050")}  # Cheshire


def test_each_region_is_one_block_of_tiles():
    for codes in PERIOD_SETS.values():
        by_region = defaultdict(list)
        for code in codes:
            by_region[AREAS[code]["region"]].append(cell(code))
        assert len(by_region) == 9
        assert {region: blocks(cells) for region, cells in by_region.items()} == dict.fromkeys(by_region, 1)  # fmt: skip
        assert len(by_region["London"]) == 33


def test_london_is_compact_and_the_regions_sit_where_they_lie():
    by_region = defaultdict(list)
    for code in PERIOD_SETS["2009-10"]:
        by_region[AREAS[code]["region"]].append(cell(code))
    cols = [c for c, _ in by_region["London"]]
    rows = [r for _, r in by_region["London"]]
    assert (max(cols) - min(cols) + 1) * (max(rows) - min(rows) + 1) <= 33 * 2  # a block
    mean = {
        region: (sum(c for c, _ in cells) / len(cells), sum(r for _, r in cells) / len(cells))
        for region, cells in by_region.items()
    }
    col, row = ({r: m[i] for r, m in mean.items()} for i in (0, 1))
    assert min(row, key=row.get) == "North East"  # at the top
    assert row["North East"] < row["Yorkshire and the Humber"] < row["East Midlands"]
    assert row["North West"] < row["West Midlands"] < row["South West"]
    assert row["East of England"] < row["London"]
    assert col["South West"] < col["London"] and row["South West"] > row["East Midlands"]
    assert col["North West"] < col["Yorkshire and the Humber"]
    assert col["West Midlands"] < col["East Midlands"] < col["East of England"]
    # no region's middle lies inside another region's block
    for region, (x, y) in mean.items():
        inside = {
            other
            for other, cells in by_region.items()
            if (round(x - 0.5), round(y - 0.5)) in cells and other != region
        }
        assert not inside, (region, inside)


def test_an_area_without_a_centroid_stops_the_build():
    rows = [dict(AREAS["E06000001"], area_code="E06999999")]
    with pytest.raises(ValueError, match="E06999999.*CENTROIDS"):
        tiles.area_tiles(rows)


# ---- the drawing ----------------------------------------------------------------------------


def tile_group(svg: str) -> str:
    start = svg.index('<g class="mark-rect role-mark')
    return svg[start : svg.index("</g>", start)]


def label_group(svg: str) -> str:
    start = svg.index('<g class="mark-text role-mark')
    return svg[start : svg.index("</g>", start)]


@pytest.mark.parametrize("period", ["2008-09", "2009-10"])
def test_the_map_draws_one_tile_and_one_label_per_area(period):
    words = [label for label, _ in cartogram.COMPARISON_CATEGORIES]
    shown = map_tiles(period, lambda code: words[int(code[-1]) % len(words)])
    chart = cartogram.cartogram_chart(shown, f"NI 117, {period}", "map-ni-117", "Map")
    svg = str(chart.content)
    assert tile_group(svg).count("<path ") == len(shown) == len(PERIOD_SETS[period])
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", label_group(svg))
    expected = [cartogram.abbreviation(t["area_code"], t["area_name"]) for t in shown]
    assert sorted(labels) == sorted(expected)
    assert len(set(labels)) == len(labels)  # every area's label is its own
    assert svg.count("<title>") == len(shown)
    assert "Hartlepool (North East): 10; " in svg
    # the legend: the categories present, in order
    legend = re.findall(r"<text[^>]*>([^<]*)</text>", svg[svg.index("role-legend") :])
    assert [w for w in legend if w in words] == [w for w in words if any(t["fill"] == w for t in shown)]  # fmt: skip


def test_the_map_is_the_same_bytes_each_time():
    shown = map_tiles("2009-10")
    first = cartogram.cartogram_chart(shown, "Map", "map", "Map")
    assert cartogram.cartogram_chart(list(reversed(shown)), "Map", "map", "Map") == first


def test_names_in_titles_are_escaped():
    shown = map_tiles("2008-09")
    shown[0]["area_name"] = "<script>alert(1)</script> & Dagenham"
    svg = str(cartogram.cartogram_chart(shown, "Map <b>", "map", "Map").content)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Dagenham" in svg


def test_two_areas_on_one_cell_or_an_unknown_category_fail():
    shown = map_tiles("2009-10")
    doubled = shown + [dict(shown[0], area_code="E10000001", area_name="Bedfordshire")]
    with pytest.raises(ValueError, match="share tile cell"):
        cartogram.cartogram_spec(doubled, "Map")
    shown[0]["fill"] = "Brilliant"
    with pytest.raises(ValueError, match="'Brilliant' is not one of"):
        cartogram.cartogram_spec(shown, "Map")


@pytest.mark.parametrize(
    "categories", [cartogram.COMPARISON_CATEGORIES, cartogram.QUARTILE_CATEGORIES]
)
def test_labels_are_readable_on_every_fill(categories):
    for label, fill in categories:
        assert cartogram.contrast(cartogram.label_colour(fill), fill) >= 4.5, label
        assert cartogram.contrast(cartogram.TILE_STROKE, "#ffffff") >= 3, label
    assert len({fill for _, fill in categories}) == len(categories)  # each its own colour


def test_comparison_colours_are_the_sites_table_colours():
    css = (REPO / "pipelines" / "release" / "templates" / "site.css").read_text("utf-8")
    fills = dict(cartogram.COMPARISON_CATEGORIES)
    for code, label in (("better", "Better"), ("similar", "Similar"), ("worse", "Worse")):
        found = re.search(rf"\.cmp-{code} \{{ background: (#[0-9a-f]{{6}})", css)
        assert found and found.group(1) == fills[f"{label} {'to' if code == 'similar' else 'than'} England"]  # fmt: skip


def test_quartile_map_uses_the_quartile_colours():
    quarters = [label for label, _ in cartogram.QUARTILE_CATEGORIES]
    shown = map_tiles("2009-10", lambda code: quarters[int(code[-1]) % 4])
    spec = cartogram.cartogram_spec(shown, "Quartiles", cartogram.QUARTILE_CATEGORIES)
    scale = spec["layer"][0]["encoding"]["fill"]["scale"]
    assert scale["domain"] == quarters[:4]
    assert scale["range"] == [fill for _, fill in cartogram.QUARTILE_CATEGORIES[:4]]


def test_the_table_equivalent_is_sorted_by_region_then_name():
    shown = map_tiles("2009-10")
    shown[1]["value"] = None
    rows = cartogram.cartogram_rows(shown)
    assert len(rows) == 152
    keys = [(r["region_name"], r["area_name"]) for r in rows]
    assert keys == sorted(keys)
    assert set(rows[0]) == {"area_code", "area_name", "region_name", "value", "value_text", "category"}  # fmt: skip
    missing = next(r for r in rows if r["area_code"] == shown[1]["area_code"])
    assert missing["value_text"] == "no value"

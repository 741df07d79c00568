"""The tile cartogram's layout: one square tile per LAA area on a grid, regions recognisable.

The seed data/seeds/area_tiles.csv (area_code, tile_col, tile_row, source) is written by
`build_seeds` from `area_tiles(areas)`; col 0 is the west edge, row 0 the north edge.

How the cells are chosen, deterministically (no randomness, ties broken by area code):
1. Each area has an approximate centroid (`CENTROIDS`, **recalled, approximate**: from memory,
   not checked against boundary data; good enough to place a tile, not for anything else).
2. London's 33 boroughs are spread out around London's centre by `LONDON_SPREAD` so that they
   fill a compact block, and every other area is pushed away from that block by the block's
   radius (less the further it is), so the home counties ring London instead of sinking in.
3. The areas of 2009/10 on (152) take cells in turn, London first, then metropolitan
   districts, unitaries and counties (the dense places first, so the big rural counties fill
   in around them), each the free cell nearest its target point.
4. Bedfordshire and Cheshire (ended 2008-09) share a successor's cell: the nearer one. So the
   150 areas of 2008/09 and the 152 of 2009/10 each have one tile per cell, and a map drawn
   for one period has no overlap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

# Approximate centroid (latitude, longitude) of each area: recalled, approximate.
CENTROIDS: dict[str, tuple[float, float]] = {
    # North East: Hartlepool, Middlesbrough, Redcar and Cleveland, Stockton-on-Tees, Darlington,
    # Durham, Northumberland, Gateshead, Newcastle, North Tyneside, South Tyneside, Sunderland
    "E06000001": (54.69, -1.21), "E06000002": (54.55, -1.23), "E06000003": (54.55, -1.00),
    "E06000004": (54.57, -1.32), "E06000005": (54.53, -1.55), "E06000047": (54.70, -1.80),
    "E06000048": (55.25, -2.05), "E08000020": (54.93, -1.70), "E08000021": (55.00, -1.65),
    "E08000022": (55.03, -1.50), "E08000023": (54.96, -1.43), "E08000024": (54.88, -1.43),
    # North West: Halton, Warrington, Blackburn with Darwen, Blackpool, Cheshire East, Cheshire
    # West and Chester, Cheshire, Cumbria, Lancashire, Greater Manchester (Bolton .. Wigan),
    # Merseyside (Knowsley, Liverpool, St Helens, Sefton, Wirral)
    "E06000006": (53.35, -2.70), "E06000007": (53.40, -2.55), "E06000008": (53.70, -2.46),
    "E06000009": (53.82, -3.03), "E06000049": (53.15, -2.30), "E06000050": (53.18, -2.75),
    "E10000004": (53.17, -2.55), "E10000006": (54.55, -3.00), "E10000017": (53.85, -2.55),
    "E08000001": (53.58, -2.48), "E08000002": (53.59, -2.31), "E08000003": (53.47, -2.23),
    "E08000004": (53.55, -2.07), "E08000005": (53.62, -2.15), "E08000006": (53.49, -2.35),
    "E08000007": (53.40, -2.13), "E08000008": (53.48, -2.07), "E08000009": (53.42, -2.35),
    "E08000010": (53.53, -2.60), "E08000011": (53.44, -2.83), "E08000012": (53.41, -2.95),
    "E08000013": (53.46, -2.73), "E08000014": (53.54, -3.00), "E08000015": (53.37, -3.07),
    # Yorkshire and the Humber: Hull, East Riding, North East Lincolnshire, North Lincolnshire,
    # York, South Yorkshire (Barnsley, Doncaster, Rotherham, Sheffield), West Yorkshire
    # (Bradford, Calderdale, Kirklees, Leeds, Wakefield), North Yorkshire
    "E06000010": (53.76, -0.34), "E06000011": (53.88, -0.55), "E06000012": (53.53, -0.10),
    "E06000013": (53.60, -0.58), "E06000014": (53.96, -1.08), "E08000016": (53.53, -1.48),
    "E08000017": (53.52, -1.10), "E08000018": (53.40, -1.30), "E08000019": (53.38, -1.52),
    "E08000032": (53.82, -1.85), "E08000033": (53.72, -1.95), "E08000034": (53.62, -1.78),
    "E08000035": (53.82, -1.52), "E08000036": (53.66, -1.45), "E10000023": (54.15, -1.40),
    # East Midlands: Derby, Leicester, Rutland, Nottingham, Derbyshire, Leicestershire,
    # Lincolnshire, Northamptonshire, Nottinghamshire
    "E06000015": (52.92, -1.47), "E06000016": (52.63, -1.13), "E06000017": (52.66, -0.63),
    "E06000018": (52.95, -1.16), "E10000007": (53.10, -1.60), "E10000018": (52.70, -1.20),
    "E10000019": (53.10, -0.25), "E10000021": (52.30, -0.85), "E10000024": (53.15, -1.00),
    # West Midlands: Herefordshire, Telford and Wrekin, Stoke-on-Trent, Shropshire, the West
    # Midlands (Birmingham .. Wolverhampton), Staffordshire, Warwickshire, Worcestershire
    "E06000019": (52.08, -2.75), "E06000020": (52.73, -2.48), "E06000021": (53.02, -2.17),
    "E06000051": (52.62, -2.75), "E08000025": (52.48, -1.89), "E08000026": (52.41, -1.51),
    "E08000027": (52.48, -2.10), "E08000028": (52.52, -2.00), "E08000029": (52.41, -1.73),
    "E08000030": (52.59, -1.98), "E08000031": (52.59, -2.13), "E10000028": (52.85, -2.00),
    "E10000031": (52.30, -1.55), "E10000034": (52.20, -2.20),
    # East of England: Peterborough, Luton, Southend-on-Sea, Thurrock, Bedford, Central
    # Bedfordshire, Bedfordshire, Cambridgeshire, Essex, Hertfordshire, Norfolk, Suffolk
    "E06000031": (52.58, -0.25), "E06000032": (51.88, -0.42), "E06000033": (51.55, 0.70),
    "E06000034": (51.50, 0.35), "E06000055": (52.18, -0.50), "E06000056": (52.00, -0.45),
    "E10000001": (52.08, -0.47), "E10000003": (52.35, 0.05), "E10000012": (51.80, 0.55),
    "E10000015": (51.80, -0.20), "E10000020": (52.65, 1.00), "E10000029": (52.20, 1.00),
    # London: the 33 boroughs in code order, City of London .. Westminster
    "E09000001": (51.515, -0.09), "E09000002": (51.55, 0.13), "E09000003": (51.62, -0.21),
    "E09000004": (51.45, 0.15), "E09000005": (51.56, -0.27), "E09000006": (51.37, 0.05),
    "E09000007": (51.55, -0.16), "E09000008": (51.37, -0.08), "E09000009": (51.51, -0.31),
    "E09000010": (51.65, -0.08), "E09000011": (51.47, 0.05), "E09000012": (51.55, -0.06),
    "E09000013": (51.49, -0.22), "E09000014": (51.59, -0.11), "E09000015": (51.59, -0.34),
    "E09000016": (51.56, 0.23), "E09000017": (51.54, -0.45), "E09000018": (51.47, -0.37),
    "E09000019": (51.55, -0.11), "E09000020": (51.50, -0.19), "E09000021": (51.39, -0.29),
    "E09000022": (51.46, -0.12), "E09000023": (51.44, -0.02), "E09000024": (51.41, -0.19),
    "E09000025": (51.53, 0.03), "E09000026": (51.58, 0.07), "E09000027": (51.44, -0.33),
    "E09000028": (51.47, -0.08), "E09000029": (51.36, -0.17), "E09000030": (51.515, -0.03),
    "E09000031": (51.59, -0.01), "E09000032": (51.45, -0.19), "E09000033": (51.51, -0.15),
    # South East: Medway, Bracknell Forest, West Berkshire, Reading, Slough, Windsor and
    # Maidenhead, Wokingham, Milton Keynes, Brighton and Hove, Portsmouth, Southampton, Isle of
    # Wight, Buckinghamshire, East Sussex, Hampshire, Kent, Oxfordshire, Surrey, West Sussex
    "E06000035": (51.40, 0.55), "E06000036": (51.41, -0.75), "E06000037": (51.45, -1.30),
    "E06000038": (51.45, -0.97), "E06000039": (51.51, -0.59), "E06000040": (51.48, -0.68),
    "E06000041": (51.41, -0.88), "E06000042": (52.04, -0.76), "E06000043": (50.84, -0.15),
    "E06000044": (50.81, -1.07), "E06000045": (50.92, -1.40), "E06000046": (50.68, -1.30),
    "E10000002": (51.78, -0.80), "E10000011": (50.92, 0.30), "E10000014": (51.05, -1.25),
    "E10000016": (51.20, 0.75), "E10000025": (51.75, -1.30), "E10000030": (51.25, -0.40),
    "E10000032": (50.95, -0.45),
    # South West: Bath and North East Somerset, Bristol, North Somerset, South Gloucestershire,
    # Plymouth, Torbay, Bournemouth, Poole, Swindon, Cornwall, Isles of Scilly, Wiltshire,
    # Devon, Dorset, Gloucestershire, Somerset
    "E06000022": (51.35, -2.45), "E06000023": (51.46, -2.59), "E06000024": (51.40, -2.80),
    "E06000025": (51.53, -2.45), "E06000026": (50.39, -4.12), "E06000027": (50.45, -3.55),
    "E06000028": (50.73, -1.85), "E06000029": (50.73, -1.98), "E06000030": (51.57, -1.75),
    "E06000052": (50.40, -4.90), "E06000053": (49.93, -6.30), "E06000054": (51.30, -1.95),
    "E10000008": (50.75, -3.70), "E10000009": (50.80, -2.35), "E10000013": (51.85, -2.20),
    "E10000027": (51.10, -3.00),
}  # fmt: skip
SOURCE = (
    "recalled, approximate: centroid from memory (pipelines/reference/tiles.py CENTROIDS); "
    "cell chosen by its rule"
)
CELL_DEGREES = 0.27  # a tile's side, in degrees of latitude (30 km)
MID_LATITUDE = 52.5  # for the east-west scale: a degree of longitude is cos(52.5°) as long
LONDON = (51.50, -0.12)  # the centre the London block is built around
LONDON_SPREAD = 4.0  # London's boroughs sit this many times further apart than on the ground
PUSH_DECAY = 2.5  # cells: how fast the push away from the London block fades with distance
REGION_ORDER = [
    "London", "South East", "East of England", "East Midlands", "West Midlands",
    "Yorkshire and the Humber", "North West", "North East", "South West",
]  # fmt: skip
NEIGHBOURS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def target_point(lat: float, lon: float) -> tuple[float, float]:
    """(x, y) in cells, x east and y south, before London's block is made room for."""
    x = lon * math.cos(math.radians(MID_LATITUDE)) / CELL_DEGREES
    return x, -lat / CELL_DEGREES


def spread_point(lat: float, lon: float, is_london: bool) -> tuple[float, float]:
    """The point an area's tile should be nearest to (cells), London made room for.

    London's boroughs are spread `LONDON_SPREAD` times further apart than on the ground; every
    other point moves away from London's centre by the London block's radius, less the
    further it is (`PUSH_DECAY` cells), so the home counties ring the block.
    """
    cx, cy = target_point(*LONDON)
    x, y = target_point(lat, lon)
    dx, dy = x - cx, y - cy
    if is_london:
        return cx + dx * LONDON_SPREAD, cy + dy * LONDON_SPREAD
    distance = math.hypot(dx, dy)
    scale = 1 + math.sqrt(33 / math.pi) * math.exp(-distance / PUSH_DECAY) / distance
    return cx + dx * scale, cy + dy * scale


def _fit(cell: tuple[int, int], point: tuple[float, float]) -> tuple[float, int, int]:
    """Sort key of a cell for a point: squared distance, then row, then column."""
    distance = (cell[0] + 0.5 - point[0]) ** 2 + (cell[1] + 0.5 - point[1]) ** 2
    return round(distance, 9), cell[1], cell[0]


def grow_region(
    points: Mapping[str, tuple[float, float]], taken: dict[tuple[int, int], str]
) -> dict[str, tuple[int, int]]:
    """Cells for one region's areas, grown as one block of edge-touching tiles.

    The area nearest the region's mean point takes the free cell nearest its own point; then,
    nearest the mean first, each area takes the free cell beside the block nearest its point
    (ties: smaller row, then column). `taken` (cell: area code) is updated.
    """
    mean = (
        sum(x for x, _ in points.values()) / len(points),
        sum(y for _, y in points.values()) / len(points),
    )
    order = sorted(points, key=lambda c: (math.dist(points[c], mean), c))
    cells: dict[str, tuple[int, int]] = {}
    for code in order:
        border = {
            (col + dc, row + dr)
            for col, row in cells.values()
            for dc, dr in NEIGHBOURS
            if (col + dc, row + dr) not in taken
        }
        # the first area, or one whose block is walled in: the nearest free cell anywhere
        cells[code] = min(border or _free_near(points[code], taken), key=lambda cell: _fit(cell, points[code]))  # fmt: skip
        taken[cells[code]] = code
    return cells


def _free_near(point: tuple[float, float], taken: Mapping[tuple[int, int], str]) -> list:
    """The free cells in the smallest square around `point` that has any."""
    x, y = math.floor(point[0]), math.floor(point[1])
    reach = 0
    while True:
        free = [
            (col, row)
            for col in range(x - reach, x + reach + 1)
            for row in range(y - reach, y + reach + 1)
            if (col, row) not in taken
        ]
        if free:
            return free
        reach += 1


def place_heirs(
    ended: str,
    successors: list[str],
    cells: dict[str, tuple[int, int]],
    taken: dict[tuple[int, int], str],
    sources: dict[str, str],
) -> None:
    """Tiles for the areas that replaced `ended`: one on its cell, the others beside it.

    The successor nearest the ended area's cell shares that cell; each other takes the free
    cell beside it nearest its own point. Both periods' maps keep one tile per cell, and the
    region stays one block in each (the new tile hangs off a cell the region keeps).
    """
    points = {code: target_point(*CENTROIDS[code]) for code in successors}
    ranked = sorted(successors, key=lambda code: (_fit(cells[ended], points[code]), code))
    cells[ranked[0]] = cells[ended]
    sources[ended] = (
        f"{SOURCE}; shares its cell with its successor {ranked[0]} (a map is per period)"
    )
    for code in ranked[1:]:
        col, row = cells[ended]
        beside = [
            (col + dc, row + dr) for dc, dr in NEIGHBOURS if (col + dc, row + dr) not in taken
        ]
        cells[code] = min(beside or _free_near(points[code], taken), key=lambda c: _fit(c, points[code]))  # fmt: skip
        taken[cells[code]] = code
        sources[code] = f"{SOURCE}; beside the cell of {ended}, which it replaced in part"


def area_tiles(areas: Iterable[Mapping[str, object]]) -> list[dict[str, object]]:
    """One row per area (area_code, tile_col, tile_row, source), sorted by area_code.

    `areas`: rows of areas.csv (area_code, area_type, region, valid_to_period and
    successor_gss_code are read). The areas of the first period are placed region by region;
    an area that ended (Bedfordshire, Cheshire) shares its cell with one successor and the
    others sit beside it. An area without a centroid in CENTROIDS stops the build.
    """
    areas = list(areas)
    missing = sorted(str(a["area_code"]) for a in areas if a["area_code"] not in CENTROIDS)
    if missing:
        raise ValueError(
            f"no centroid for area(s) {', '.join(missing)}: add them to CENTROIDS in "
            "pipelines/reference/tiles.py (recalled, approximate) and rebuild the seeds"
        )
    codes = {str(a["area_code"]) for a in areas}
    heirs = {
        str(a["area_code"]): sorted(
            code for code in (c.strip() for c in str(a["successor_gss_code"]).split(";"))
            if code in codes
        )
        for a in areas
        if a["valid_to_period"]
    }  # fmt: skip
    inherited = {code for codes_ in heirs.values() for code in codes_}
    first = [a for a in areas if str(a["area_code"]) not in inherited]
    taken: dict[tuple[int, int], str] = {}
    cells: dict[str, tuple[int, int]] = {}
    sources = {code: SOURCE for code in codes}
    regions = REGION_ORDER + sorted({str(a["region"]) for a in areas} - set(REGION_ORDER))
    for region in regions:
        points = {
            str(a["area_code"]): spread_point(
                *CENTROIDS[str(a["area_code"])], a["area_type"] == "london_borough"
            )
            for a in first
            if a["region"] == region
        }
        if not points:
            continue
        cells.update(grow_region(points, taken))
        for ended in sorted(code for code in points if heirs.get(code)):
            place_heirs(ended, heirs[ended], cells, taken, sources)
    left = min(col for col, _ in cells.values())
    top = min(row for _, row in cells.values())
    return [
        {
            "area_code": code,
            "tile_col": cells[code][0] - left,
            "tile_row": cells[code][1] - top,
            "source": sources[code],
        }
        for code in sorted(cells)
    ]


def preview(tiles: list[dict[str, object]], labels: Mapping[str, str]) -> str:
    """The grid as text, one `labels[area_code]` (2 characters) a cell: for looking at."""
    width = max(int(t["tile_col"]) for t in tiles) + 1
    height = max(int(t["tile_row"]) for t in tiles) + 1
    grid = [["  "] * width for _ in range(height)]
    for tile in tiles:
        grid[int(tile["tile_row"])][int(tile["tile_col"])] = labels[str(tile["area_code"])]
    return "\n".join(" ".join(row).rstrip() for row in grid)

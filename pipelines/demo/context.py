"""Where each demo area sits on deprivation and rurality: the latents behind related indicators.

An area's deprivation and rurality are each a structural part, from its region, its type and
(for a few well-known areas) its name, plus a draw of its own, scaled to about N(0, 1) over
the 150 areas. Indicators load on them (levels.py, indicator_levels.csv), so a deprived area
is worse on out-of-work benefits, child poverty, NEET, mortality and GCSEs alike, and a rural
county has lower access by public transport and fewer bus journeys per head.

The structural parts are RECALLED, APPROXIMATE (the broad shape of the 2007 Indices of
Deprivation and of the urban/rural classification, from memory, unverified): the North East,
North West, Yorkshire and the Humber and West Midlands, the metropolitan districts and the
inner London boroughs more deprived; the South East, East of England and the shire counties
less; London boroughs and metropolitan districts urban, counties rural, unitaries between.
Demo data only: never cite these as facts.
"""

from __future__ import annotations

# Region code -> deprivation, before the area's type and name.
REGION_DEPRIVATION = {
    "E12000001": 0.7,  # North East
    "E12000002": 0.5,  # North West
    "E12000003": 0.4,  # Yorkshire and the Humber
    "E12000004": 0.0,  # East Midlands
    "E12000005": 0.4,  # West Midlands
    "E12000006": -0.5,  # East of England
    "E12000007": 0.1,  # London
    "E12000008": -0.7,  # South East
    "E12000009": -0.4,  # South West
}
TYPE_DEPRIVATION = {
    "metropolitan_district": 0.4,
    "london_borough": 0.0,
    "unitary": 0.2,
    "county": -0.5,
}
TYPE_RURALITY = {
    "london_borough": -1.6,
    "metropolitan_district": -0.7,
    "unitary": -0.2,
    "county": 1.0,
}

# Among the most deprived areas in the 2007 Indices (recalled, approximate).
MORE_DEPRIVED = {
    "E08000012": "Liverpool", "E08000011": "Knowsley", "E08000003": "Manchester",
    "E09000012": "Hackney", "E09000030": "Tower Hamlets", "E06000002": "Middlesbrough",
    "E06000010": "Kingston upon Hull", "E09000019": "Islington", "E09000025": "Newham",
    "E08000025": "Birmingham", "E08000028": "Sandwell", "E06000018": "Nottingham",
    "E06000016": "Leicester", "E06000009": "Blackpool", "E06000021": "Stoke-on-Trent",
    "E06000001": "Hartlepool", "E08000006": "Salford", "E09000014": "Haringey",
    "E09000002": "Barking and Dagenham", "E08000032": "Bradford", "E09000022": "Lambeth",
    "E09000028": "Southwark", "E08000021": "Newcastle upon Tyne", "E08000031": "Wolverhampton",
}  # fmt: skip
# Among the least deprived (recalled, approximate).
LESS_DEPRIVED = {
    "E06000041": "Wokingham", "E10000030": "Surrey", "E06000040": "Windsor and Maidenhead",
    "E10000002": "Buckinghamshire", "E09000027": "Richmond upon Thames",
    "E06000037": "West Berkshire", "E06000017": "Rutland", "E10000015": "Hertfordshire",
    "E06000036": "Bracknell Forest", "E10000025": "Oxfordshire",
    "E09000021": "Kingston upon Thames", "E10000003": "Cambridgeshire",
    "E06000025": "South Gloucestershire", "E08000029": "Solihull", "E08000009": "Trafford",
}  # fmt: skip
# Unitaries that are mostly rural (recalled, approximate).
RURAL_UNITARIES = {
    "E06000017": "Rutland", "E06000019": "Herefordshire", "E06000011": "East Riding of Yorkshire",
    "E06000046": "Isle of Wight", "E06000053": "Isles of Scilly",
    "E06000013": "North Lincolnshire", "E06000056": "Central Bedfordshire",
    "E06000049": "Cheshire East",
}  # fmt: skip
NAMED_SHIFT = 0.9  # how far a named area moves, before scaling

# The structural parts' typical centre and the combined spread, so the latents come out at
# about N(0, 1) over the 150 areas (tests/test_demo_levels.py checks it).
DEPRIVATION_CENTRE, DEPRIVATION_SCALE = 0.0, 0.95
RURALITY_CENTRE, RURALITY_SCALE = -0.2, 0.95
OWN_DEPRIVATION, OWN_RURALITY = 0.5, 0.35  # the weight of the area's own draw


def deprivation_of(area_code: str, area_type: str, region_code: str, own: float) -> float:
    """An area's deprivation latent (higher = more deprived); `own` is its N(0, 1) draw."""
    structural = REGION_DEPRIVATION.get(region_code, 0.0) + TYPE_DEPRIVATION.get(area_type, 0.0)
    if area_code in MORE_DEPRIVED:
        structural += NAMED_SHIFT
    elif area_code in LESS_DEPRIVED:
        structural -= NAMED_SHIFT
    return (structural - DEPRIVATION_CENTRE + OWN_DEPRIVATION * own) / DEPRIVATION_SCALE


def rurality_of(area_code: str, area_type: str, own: float) -> float:
    """An area's rurality latent (higher = more rural); `own` is its N(0, 1) draw."""
    structural = TYPE_RURALITY.get(area_type, 0.0)
    if area_code in RURAL_UNITARIES:
        structural = TYPE_RURALITY["county"]
    return (structural - RURALITY_CENTRE + OWN_RURALITY * own) / RURALITY_SCALE

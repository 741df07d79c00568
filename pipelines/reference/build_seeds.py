"""Build the reference seeds in data/seeds/ from the public reference data in shared/reference/.

Deterministic and re-runnable: the same reference files always give the same bytes (rows sorted,
LF line endings, fixed columns, numbers written without float noise). Every derived attribute
says which rule set it (`derived_attributes_basis`); `data/seeds/README.md` explains the rules.

    python -m pipelines.reference.build_seeds [--reference-dir DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

from pipelines.demo.levels import level_of
from pipelines.reference import lsoa_lookup
from pipelines.reference.tiles import area_tiles

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
DEFAULT_OUT_DIR = REPO_ROOT / "data" / "seeds"

FIRST_YEAR, LAST_YEAR = 1998, 2010  # framework window: 1998 baselines .. 2010/11
REGION_CODES = {
    "North East": "E12000001", "North West": "E12000002", "Yorkshire and the Humber": "E12000003",
    "East Midlands": "E12000004", "West Midlands": "E12000005", "East of England": "E12000006",
    "London": "E12000007", "South East": "E12000008", "South West": "E12000009",
}  # fmt: skip
# Counties abolished 1 Apr 2009: the unitaries that inherit their 2009/10 and 2010/11 targets.
SUCCESSORS = {"E10000001": ("E06000055", "E06000056"), "E10000004": ("E06000049", "E06000050")}
MAA_CODES = {
    "Bournemouth, Dorset and Poole": "MAA_BOURNEMOUTH_DORSET_POOLE",
    "Greater Manchester": "MAA_GREATER_MANCHESTER",
    "Leeds City Region": "MAA_LEEDS_CITY_REGION",
    "Partnership for Urban South Hampshire (PUSH)": "MAA_PUSH",
    "South Yorkshire": "MAA_SOUTH_YORKSHIRE",
    "Tees Valley": "MAA_TEES_VALLEY",
    "Tyne and Wear (City Region)": "MAA_TYNE_AND_WEAR",
    "Leicester and Leicestershire": "MAA_LEICESTER_LEICESTERSHIRE",
    "Liverpool City Region": "MAA_LIVERPOOL_CITY_REGION",
    "Pennine Lancashire": "MAA_PENNINE_LANCASHIRE",
    "North Kent": "MAA_NORTH_KENT",
    "West of England": "MAA_WEST_OF_ENGLAND",
    "City Region of Birmingham, Coventry and the Black Country": (
        "MAA_BIRMINGHAM_COVENTRY_BLACK_COUNTRY"
    ),
}
# Polarity where the reference is blank: (choice, reason).
CHOSEN_POLARITY = {
    "NI 12": ("neither", "refused/deferred HMO licences leading to enforcement: no good direction"),
    "NI 183": ("higher_is_better", "a larger positive impact on fair trading is better"),
    "NI 196": ("lower_is_better", "fly-tipping grade 1 (very effective) is best"),
}
# Per-indicator exceptions to the unit rules: (field, value, reason).
OVERRIDES = {
    "NI 154": [("valid_min", None, "net additions go negative where demolitions exceed builds")],
    "NI 159": [
        ("valid_max", None, "supply is measured against the 5-year need and can exceed 100%"),
        ("aggregation", "none", "a supply/requirement percentage is not additive"),
    ],
    "NI 195": [("aggregation", "none", "four parts (litter, detritus, graffiti, fly-posting)")],
}
# Unit rules, first match wins: (pattern, kind, aggregation, valid_min, valid_max, reason).
UNIT_RULES: list[tuple[str, str, str, float | None, float | None, str]] = [
    (r"(?:level|grade|self-assessment)\s*(\d+)-(\d+)", "scale", "none", None, None, "scale"),
    (r"parts|by mode", "multi", "none", 0, None, "multi-part indicator"),
    (r"% change", "change", "none", -100, None, "% change of a non-negative quantity"),
    (r"% reduction", "reduction", "none", None, 100, "% reduction of a non-negative quantity"),
    (r"percentage points|gap|percentage difference", "gap", "none", -100, 100,
     "gap/difference between percentages"),
    (r"age.standardised", "rate", "none", 0, None, "age-standardised rate"),
    (r" / ", "composite", "none", 0, None, "composite unit"),
    (r"^(?:percentage|percent|proportion)", "percentage", "ratio", 0, 100,
     "percentage: a numerator over a summable denominator"),
    (r"^count", "count", "sum", 0, None, "count"),
    (r"^gbp \(cumulative", "cumulative", "sum", 0, None, "cumulative cash value"),
    (r"score", "score", "none", 0, None, "score"),
    (r"minutes per mile|^gbp per week|^years$", "measure", "none", 0, None,
     "average/median measure that is not a ratio of sums"),
    (r" per |^average days$", "rate", "ratio", 0, None, "crude rate or average of sums"),
]  # fmt: skip
# Plausible baselines for the illustrative targets, by unit (percentages and kinds: below).
BASELINE_RANGES = {
    "rate per 1,000 population": (2, 25), "rate per 10,000 population": (3, 15),
    "rate per 100,000 population": (100, 300), "rate per 10,000 population aged 0-17": (80, 160),
    "rate per 100,000 population aged 10-17": (800, 2500),
    "4-week quitters per 100,000 population aged 16+": (400, 1100),
    "rate per 100,000 population aged 18+": (5, 20), "registrations per 10,000 adults": (35, 80),
    "directly age-standardised rate per 100,000": (80, 700),
    "rate per 100,000 population (directly age-standardised)": (1000, 2000),
    "rate per 1,000 population (age standardised)": (20, 40), "rate / percentage": (5, 30),
    "changes per 1,000 caseload": (300, 900), "average days": (10, 30),
    "bed days per head": (0.5, 1.5), "kg per household": (550, 800), "years": (10, 14),
    "minutes per mile": (2, 5), "GBP per week": (350, 600), "count": (100, 3000),
    "count of schools": (3, 20), "count of learners": (200, 2000), "count of entries": (100, 800),
    "count of centres": (5, 30), "count of dwellings (net)": (200, 2500),
    "count of dwellings": (100, 800), "count of households": (50, 1500),
    "count of journeys": (2_000_000, 60_000_000), "count of schools / months": (2, 12),
    "score": (1, 4), "score (parental experience survey)": (55, 65),
    "average SDQ score": (12, 16),
}  # fmt: skip
# ... and for a few indicators whose unit-level range would be off by an order of magnitude.
BASELINE_BY_NI = {
    "NI 15": (0.5, 2.5), "NI 16": (8, 25), "NI 20": (4, 14), "NI 28": (0.3, 2),
    "NI 29": (0.1, 0.8), "NI 120": (500, 800), "NI 121": (60, 130), "NI 122": (100, 150),
    "NI 87": (3, 9), "NI 117": (4, 12),
}  # fmt: skip
KIND_BASELINES = {"percentage": (10, 90), "multi": (40, 85), "gap": (10, 35), "change": (-20, 0),
                  "reduction": (0, 5), "cumulative": (0, 0)}  # fmt: skip
# What kind of figure each unit kind is, and the confidence interval method that follows
# (statistical_methods.md): (value_type, ci_method, reason). `byar` means Byar's method for a
# numerator of 10 or more and exact Poisson limits below 10; `none` has no method here.
VALUE_TYPES = {
    "percentage": ("proportion", "wilson", "a numerator out of a denominator: Wilson score"),
    "rate": ("rate", "byar", "events over a population: Byar's, exact Poisson below 10"),
    "count": ("count", "byar", "a count of events: Byar's, exact Poisson below 10"),
    "score": ("score/index", "none", "a score: a t interval needs a standard error, not returned"),
    "scale": ("score/index", "none", "a graded scale: no sampling interval"),
    "measure": ("mean", "none", "an average: a t interval needs a standard error, not returned"),
}
# ... where the unit kind alone would mislead.
VALUE_TYPE_BY_UNIT = {
    "average days": ("mean", "none", "an average duration: needs a standard error"),
    "kg per household": ("mean", "none", "an average weight per household: needs a standard error"),
    "count of dwellings (net)": ("other", "none", "a net count can be negative: not Poisson"),
}
AGE_STANDARDISED = ("rate", "none", "directly age-standardised: Dobson's method needs age bands")
POISSON_EXACT_BELOW = 10  # Byar's approximation from 10 events up (statistical_methods.md)
TARGET_YEARS = (2008, 2009, 2010)
# The published shape of the 2008 agreements (leaflet figures, reference_notes.md section 5).
MEAN_DESIGNATED, AREAS_AT_35, NI117_AREAS = 31, 56, 115
# Whole-year period types: (period_id, label, start_date, end_date) templates;
# y = first calendar year, n = the next, fy = financial-year id, label = "2008/09".
YEAR_PERIODS = {
    "financial_year": ("{fy}", "{label}", "{y}-04-01", "{n}-03-31"),
    "academic_year": ("AY{fy}", "{label} (academic)", "{y}-09-01", "{n}-08-31"),
    "calendar_year": ("{y}", "{y}", "{y}-01-01", "{y}-12-31"),
    "survey": ("PS{y}", "Place Survey {y}", "{y}-01-01", "{y}-12-31"),
}
QUARTER_BOUNDS = [("04-01", "06-30"), ("07-01", "09-30"), ("10-01", "12-31"), ("01-01", "03-31")]


def fmt_number(value: float | int | None) -> str:
    """Write a number without float noise: 100, 0.5, -12.3; None is empty."""
    if value is None:
        return ""
    value = round(float(value), 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    return str(int(value)) if value.is_integer() else repr(value)


def fmt_bool(value: bool) -> str:
    return "true" if value else "false"


def fy_label(year: int) -> str:
    """Return spelling of the financial year starting in `year`: 2008 -> '2008/09'."""
    return f"{year}/{(year + 1) % 100:02d}"


def fy_id(year: int) -> str:
    """Financial-year id of the year starting in April `year`: 2008 -> '2008-09'."""
    return f"{year}-{(year + 1) % 100:02d}"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    """Write rows as UTF-8 CSV with LF endings; the columns are the row builder's key order."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def period_type_rule(row: dict[str, str]) -> tuple[str, str]:
    """The indicator's period type and why, from its collection and frequency."""
    frequency = row["frequency"].strip()
    if row["collection"].startswith("Place Survey"):
        return "survey", "collection 'Place Survey'"
    if "academic year" in frequency:
        return "academic_year", f"frequency '{frequency}'"
    if "calendar year" in frequency:
        return "calendar_year", f"frequency '{frequency}'"
    if frequency == "quarterly" or frequency.startswith("quarterly ("):
        return "quarter", f"frequency '{frequency}'"
    if not frequency:
        return "financial_year", "default (chosen: reference blank frequency)"
    return "financial_year", f"frequency '{frequency}' (annual default)"


def multiplier_rule(unit: str) -> int:
    """Scale of the unit: value = numerator / denominator x multiplier."""
    text = unit.lower()
    if "%" in text or "percent" in text or "proportion" in text:
        return 100
    for per in (100_000, 10_000, 1_000):
        if f"per {per:,}" in text:
            return per
    return 1


def unit_rule(unit: str) -> tuple[str, str, float | None, float | None, str]:
    """(kind, aggregation, valid_min, valid_max, reason) for a non-blank unit; unknown: error."""
    for pattern, kind, aggregation, low, high, reason in UNIT_RULES:
        match = re.search(pattern, unit.lower())
        if not match:
            continue
        if kind == "scale":  # the scale is written in the unit: "level 1-5"
            low, high = float(match.group(1)), float(match.group(2))
        elif kind == "multi" and multiplier_rule(unit) == 100:  # every part is a percentage
            high = 100
        return kind, aggregation, low, high, reason
    raise ValueError(f"unit {unit!r} has no rule in UNIT_RULES; add one before building seeds")


def value_type_rule(unit: str, kind: str, aggregation: str) -> tuple[str, str, str]:
    """(value_type, ci_method, reason) for an indicator's unit, its kind and aggregation."""
    if unit in VALUE_TYPE_BY_UNIT:
        return VALUE_TYPE_BY_UNIT[unit]
    if kind == "rate" and aggregation == "none":
        return AGE_STANDARDISED
    if kind == "percentage" and aggregation != "ratio":
        return "other", "none", "a percentage that is not one numerator over one denominator"
    return VALUE_TYPES.get(kind, ("other", "none", f"a {kind} figure: no standard method"))


def build_indicator(row: dict[str, str]) -> dict[str, object]:
    """One national_indicators.csv row: the reference's fields plus the derived attributes."""
    ni_code, unit = row["ni_code"], row["unit"].strip()
    period_type, period_why = period_type_rule(row)
    basis = [f"period_type {period_type} from {period_why}"]
    polarity = row["polarity"].strip()
    if not polarity:
        polarity, why = CHOSEN_POLARITY[ni_code]
        basis.append(f"polarity {polarity} chosen: reference blank ({why})")
    if unit:
        kind, aggregation, low, high, why = unit_rule(unit)
        multiplier = multiplier_rule(unit)
        basis += [
            f"multiplier {multiplier} from unit '{unit}'",
            f"aggregation {aggregation} ({why})",
            f"range {fmt_number(low) or 'unbounded'}..{fmt_number(high) or 'unbounded'} ({why})",
        ]
    else:
        aggregation, low, high, multiplier = "none", None, None, 1
        basis.append(
            "unit left blank, multiplier 1, aggregation none, range unbounded "
            "(chosen: reference blank)"
        )
    fields = {"aggregation": aggregation, "valid_min": low, "valid_max": high}
    for field, value, why in OVERRIDES.get(ni_code, []):
        fields[field] = value
        shown = value if field == "aggregation" else fmt_number(value) or "unbounded"
        basis.append(f"override {field} {shown} ({why})")
    if unit:
        value_type, ci_method, why = value_type_rule(unit, kind, str(fields["aggregation"]))
    else:
        value_type, ci_method, why = "other", "none", "unit left blank"
    basis.append(f"value_type {value_type}, ci_method {ci_method} from unit '{unit}' ({why})")
    is_live = not row["status_2008"].startswith("dropped")
    if not is_live:
        basis.append("is_live false: dropped before implementation (March 2008)")
    elif "likely deleted" in row["status_2008"]:
        basis.append("is_live true: reference says likely deleted in 2009 refresh (unverified)")
    return {
        "ni_code": ni_code,
        "ni_number": int(row["ni_number"]),
        "title": row["title"],
        "theme": row["theme"],
        "polarity": polarity,
        "unit": unit,
        "period_type": period_type,
        "multiplier": fmt_number(multiplier),
        "valid_min": fmt_number(fields["valid_min"]),
        "valid_max": fmt_number(fields["valid_max"]),
        "aggregation": fields["aggregation"],
        "value_type": value_type,
        "ci_method": ci_method,
        "collection": row["collection"],
        "frequency": row["frequency"],
        "is_live": fmt_bool(is_live),
        "is_statutory_education_target": row["statutory_education_target"],
        "status_2008": row["status_2008"],
        "notes": row["notes"],
        "source": row["source_of_row"],
        "attributes_source": f"{row['theme_source']} | {row['attributes_source']}",
        "derived_attributes_basis": "; ".join(basis),
    }


def build_areas(reference: list[dict[str, str]]) -> list[dict[str, object]]:
    """areas.csv rows, sorted by area_code; the 2009 reorganisation as validity periods.

    Every area_code is the reference's own gss_code, with the reference's source: an area
    without one stops the build, because a code is never invented here.
    """
    rows = []
    for row in reference:
        name, is_laa, code = row["area_name"], row["laa_area_2008"] == "true", row["gss_code"]
        if not code:
            raise ValueError(
                f"area {name!r} has no gss_code in the reference's areas.csv; add the code "
                "with its source there before building seeds"
            )
        rows.append(
            {
                "area_code": code,
                "area_name": name,
                "area_type": row["area_type"],
                "region": row["government_office_region"],
                "region_code": REGION_CODES[row["government_office_region"]],
                "valid_from_period": "" if is_laa else fy_id(2009),
                "valid_to_period": fy_id(2008) if code in SUCCESSORS else "",
                "is_laa_2008": fmt_bool(is_laa),
                # Kept for the dim_area contract; no code is inferred since the reference
                # found Bedfordshire's and Cheshire's (DfE local authority lookup).
                "code_is_inferred": fmt_bool(False),
                "successor_gss_code": row["successor_gss_code"],
                "source": row["source"],
                "notes": row["notes"],
            }
        )
    return sorted(rows, key=lambda r: r["area_code"])


def build_maa_members(
    reference: list[dict[str, str]], areas: list[dict[str, object]]
) -> list[dict[str, object]]:
    """maa_members.csv rows; a top-tier member that matches no area is an error."""
    code_by_name = {a["area_name"]: a["area_code"] for a in areas}
    rows = []
    for row in reference:
        name, tier = row["member_area_name"], row["member_tier"]
        if tier == "top_tier" and name not in code_by_name:
            raise ValueError(f"MAA {row['maa_name']!r}: top-tier member {name!r} is not an area")
        rows.append(
            {
                "maa_code": MAA_CODES[row["maa_name"]],
                "maa_name": row["maa_name"],
                "wave": row["wave"],
                "established": row["established"],
                "member_name": name,
                "area_code": code_by_name.get(name, ""),
                "member_tier": tier,
                "member_type": row["member_type"],
                "membership_basis": row["membership_basis"],
                "source": row["source"],
            }
        )
    return sorted(rows, key=lambda r: (r["maa_code"], r["member_name"]))


def period_row(
    period_type: str, templates: tuple[str, ...], names: dict, sort_key: int
) -> dict[str, object]:
    """One periods.csv row from (id, label, start, end) templates filled with `names`."""
    period_id, label, start, end = (t.format(**names) for t in templates)
    return {
        "period_id": period_id,
        "period_type": period_type,
        "label": label,
        "start_date": start,
        "end_date": end,
        "financial_year": names["fy"],
        "sort_key": sort_key,
    }


def build_periods() -> list[dict[str, object]]:
    """Every period of the framework window (1998 .. 2010/11), in all five period types."""
    rows = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        names = {"y": year, "n": year + 1, "fy": fy_id(year), "label": fy_label(year)}
        for period_type, templates in YEAR_PERIODS.items():
            rows.append(period_row(period_type, templates, names, year * 10))
        for q, (start, end) in enumerate(QUARTER_BOUNDS, start=1):
            cal = year if q < 4 else year + 1  # Q4 is January-March of the next calendar year
            templates = ("{fy}Q{q}", "{label} Q{q}", f"{cal}-{start}", f"{cal}-{end}")
            rows.append(period_row("quarter", templates, {**names, "q": q}, year * 10 + q))
    return sorted(rows, key=lambda r: (r["period_type"], r["sort_key"]))


# Publication dates (the embargo rule, docs/publication.md). Two dates are found in the
# reference (reference_notes.md section 4 and 6); every other date follows from them by rule.
ONEPLACE_LAUNCH = "found: Oneplace, the CAA publication, launched at 00:01 on 9 Dec 2009 with 2008/09 performance (reference_notes.md section 4)"
PLACE_SURVEY_RELEASE = "found: CLG published the Place Survey 2008 results on 23 Jun 2009 (reference_notes.md section 6)"
ANNUAL_RULE = "rule: the first 9 December after the period ends; " + ONEPLACE_LAUNCH
PUBLICATION_RULES = {
    "financial_year": ("annual", ANNUAL_RULE),
    "academic_year": ("annual", ANNUAL_RULE),
    "calendar_year": ("annual", ANNUAL_RULE),
    "quarter": ("quarter", "rule: 3 months after the quarter ends (chosen: reference blank)"),
    "survey": (
        "survey",
        "rule: 23 June of the year after the survey wave; " + PLACE_SURVEY_RELEASE,
    ),
}


def publication_date(period: dict[str, object]) -> str:
    """The date a period's final values may first be published, by the rule of its type."""
    end = str(period["end_date"])
    year, month, day = (int(part) for part in end.split("-"))
    kind = PUBLICATION_RULES[str(period["period_type"])][0]
    if kind == "annual":
        return f"{year if (month, day) < (12, 9) else year + 1}-12-09"
    if kind == "survey":
        return f"{year + 1}-06-23"
    month += 3  # quarter ends are 31 Mar, 30 Jun, 30 Sep, 31 Dec: the day fits 3 months on
    year, month = (year + 1, month - 12) if month > 12 else (year, month)
    last_day = 30 if month in (4, 6, 9, 11) else 31
    return f"{year}-{month:02d}-{min(day, last_day):02d}"


def build_publication_dates(
    periods: list[dict[str, object]], existing: list[dict[str, str]]
) -> list[dict[str, object]]:
    """publication_dates.csv: one row per period by rule, keeping rows a publisher overrode.

    A row whose basis starts with `override:` was set by hand (docs/publication.md) and is
    carried over as it is; every other row is rebuilt from the rule of its period type.
    """
    overrides = {row["period_id"]: row for row in existing if row["basis"].startswith("override:")}
    rows = []
    for period in periods:
        period_id = str(period["period_id"])
        if period_id in overrides:
            rows.append(dict(overrides[period_id]))
            continue
        rows.append(
            {
                "period_id": period_id,
                "publication_date": publication_date(period),
                "basis": PUBLICATION_RULES[str(period["period_type"])][1],
            }
        )
    return rows


def spell_period(period_type: str, year: int) -> str:
    """A period as a return spells it, for the reporting year starting in `year`."""
    fy = fy_label(year)
    return {
        "financial_year": fy,
        "academic_year": fy,
        "quarter": f"{fy} Q4",
        "calendar_year": str(year),
        "survey": str(year),
    }[period_type]


def clamp(value: float, low: float | None, high: float | None) -> float:
    """Keep value inside low..high; None is unbounded."""
    value = value if low is None else max(value, low)
    return value if high is None else min(value, high)


def percentage_baseline_range(ind: dict[str, object]) -> tuple[float, float, int]:
    """A percentage's baselines: its typical level +/- 1.5 spreads, inside its valid range.

    The level and spread are the demo's (pipelines/demo/indicator_levels.csv, each with its
    basis), so an illustrative target is on the scale of what the indicator measures: NI 152
    (out-of-work benefits, England ~12%) gets baselines of ~6-18%, not a generic 10-90%.
    Returns (low, high, decimals): 2 decimals for a level under 2% (NI 114, exclusions ~0.1%).
    """
    level = level_of(str(ind["ni_code"]))
    low = max(float(ind["valid_min"] or 0), level.level - 1.5 * level.spread)
    high = min(float(ind["valid_max"] or 100), level.level + 1.5 * level.spread)
    return low, high, 2 if level.level < 2 else 1


def target_path(ind: dict[str, object], rng: random.Random) -> tuple[float, list[float]]:
    """A plausible baseline and three yearly targets moving the better way, inside the range."""
    unit, lo, hi = str(ind["unit"]), ind["valid_min"], ind["valid_max"]
    kind = unit_rule(unit)[0]
    low, high = (float(lo) if lo != "" else None), (float(hi) if hi != "" else None)
    direction = 1 if ind["polarity"] == "higher_is_better" else -1
    whole = kind in ("count", "cumulative", "scale")
    decimals = 0 if whole else 1
    scale = 1.0  # of a percentage's yearly steps: smaller for a percentage of narrow spread
    if kind == "scale":
        baseline = float(rng.randint(int(low) + 1, int(high) - 1))
    elif kind == "percentage" and str(ind["ni_code"]) not in BASELINE_BY_NI:
        a, b, decimals = percentage_baseline_range(ind)
        scale = min(1.0, (b - a) / 15)
        baseline = round(rng.uniform(a, b), decimals)
    else:
        ranges = BASELINE_BY_NI.get(str(ind["ni_code"])) or BASELINE_RANGES.get(unit)
        a, b = ranges or KIND_BASELINES[kind]
        baseline = round(rng.uniform(a, b), decimals)
    least = 1 if whole else 10**-decimals  # one unit of the rounding
    bound = high if direction > 0 else low  # the limit in the better direction, if any
    targets, value = [], baseline
    for _ in TARGET_YEARS:
        if kind == "scale":
            step = float(rng.randint(0, 1)) if targets else 1.0
        elif kind == "cumulative":
            step = float(rng.randint(500_000, 3_000_000))
        elif kind in ("percentage", "multi", "gap", "change", "reduction"):
            upper = 2.5 if kind != "change" else 5
            step = max(round(rng.uniform(0.5, upper) * scale, decimals), least)
        else:
            step = max(round(abs(baseline) * rng.uniform(0.02, 0.06), decimals), least)
        if bound is not None and kind != "scale":  # slow down near the limit (e.g. 95%)
            step = min(step, max(least, round(abs(bound - value) * 0.1, decimals)))
        value = clamp(round(value + direction * step, decimals), low, high)
        targets.append(value)
    return baseline, targets


def choose_designations(
    by_code: dict[str, dict], laa_areas: list[str], rng: random.Random
) -> dict[str, list[str]]:
    """Up to 35 designated indicators per 2008 agreement, in the published shape.

    Mean 31 per area, AREAS_AT_35 areas at exactly 35, NI 117 in NI117_AREAS areas. Only live
    indicators with a known unit and a better direction can carry a target.
    """
    designable = [
        code
        for code, i in by_code.items()
        if i["is_live"] == "true"
        and i["unit"]
        and i["polarity"] in ("higher_is_better", "lower_is_better")
        and code != "NI 117"
    ]
    with_ni117 = set(rng.sample(laa_areas, NI117_AREAS))
    at_max = set(rng.sample(laa_areas, AREAS_AT_35))
    counts = {a: 35 if a in at_max else rng.randint(22, 34) for a in laa_areas}
    others = sorted(set(laa_areas) - at_max)
    while (gap := MEAN_DESIGNATED * len(laa_areas) - sum(counts.values())) != 0:
        area = rng.choice(others)
        counts[area] = min(34, max(20, counts[area] + (1 if gap > 0 else -1)))
    designations = {}
    for area in laa_areas:
        pool = designable
        if area in SUCCESSORS:  # ends 2008/09: a 2010 Place Survey target could not be its own
            pool = [c for c in designable if by_code[c]["period_type"] != "survey"]
        picked = ["NI 117"] if area in with_ni117 else []
        designations[area] = picked + rng.sample(pool, counts[area] - len(picked))
    return designations


def build_laa_targets(
    indicators: list[dict[str, object]], areas: list[dict[str, object]], seed: int = 2008
) -> list[dict[str, object]]:
    """An ILLUSTRATIVE set of LAA targets in the published shape (see data/seeds/README.md).

    Each 2008 area gets its designated indicators plus the 16 statutory education targets, with
    a baseline and a target for 2008/09, 2009/10 and 2010/11 (Place Survey: 2008 and 2010).
    """
    rng = random.Random(seed)
    by_code = {str(i["ni_code"]): i for i in indicators}
    statutory = [c for c, i in by_code.items() if i["is_statutory_education_target"] == "true"]
    laa_areas = [str(a["area_code"]) for a in areas if a["is_laa_2008"] == "true"]
    designations = choose_designations(by_code, laa_areas, rng)
    rows = []
    for area in laa_areas:
        picked = designations[area]
        for code in sorted({*picked, *statutory}, key=lambda c: by_code[c]["ni_number"]):
            period_type = str(by_code[code]["period_type"])
            baseline, targets = target_path(by_code[code], rng)
            survey = period_type == "survey"
            # Place Survey: 2008 baseline, one target for the 2010 wave (two steps on).
            years = [(2010, targets[1])] if survey else zip(TARGET_YEARS, targets, strict=True)
            for year, target in years:
                rows.append(
                    {
                        "area_code": area,
                        "ni_code": code,
                        "period": spell_period(period_type, year),
                        "target_value": target,
                        "designated": code in picked,
                        "statutory": code in statutory,
                        "baseline_period": spell_period(period_type, 2008 if survey else 2007),
                        "baseline_value": baseline,
                    }
                )
    return [format_target(r) for r in inherit_targets(rows, by_code)]


def half(value: float, round_up: bool) -> float:
    """Half of a whole count, rounded up or down."""
    return float(math.ceil(value / 2) if round_up else math.floor(value / 2))


def inherit_targets(rows: list[dict], by_code: dict[str, dict]) -> list[dict]:
    """2009/10 and 2010/11 targets of an abolished county pass to its two successor unitaries.

    Percentages and rates are copied. Counts and cash ('sum' indicators) are halved, the
    baseline rounded the worse way and the target the better way so the target stays better.
    """
    result = []
    for row in rows:
        successors = SUCCESSORS.get(row["area_code"])
        if not successors or int(row["period"][:4]) < 2009:
            result.append(row)
            continue
        indicator = by_code[row["ni_code"]]
        down = indicator["polarity"] == "lower_is_better"
        for successor in successors:
            copy = dict(row, area_code=successor)
            if indicator["aggregation"] == "sum":
                copy["baseline_value"] = half(row["baseline_value"], round_up=down)
                copy["target_value"] = half(row["target_value"], round_up=not down)
            result.append(copy)
    return sorted(
        result, key=lambda r: (r["area_code"], by_code[r["ni_code"]]["ni_number"], r["period"])
    )


def format_target(row: dict) -> dict[str, object]:
    """A target row as written: numbers without float noise, flags as true/false."""
    return {
        **row,
        "target_value": fmt_number(row["target_value"]),
        "baseline_value": fmt_number(row["baseline_value"]),
        "designated": fmt_bool(row["designated"]),
        "statutory": fmt_bool(row["statutory"]),
        "is_illustrative": "true",
    }


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean), summed in log space (k is small here: < 10)."""
    if mean == 0:
        return 1.0
    return sum(math.exp(i * math.log(mean) - mean - math.lgamma(i + 1)) for i in range(k + 1))


def solve_mean(tail: Callable[[float], float], target: float) -> float:
    """The Poisson mean at which a tail probability, monotone in the mean, equals target."""
    low, high = 0.0, 100.0
    for _ in range(200):  # bisection to the last bit of a double
        mid = (low + high) / 2
        if mid in (low, high):
            break
        low, high = (mid, high) if tail(mid) < target else (low, mid)
    return (low + high) / 2


def build_poisson_limits() -> list[dict[str, object]]:
    """Exact Poisson confidence limits for observed counts 0..9 at 95 % and 99.8 %.

    The lower limit is the mean at which P(X >= O) = alpha/2 (0 when O = 0), the upper the mean
    at which P(X <= O) = alpha/2: the limits the reference page writes as chi-square quantiles
    over 2 (statistical_methods.md, "exact Poisson"); solved here from the Poisson
    distribution itself, so the warehouse needs no chi-square function.
    """
    rows = []
    for confidence, alpha in (("0.95", 0.05), ("0.998", 0.002)):
        for observed in range(POISSON_EXACT_BELOW):
            lower = 0.0
            if observed > 0:
                lower = solve_mean(lambda m, o=observed: 1 - poisson_cdf(o - 1, m), alpha / 2)
            upper = solve_mean(lambda m, o=observed: 1 - poisson_cdf(o, m), 1 - alpha / 2)
            rows.append(
                {
                    "observed": observed,
                    "confidence": confidence,
                    "lower": repr(lower),
                    "upper": repr(upper),
                }
            )
    return rows


def holds_real_targets(path: Path) -> bool:
    """True when path is a partnership's own laa_targets.csv (a row not marked illustrative)."""
    return path.exists() and any(r["is_illustrative"] != "true" for r in read_csv(path))


def build_seeds(reference_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the seeds into out_dir; returns the row count of each file written.

    A laa_targets.csv holding a real agreement (is_illustrative=false) is never overwritten,
    nor a publication_dates.csv row marked `override:`.
    """
    ref_indicators = read_csv(reference_dir / "national_indicators.csv")
    indicators = sorted((build_indicator(r) for r in ref_indicators), key=lambda r: r["ni_number"])
    areas = build_areas(read_csv(reference_dir / "areas.csv"))
    regions = [{"region_code": c, "region_name": n} for n, c in REGION_CODES.items()]
    periods = build_periods()
    dates_path = out_dir / "publication_dates.csv"
    existing_dates = read_csv(dates_path) if dates_path.exists() else []
    seeds = {
        "national_indicators.csv": indicators,
        "areas.csv": areas,
        "area_tiles.csv": area_tiles(areas),
        "regions.csv": sorted(regions, key=lambda r: r["region_code"]),
        "maa_members.csv": build_maa_members(read_csv(reference_dir / "maa_groupings.csv"), areas),
        "periods.csv": periods,
        "publication_dates.csv": build_publication_dates(periods, existing_dates),
        "laa_targets.csv": build_laa_targets(indicators, areas),
        "poisson_limits.csv": build_poisson_limits(),
    }
    if holds_real_targets(out_dir / "laa_targets.csv"):
        del seeds["laa_targets.csv"]
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in seeds.items():
        write_csv(out_dir / name, rows)
    written = {name: len(rows) for name, rows in seeds.items()}
    # last: it reads areas.csv just written (illustrative; pipelines/reference/lsoa_lookup.py)
    written[lsoa_lookup.FILE_NAME] = lsoa_lookup.write_lookup(out_dir)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line: build the seeds and print how many rows each file got."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_ref = Path(os.environ.get("NIW_REFERENCE_DIR") or DEFAULT_REFERENCE_DIR)
    parser.add_argument("--reference-dir", type=Path, default=default_ref)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    if not (args.reference_dir / "national_indicators.csv").exists():
        parser.error(f"no reference data in {args.reference_dir}; pass --reference-dir")
    written = build_seeds(args.reference_dir, args.out)
    for name, count in written.items():
        print(f"{args.out / name}: {count} rows")
    if "laa_targets.csv" not in written:
        print(f"{args.out / 'laa_targets.csv'}: kept (a real agreement, is_illustrative=false)")


if __name__ == "__main__":
    main()

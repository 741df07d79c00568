"""The reference seeds in data/seeds/: the facts users rely on, computed from the files themselves.

The last tests rebuild the seeds from shared/reference/ (NIW_REFERENCE_DIR, default: the
`shared/reference` folder beside the repository) and compare them byte for byte; they are skipped
only when that folder is missing.
"""

from __future__ import annotations

import csv
import os
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from pipelines.reference import build_seeds

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "seeds"
REFERENCE = Path(os.environ.get("NIW_REFERENCE_DIR") or REPO.parent / "shared" / "reference")
SEED_FILES = [
    "national_indicators.csv",
    "areas.csv",
    "area_tiles.csv",
    "regions.csv",
    "maa_members.csv",
    "periods.csv",
    "publication_dates.csv",
    "laa_targets.csv",
    "lsoa_area_lookup.csv",
]
PERIOD_TYPES = {"financial_year", "academic_year", "quarter", "calendar_year", "survey"}
# reference_notes.md, section 1: LAA areas by region in 2008/09.
REGION_AREAS_2008 = {
    "North East": 12,
    "North West": 22,
    "Yorkshire and the Humber": 15,
    "East Midlands": 9,
    "West Midlands": 14,
    "East of England": 10,
    "London": 33,
    "South East": 19,
    "South West": 16,
}
needs_reference = pytest.mark.skipif(
    not (REFERENCE / "national_indicators.csv").exists(),
    reason=f"reference data not found at {REFERENCE} (set NIW_REFERENCE_DIR)",
)


def read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> float | None:
    return float(text) if text != "" else None


def exists_in(area: dict[str, str], reporting_year: str) -> bool:
    """docs/architecture.md: valid_from_period..valid_to_period, empty meaning unbounded."""
    start, end = area["valid_from_period"], area["valid_to_period"]
    return (not start or start <= reporting_year) and (not end or reporting_year <= end)


def period_id(period_type: str, spelled: str) -> str:
    """The period id a return's spelling in laa_targets.csv stands for (contract §1)."""
    year = spelled[:4]
    fy = f"{year}-{spelled[5:7]}" if "/" in spelled else ""
    return {
        "financial_year": fy,
        "academic_year": f"AY{fy}",
        "quarter": f"{fy}{spelled[-2:]}",
        "calendar_year": year,
        "survey": f"PS{year}",
    }[period_type]


# ---- national_indicators.csv -------------------------------------------------------------


def test_indicator_set_is_ni_1_to_199_with_198_live():
    indicators = read("national_indicators.csv")
    assert [i["ni_code"] for i in indicators] == [f"NI {n}" for n in range(1, 200)]
    live = {i["ni_code"] for i in indicators if i["is_live"] == "true"}
    assert len(live) == 198
    assert "NI 31" not in live and "NI 199" in live


def test_every_indicator_has_usable_derived_attributes():
    for ind in read("national_indicators.csv"):
        code = ind["ni_code"]
        assert ind["period_type"] in PERIOD_TYPES, code
        assert ind["polarity"] in {"higher_is_better", "lower_is_better", "neither"}, code
        assert ind["aggregation"] in {"ratio", "sum", "none"}, code
        assert number(ind["multiplier"]) in {1, 100, 1000, 10000, 100000}, code
        low, high = number(ind["valid_min"]), number(ind["valid_max"])
        assert low is None or high is None or low <= high, code
        assert ind["derived_attributes_basis"] and ind["source"], code
        if not ind["unit"]:  # nothing known about the unit: nothing may be added up
            assert ind["aggregation"] == "none", code


def test_plain_percentages_are_0_to_100_ratios_and_counts_are_non_negative_sums():
    for ind in read("national_indicators.csv"):
        if ind["aggregation"] == "ratio" and ind["unit"].startswith("percentage"):
            assert (ind["valid_min"], ind["valid_max"], ind["multiplier"]) == ("0", "100", "100")
        if ind["unit"].startswith("count") and ind["aggregation"] == "sum":
            assert ind["valid_min"] in {"0", ""} and ind["valid_max"] == ""


def test_chosen_attributes_are_marked_in_the_basis():
    by_code = {i["ni_code"]: i for i in read("national_indicators.csv")}
    assert by_code["NI 196"]["polarity"] == "lower_is_better"
    assert by_code["NI 12"]["polarity"] == "neither"
    assert by_code["NI 183"]["polarity"] == "higher_is_better"
    for code in ("NI 12", "NI 183", "NI 196", "NI 13"):
        assert "chosen: reference blank" in by_code[code]["derived_attributes_basis"], code


def test_sixteen_statutory_education_targets():
    indicators = read("national_indicators.csv")
    statutory = [i["ni_code"] for i in indicators if i["is_statutory_education_target"] == "true"]
    assert len(statutory) == 16


def test_known_period_types():
    by_code = {i["ni_code"]: i["period_type"] for i in read("national_indicators.csv")}
    assert by_code["NI 5"] == "survey"
    assert by_code["NI 75"] == "academic_year"
    assert by_code["NI 117"] == "financial_year"
    assert by_code["NI 192"] == "financial_year"  # quarterly returns, annual indicator
    assert by_code["NI 152"] == "quarter"
    assert by_code["NI 186"] == "calendar_year"


# ---- areas.csv, regions.csv ----------------------------------------------------------------


def test_areas_over_time():
    areas = read("areas.csv")
    assert len(areas) == 154
    assert sum(exists_in(a, "2008-09") for a in areas) == 150
    for year in ("2009-10", "2010-11"):
        assert sum(exists_in(a, year) for a in areas) == 152
    codes = [a["area_code"] for a in areas]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"E\d{8}", c) for c in codes)
    assert {a["code_is_inferred"] for a in areas} == {"false"}
    counties = {a["area_name"]: a for a in areas if a["area_code"] in ("E10000001", "E10000004")}
    assert set(counties) == {"Bedfordshire", "Cheshire"}
    for county in counties.values():  # found in DfE's lookup (reference_notes.md section 1)
        assert "gss_code found: DfE local authority lookup" in county["source"], county
        assert "inferred" not in county["source"], county
        assert "names/types/regions recalled" in county["source"], county


def test_an_area_without_a_gss_code_stops_the_build():
    row = {
        "area_name": "Somewhere",
        "area_type": "county",
        "gss_code": "",
        "government_office_region": "North West",
        "laa_area_2008": "true",
        "successor_gss_code": "",
        "notes": "",
        "source": "recalled",
    }
    with pytest.raises(ValueError, match="'Somewhere' has no gss_code"):
        build_seeds.build_areas([row])


def test_region_counts_2008_09_match_the_reference_notes():
    areas = [a for a in read("areas.csv") if exists_in(a, "2008-09")]
    assert Counter(a["region"] for a in areas) == REGION_AREAS_2008
    regions = {r["region_code"]: r["region_name"] for r in read("regions.csv")}
    assert len(regions) == 9
    assert all(regions[a["region_code"]] == a["region"] for a in read("areas.csv"))


@needs_reference
def test_region_table_copied_from_reference_notes_is_current():
    notes = (REFERENCE / "reference_notes.md").read_text(encoding="utf-8")
    table = notes.split("By region in 2008/09:")[1].split("\n\n")[1]
    parsed = dict(re.findall(r"^\| ([A-Z][A-Za-z ]+?) \| (\d+) \|$", table, flags=re.M))
    assert {region: int(n) for region, n in parsed.items()} == REGION_AREAS_2008


# ---- maa_members.csv ---------------------------------------------------------------------


def test_thirteen_maas_whose_top_tier_members_are_areas():
    members = read("maa_members.csv")
    area_codes = {a["area_code"] for a in read("areas.csv")}
    names = {(m["maa_code"], m["maa_name"]) for m in members}
    assert len(names) == 13 == len({code for code, _ in names})
    assert all(re.fullmatch(r"MAA_[A-Z_]+", code) for code, _ in names)
    for member in members:
        if member["member_tier"] == "top_tier":
            assert member["area_code"] in area_codes, member["member_name"]
        else:
            assert member["member_tier"] == "district"
            assert member["area_code"] == "" or member["area_code"] in area_codes


# ---- periods.csv -------------------------------------------------------------------------


def test_periods_cover_the_window_once():
    periods = read("periods.csv")
    ids = [p["period_id"] for p in periods]
    assert len(ids) == len(set(ids))
    per_type = Counter(p["period_type"] for p in periods)
    assert per_type == {t: 52 if t == "quarter" else 13 for t in PERIOD_TYPES}
    financial_years = {p["period_id"] for p in periods if p["period_type"] == "financial_year"}
    assert all(p["financial_year"] in financial_years for p in periods)
    for p in periods:
        assert p["start_date"] < p["end_date"]
        # the reporting year starts in the period's first year (2008-09Q4, AY2008-09, PS2008)
        first_year = re.search(r"\d{4}", p["period_id"]).group()
        assert p["financial_year"][:4] == first_year
    for period_type in PERIOD_TYPES:
        of_type = [p for p in periods if p["period_type"] == period_type]
        by_key = sorted(of_type, key=lambda p: int(p["sort_key"]))
        assert by_key == sorted(of_type, key=lambda p: p["start_date"])


def test_reporting_year_examples():
    by_id = {p["period_id"]: p for p in read("periods.csv")}
    for pid in ("2008-09", "AY2008-09", "2008-09Q3", "2008", "PS2008"):
        assert by_id[pid]["financial_year"] == "2008-09"
    assert (by_id["2008-09Q4"]["start_date"], by_id["2008-09Q4"]["end_date"]) == (
        "2009-01-01",
        "2009-03-31",
    )
    assert by_id["AY2008-09"]["label"] == "2008/09 (academic)"
    assert by_id["PS2010"]["label"] == "Place Survey 2010"


# ---- laa_targets.csv ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def targets() -> list[dict[str, str]]:
    return read("laa_targets.csv")


def test_targets_are_marked_illustrative_and_in_the_contract_shape(targets):
    assert list(targets[0]) == [
        "area_code",
        "ni_code",
        "period",
        "target_value",
        "designated",
        "statutory",
        "baseline_period",
        "baseline_value",
        "is_illustrative",
    ]
    assert {t["is_illustrative"] for t in targets} == {"true"}
    keys = [(t["area_code"], t["ni_code"], t["period"]) for t in targets]
    assert len(keys) == len(set(keys))


def test_designations_have_the_published_shape(targets):
    """Counted per 2008 agreement: the 150 areas of 2008/09 (successors inherit a county's)."""
    laa_2008 = {a["area_code"] for a in read("areas.csv") if a["is_laa_2008"] == "true"}
    designated = defaultdict(set)
    for t in targets:
        if t["designated"] == "true" and t["area_code"] in laa_2008:
            designated[t["area_code"]].add(t["ni_code"])
    counts = [len(designated[a]) for a in laa_2008]
    assert max(counts) <= 35
    assert 30.5 <= statistics.mean(counts) <= 31.5
    assert sum(c == 35 for c in counts) >= 51
    assert sum("NI 117" in designated[a] for a in laa_2008) == 115


def test_every_area_has_the_16_statutory_targets_each_year_it_exists(targets):
    statutory = defaultdict(set)
    for t in targets:
        if t["statutory"] == "true":
            statutory[(t["area_code"], t["period"][:4])].add(t["ni_code"])
    for area in read("areas.csv"):
        for year in ("2008", "2009", "2010"):
            reporting_year = f"{year}-{int(year[2:]) + 1:02d}"
            expected = 16 if exists_in(area, reporting_year) else 0
            assert len(statutory[(area["area_code"], year)]) == expected, (area["area_name"], year)


def test_targets_are_real_periods_for_existing_areas(targets):
    indicators = {i["ni_code"]: i for i in read("national_indicators.csv")}
    periods = {p["period_id"]: p for p in read("periods.csv")}
    areas = {a["area_code"]: a for a in read("areas.csv")}
    for t in targets:
        period_type = indicators[t["ni_code"]]["period_type"]
        target_period = periods[period_id(period_type, t["period"])]
        assert target_period["period_type"] == period_type
        assert exists_in(areas[t["area_code"]], target_period["financial_year"]), t
        assert period_id(period_type, t["baseline_period"]) in periods, t


def test_targets_move_the_better_way_and_stay_in_range(targets):
    indicators = {i["ni_code"]: i for i in read("national_indicators.csv")}
    for t in targets:
        ind = indicators[t["ni_code"]]
        assert ind["is_live"] == "true", t
        if t["designated"] == "true":
            assert ind["polarity"] != "neither" and ind["unit"], t
        target, baseline = float(t["target_value"]), float(t["baseline_value"])
        for value in (target, baseline):
            low, high = number(ind["valid_min"]), number(ind["valid_max"])
            assert (low is None or value >= low) and (high is None or value <= high), t
        if ind["polarity"] == "higher_is_better":
            assert target >= baseline, t
        elif ind["polarity"] == "lower_is_better":
            assert target <= baseline, t


# ---- reproducibility ---------------------------------------------------------------------


@needs_reference
def test_build_reproduces_the_committed_seeds_byte_for_byte(tmp_path):
    build_seeds.build_seeds(REFERENCE, tmp_path)
    for name in SEED_FILES:
        assert (tmp_path / name).read_bytes() == (SEEDS / name).read_bytes(), name


def test_seed_files_use_lf_and_no_float_noise():
    for name in SEED_FILES:
        data = (SEEDS / name).read_bytes()
        assert b"\r" not in data, name
        text = data.decode("utf-8")
        assert not re.search(r"\d\.\d*0000\d|\d\.\d*9999\d|\.0,", text), name


@needs_reference
def test_build_keeps_a_real_agreement(tmp_path):
    real = "area_code,ni_code,period,target_value,designated,statutory,baseline_period,"
    real += (
        "baseline_value,is_illustrative\nE08000025,NI 117,2008/09,7.5,true,false,2007/08,8,false\n"
    )
    (tmp_path / "laa_targets.csv").write_text(real, encoding="utf-8")
    written = build_seeds.build_seeds(REFERENCE, tmp_path)
    assert "laa_targets.csv" not in written
    assert (tmp_path / "laa_targets.csv").read_text(encoding="utf-8") == real


# ---- publication_dates.csv -----------------------------------------------------------------


def test_publication_dates_follow_the_documented_rule():
    dates = {row["period_id"]: row for row in read("publication_dates.csv")}
    assert set(dates) == {row["period_id"] for row in read("periods.csv")}
    # Found: Oneplace published 2008/09 on 9 Dec 2009; the Place Survey 2008 on 23 Jun 2009.
    assert dates["2008-09"]["publication_date"] == "2009-12-09"
    assert dates["PS2008"]["publication_date"] == "2009-06-23"
    assert dates["2008-09"]["basis"].startswith("rule: the first 9 December after")
    assert "found:" in dates["2008-09"]["basis"] and "found:" in dates["PS2008"]["basis"]
    # Rule: academic and calendar years too are published on the next 9 December.
    assert dates["AY2008-09"]["publication_date"] == "2009-12-09"
    assert dates["2008"]["publication_date"] == "2009-12-09"
    # Chosen: a quarter three months after it ends (Q4 2008/09 ends 31 Mar 2009).
    assert dates["2008-09Q1"]["publication_date"] == "2008-09-30"
    assert dates["2008-09Q4"]["publication_date"] == "2009-06-30"
    assert "chosen" in dates["2008-09Q4"]["basis"]


@needs_reference
def test_build_keeps_a_publication_date_set_by_hand(tmp_path):
    build_seeds.build_seeds(REFERENCE, tmp_path)
    path = tmp_path / "publication_dates.csv"
    text = path.read_text(encoding="utf-8")
    rule_row = next(line for line in text.splitlines() if line.startswith("2009-10,"))
    override = "2009-10,2010-11-30,override: published early by agreement (test)"
    path.write_text(text.replace(rule_row, override), encoding="utf-8")
    build_seeds.build_seeds(REFERENCE, tmp_path)
    assert override in path.read_text(encoding="utf-8").splitlines()


def test_the_lsoa_lookup_places_every_2001_lsoa_in_an_area_of_each_generation():
    """32,482 codes E01000001..E01032482, each in a 2008/09 LAA area and a 2009/10 one (the same
    area, or a 2009 successor of Bedfordshire or Cheshire), roughly 1,500 people an LSOA, and
    every row marked illustrative."""
    rows = read("lsoa_area_lookup.csv")
    assert [r["lsoa_code"] for r in rows] == [f"E01{n:06d}" for n in range(1, 32_483)]
    areas = read("areas.csv")
    before = {a["area_code"] for a in areas if exists_in(a, "2008-09")}
    after = {a["area_code"] for a in areas if exists_in(a, "2009-10")}
    assert {r["area_code_before_2009"] for r in rows} == before  # all 150, none other
    assert {r["area_code_from_2009"] for r in rows} == after  # all 152
    successors = {"E06000055": "E10000001", "E06000056": "E10000001", "E06000049": "E10000004",
                  "E06000050": "E10000004"}  # fmt: skip
    for r in rows:
        new, old = r["area_code_from_2009"], r["area_code_before_2009"]
        assert new == old or successors.get(new) == old, r
    per_area = Counter(r["area_code_before_2009"] for r in rows)
    assert 20 <= min(per_area.values()) and max(per_area.values()) <= 1_000  # 30k-1.5M people
    assert {r["is_illustrative"] for r in rows} == {"true"}

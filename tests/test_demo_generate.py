"""The demo returns generator: deterministic, readable per the contract, valid where meant.

The checks read the files the way the contract (§1) describes, with their own small reader
and rules, independent of pipelines/ingest, so a bug in one is not hidden by the other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from pipelines.demo.generate import generate_demo_returns, main, stale_files
from pipelines.demo.reference import read_areas, read_indicators, read_period_ids
from pipelines.settings import REPO_ROOT

SEEDS = REPO_ROOT / "data" / "seeds"
SCALE = 0.05

ALIASES = {
    "area_code": ("area_code", "area", "gss_code", "ons_code", "la_code"),
    "indicator": ("indicator", "ni", "ni_code", "indicator_code"),
    "period": ("period", "period_label", "year"),
    "value": ("value",),
    "numerator": ("numerator", "num"),
    "denominator": ("denominator", "den", "denom"),
    "ci_lower": ("ci_lower", "lower_ci"),
    "ci_upper": ("ci_upper", "upper_ci"),
    "status": ("status",),
    "comment": ("comment", "note", "notes"),
}


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name).casefold()


CANONICAL = {_norm(alias): column for column, names in ALIASES.items() for alias in names}


# --- a reader written from the contract -------------------------------------------------


def read_return(
    path: Path, *, calamine: bool = False
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header as written, [(line_number, {contract column: cell text})]).

    `calamine` reads an XLSX file with python-calamine, ~10x faster than openpyxl, for tests
    that read thousands of files; its line numbers may not count leading blank rows.
    """
    if path.suffix == ".xlsx" and calamine:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_name(
            "Return" if "Return" in book.sheet_names else book.sheet_names[0]
        )
        numbered = [
            (n, ["" if v is None else _cell_text(v) for v in row])
            for n, row in enumerate(sheet.to_python(), start=1)
        ]
    elif path.suffix == ".xlsx":
        workbook = load_workbook(path, read_only=True)
        sheet = workbook["Return"] if "Return" in workbook.sheetnames else workbook.worksheets[0]
        numbered = [
            (n, ["" if v is None else _cell_text(v) for v in row])
            for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        workbook.close()
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        reader = csv.reader(io.StringIO(text, newline=""))
        numbered = [(reader.line_num, row) for row in reader]
    for index, (_, cells) in enumerate(numbered):
        found = {CANONICAL.get(_norm(c)) for c in cells}
        if {"area_code", "indicator"} <= found:
            header = [c.strip() for c in cells]
            names = [CANONICAL.get(_norm(c)) for c in header]
            rows = [
                (line, {n: c.strip() for n, c in zip(names, cells, strict=False) if n})
                for line, cells in numbered[index + 1 :]
                if any(c.strip() for c in cells)
            ]
            return header, rows
    raise AssertionError(f"{path}: no header row with an area and an indicator column")


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def number(text: str) -> float | None:
    text = text.replace("%", "").replace(",", "").strip()
    return float(text) if text else None


def period_id(label: str, period_type: str) -> str | None:
    """The contract's period spellings, for one period type (None = BAD_PERIOD)."""
    label = label.strip()
    if period_type in ("calendar_year", "survey"):
        if not re.fullmatch(r"\d{4}", label):
            return None
        return label if period_type == "calendar_year" else f"PS{label}"
    quarter = None
    m = re.fullmatch(r"(.+?)\s+Q(\d)", label) or re.fullmatch(r"Q(\d)\s+(.+)", label)
    if m:
        year_text, quarter = (
            (m.group(1), m.group(2)) if label[0] != "Q" else (m.group(2), m.group(1))
        )
    else:
        year_text = label
    m = re.fullmatch(r"(?:FY)?(\d{4})[/-](\d{2}|\d{4})", year_text)
    if not m:
        return None
    start, end = int(m.group(1)), m.group(2)
    if int(end[-2:]) != (start + 1) % 100 or (len(end) == 4 and int(end) != start + 1):
        return None
    fy = f"{start}-{(start + 1) % 100:02d}"
    if period_type == "financial_year" and quarter is None:
        return fy
    if period_type == "academic_year" and quarter is None:
        return f"AY{fy}"
    if period_type == "quarter" and quarter is not None:
        return f"{fy}Q{quarter}"
    return None


def ni_code(text: str) -> str:
    m = re.fullmatch(r"(?:ni)?[\s\-]*(\d+)", text.strip(), flags=re.IGNORECASE)
    return f"NI {int(m.group(1))}" if m else text


# --- the contract's row rules, in their order ------------------------------------------


class Rules:
    def __init__(self) -> None:
        self.indicators = {i.ni_code: i for i in read_indicators(SEEDS)}
        self.areas = {a.area_code: a for a in read_areas(SEEDS)}
        self.period_ids = read_period_ids(SEEDS)
        self.period_year = {}
        with (SEEDS / "periods.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                self.period_year[row["period_id"]] = row["financial_year"]

    def key_and_reason(self, row: dict[str, str]) -> tuple[tuple | None, str | None]:
        area = self.areas.get(row.get("area_code", "").strip().upper())
        if area is None:
            return None, "UNKNOWN_AREA"
        indicator = self.indicators.get(ni_code(row.get("indicator", "")))
        if indicator is None:
            return None, "UNKNOWN_INDICATOR"
        if not indicator.is_live:
            return None, "RETIRED_INDICATOR"
        pid = period_id(row.get("period", ""), indicator.period_type)
        if pid is None or pid not in self.period_ids:
            return None, "BAD_PERIOD"
        if not area.exists_in(self.period_year[pid]):
            return None, "AREA_NOT_IN_PERIOD"
        try:
            value, num, den, lo, hi = (
                number(row.get(c, ""))
                for c in ("value", "numerator", "denominator", "ci_lower", "ci_upper")
            )
        except ValueError:
            return None, "BAD_NUMBER"
        if den is not None and den <= 0:
            return None, "BAD_NUMBER"
        derived = None if num is None or den is None else num / den * indicator.multiplier
        if value is None and derived is None:
            return None, "MISSING_VALUE"
        shown = value if value is not None else derived
        if (indicator.valid_min is not None and shown < indicator.valid_min) or (
            indicator.valid_max is not None and shown > indicator.valid_max
        ):
            return None, "OUT_OF_RANGE"
        if value is not None and derived is not None and abs(value - derived) > 0.05 + 1e-9:
            return None, "INCONSISTENT_RATIO"
        if (lo is not None and lo > shown) or (hi is not None and hi < shown):
            return None, "BAD_CI"
        if row.get("status", "").strip().casefold() not in ("", "provisional", "final"):
            return None, "BAD_STATUS"
        return (area.area_code, indicator.ni_code, pid), None


def expected_reasons(path: Path, rules: Rules) -> dict[int, str]:
    """{line: reason} for every row of a file that the contract rejects."""
    _, rows = read_return(path)
    reasons, values_by_key = {}, {}
    for line, row in rows:
        key, reason = rules.key_and_reason(row)
        if reason:
            reasons[line] = reason
        else:
            values_by_key.setdefault(key, []).append((line, row.get("value")))
    for versions in values_by_key.values():
        if len({value for _, value in versions}) > 1:
            reasons.update({line: "CONFLICTING_DUPLICATE" for line, _ in versions})
    return reasons


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    return generate_demo_returns(raw, SEEDS, seed=7, scale=SCALE)


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- tests -----------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(demo, tmp_path):
    again = generate_demo_returns(tmp_path / "raw", SEEDS, seed=7, scale=SCALE)
    assert _hashes(demo.raw_dir) == _hashes(again.raw_dir)
    assert again.faults == demo.faults


def test_same_bytes_from_a_fresh_process(tmp_path):
    """No dependence on Python's per-process string hashing or on the clock."""
    out = tmp_path / "cli"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    args = [sys.executable, "-m", "pipelines.demo.generate", "--out", str(out)]
    args += ["--seeds", str(SEEDS), "--seed", "5", "--scale", "0.02"]
    subprocess.run(args, check=True, cwd=REPO_ROOT, env=env, capture_output=True)
    here = generate_demo_returns(tmp_path / "here", SEEDS, seed=5, scale=0.02)
    assert _hashes(out) == _hashes(here.raw_dir)


def test_another_seed_gives_other_values(demo, tmp_path):
    other = generate_demo_returns(tmp_path / "raw", SEEDS, seed=8, scale=SCALE)
    shared = set(_hashes(demo.raw_dir)) & set(_hashes(other.raw_dir))
    assert any(_hashes(demo.raw_dir)[p] != _hashes(other.raw_dir)[p] for p in shared)


def test_summary_matches_the_files_on_disk(demo):
    on_disk = set(_hashes(demo.raw_dir))
    # every file written, and the list of them that marks them as demo (pipelines/demo/marker.py)
    assert on_disk == {f.path for f in demo.files} | {"DEMO-RETURNS.sha256"}
    assert demo.files_by_format["csv"] > demo.files_by_format["xlsx"] > 0
    assert demo.rows_written == sum(f.rows for f in demo.files) > 0


def test_layout_orders_provisional_before_final(demo):
    returns = sorted(f.path for f in demo.files if f.path[:1].isdigit())
    for path in returns:
        year, round_folder, name = path.split("/")
        assert round_folder in ("round1_provisional", "round2_final")
        assert name.endswith((f"{year}_r1.csv", f"{year}_r1.xlsx", "_r2.csv", "_r2.xlsx"))
    finals = [p for p in returns if "round2_final" in p]
    assert all(
        max(p for p in returns if p.startswith(f.split("/")[0] + "/round1")) < f for f in finals
    )
    assert all(f.path > returns[-1] for f in demo.files if f.path.startswith("faulty/"))


def test_every_return_file_parses_with_required_columns(demo):
    for written in demo.files:
        if written.expected_outcome != "LOADED":
            continue
        header, rows = read_return(demo.raw_dir / written.path)
        columns = {CANONICAL.get(_norm(h)) for h in header}
        assert {"area_code", "indicator", "period"} <= columns, written.path
        assert "value" in columns or {"numerator", "denominator"} <= columns, written.path
        assert len(rows) == written.rows, written.path


def test_good_files_hold_only_valid_rows(demo, rules):
    checked = 0
    for written in demo.files:
        if written.path.startswith("faulty/"):
            continue
        assert expected_reasons(demo.raw_dir / written.path, rules) == {}, written.path
        checked += written.rows
    assert checked > 1000


def test_ratio_rows_agree_with_numerator_and_denominator(demo, rules):
    ratios = derived = 0
    for written in demo.files:
        if written.path.startswith("faulty/"):
            continue
        for _, row in read_return(demo.raw_dir / written.path)[1]:
            indicator = rules.indicators[ni_code(row["indicator"])]
            if indicator.aggregation != "ratio":
                continue
            num, den = number(row["numerator"]), number(row["denominator"])
            assert num is not None and den and num == int(num) and den == int(den)
            exact = num / den * indicator.multiplier
            value = number(row.get("value", ""))
            if value is None:
                derived += 1
                continue
            ratios += 1
            assert abs(value - exact) <= 0.05, (written.path, row)
    assert ratios > 100 and derived > 0


def test_survey_rows_carry_a_confidence_interval(demo, rules):
    surveys = 0
    for written in demo.files:
        if not written.path.startswith("2008-09/"):
            continue
        for _, row in read_return(demo.raw_dir / written.path)[1]:
            if rules.indicators[ni_code(row["indicator"])].period_type == "survey":
                lo, hi = number(row["ci_lower"]), number(row["ci_upper"])
                assert lo is not None and hi is not None and lo <= number(row["value"]) <= hi
                surveys += 1
    assert surveys > 0


def test_areas_follow_the_2009_reorganisation(demo):
    def codes(year: str) -> set[str]:
        return {Path(f.path).name[:9] for f in demo.files if f.path.startswith(f"{year}/")}

    for year in ("2007-08", "2008-09"):
        assert {"E10000001", "E10000004"} <= codes(year)
        assert not {"E06000055", "E06000056", "E06000049", "E06000050"} & codes(year)
    for year in ("2009-10", "2010-11"):
        assert {"E06000055", "E06000056", "E06000049", "E06000050"} <= codes(year)
        assert not {"E10000001", "E10000004"} & codes(year)


def test_final_round_revises_some_values(demo, rules):
    def values(round_folder: str) -> dict[tuple, str]:
        out = {}
        for written in demo.files:
            if f"/{round_folder}/" in written.path:
                for _, row in read_return(demo.raw_dir / written.path)[1]:
                    key, _ = rules.key_and_reason(row)
                    out[key] = (row.get("value"), row.get("numerator"), row.get("status", ""))
        return out

    provisional, final = values("round1_provisional"), values("round2_final")
    assert {status.casefold() for _, _, status in final.values()} == {"final"}
    assert {s.casefold() for _, _, s in provisional.values()} <= {"", "provisional"}
    shared = provisional.keys() & final.keys()
    revised = [k for k in shared if provisional[k][:2] != final[k][:2]]
    assert 0.03 < len(revised) / len(shared) < 0.3
    assert final.keys() - provisional.keys(), "some late data arrives only in the final round"


def test_formats_encodings_and_spellings_vary(demo):
    encodings = {f.encoding for f in demo.files if f.file_format == "csv"}
    assert {"utf-8", "utf-8-sig", "cp1252"} <= encodings
    texts = [(demo.raw_dir / f.path).read_bytes() for f in demo.files if f.file_format == "csv"]
    assert any(b"\r\n" in t for t in texts) and any(b"\r\n" not in t for t in texts)
    assert any("café".encode("cp1252") in t for t in texts)
    headers = set()
    for written in demo.files:
        if written.expected_outcome == "LOADED" and not written.path.startswith("faulty/"):
            headers.update(read_return(demo.raw_dir / written.path)[0])
    assert {"ONS Code", "gss_code", "area_code"} & headers and len(headers) > 20


def test_xlsx_returns_are_readable_by_calamine(demo):
    for written in demo.files:
        if written.file_format == "xlsx" and written.expected_outcome == "LOADED":
            book = CalamineWorkbook.from_path(str(demo.raw_dir / written.path))
            assert "Return" in book.sheet_names
            assert len(book.get_sheet_by_name("Return").to_python()) > written.rows


def test_row_faults_are_where_the_summary_says(demo, rules):
    listed: dict[str, dict[int, str]] = {}
    for fault in demo.row_faults:
        listed.setdefault(fault.path, {})[fault.line] = fault.reason_code
    expected_codes = {
        "UNKNOWN_AREA", "UNKNOWN_INDICATOR", "RETIRED_INDICATOR", "BAD_PERIOD",
        "AREA_NOT_IN_PERIOD", "BAD_NUMBER", "MISSING_VALUE", "OUT_OF_RANGE",
        "INCONSISTENT_RATIO", "BAD_CI", "BAD_STATUS", "CONFLICTING_DUPLICATE",
    }  # fmt: skip
    assert {f.reason_code for f in demo.row_faults} == expected_codes
    for path, reasons in listed.items():
        assert expected_reasons(demo.raw_dir / path, rules) == reasons, path
    # the faulty row files also hold good rows, so not everything in them is rejected
    assert all(len(read_return(demo.raw_dir / p)[1]) > len(r) for p, r in listed.items())


def test_good_rows_in_faulty_files_repeat_the_final_value(demo):
    def cells(row: dict[str, str]) -> tuple:
        key = (row["area_code"], ni_code(row["indicator"]), row["period"])
        return key + tuple(number(row.get(c, "")) for c in ("value", "numerator", "denominator"))

    finals = set()
    for written in demo.files:
        if "/round2_final/" in written.path:
            finals.update(cells(r) for _, r in read_return(demo.raw_dir / written.path)[1])
    faulty_lines = {(f.path, f.line) for f in demo.row_faults}
    resubmitted = 0
    for path in {f.path for f in demo.row_faults}:
        for line, row in read_return(demo.raw_dir / path)[1]:
            if (path, line) not in faulty_lines:
                assert cells(row) in finals, (path, line, row)
                resubmitted += 1
    assert resubmitted >= 2


def test_rerun_with_clean_removes_files_of_an_earlier_run(tmp_path):
    first = generate_demo_returns(tmp_path, SEEDS, seed=1, scale=0.03)
    stray = tmp_path / "2008-09" / "round1_provisional" / "E99999999_gone_2008-09_r1.csv"
    stray.write_text("area_code,indicator,period,value\n")
    keep = tmp_path / "README.md"
    keep.write_text("not ours")
    assert stale_files(first) == [stray.relative_to(tmp_path).as_posix()]
    second = generate_demo_returns(tmp_path, SEEDS, seed=1, scale=0.03, clean=True)
    assert stale_files(second) == [] and keep.exists()


def test_file_faults_are_on_disk(demo):
    faults = {f.reason_code: f for f in demo.file_faults}
    assert set(faults) == {
        "EMPTY", "MISSING_COLUMNS", "UNSUPPORTED_FORMAT", "UNREADABLE", "IGNORED",
        "ALREADY_LOADED",
    }  # fmt: skip
    for fault in demo.file_faults:
        assert (demo.raw_dir / fault.path).is_file()
    assert Path(faults["IGNORED"].path).name.startswith(".")
    empty_header, empty_rows = read_return(demo.raw_dir / faults["EMPTY"].path)
    assert empty_header and empty_rows == []
    header, rows = read_return(demo.raw_dir / faults["MISSING_COLUMNS"].path)
    assert "period" not in {CANONICAL.get(_norm(h)) for h in header} and rows
    formats = {
        Path(f.path).suffix for f in demo.file_faults if f.reason_code == "UNSUPPORTED_FORMAT"
    }
    assert formats == {".xls", ".txt"}
    with pytest.raises(Exception):  # noqa: B017 - any reading error will do
        load_workbook(demo.raw_dir / faults["UNREADABLE"].path)
    copy = faults["ALREADY_LOADED"]
    original = copy.description.removeprefix("byte-identical copy of ")
    assert (demo.raw_dir / copy.path).read_bytes() == (demo.raw_dir / original).read_bytes()
    assert original < copy.path


def test_scale_keeps_the_reorganised_areas(demo):
    codes = {Path(f.path).name[:9] for f in demo.files if f.path[:1].isdigit()}
    assert {"E10000001", "E10000004", "E06000055", "E06000056", "E06000049", "E06000050"} <= codes
    assert demo.areas < 20


def test_cli_writes_to_the_folder_given(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "raw"), "--seed", "3", "--scale", "0.02"]) == 0
    out, err = capsys.readouterr()
    assert "2007-08" in err and "2010-11" in err and "deliberate faults" in out
    assert any((tmp_path / "raw" / "2010-11").rglob("*_r2.*"))

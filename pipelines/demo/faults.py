"""Deliberately faulty return files, so the quarantine has something real to show.

Every fault is planted on purpose and reported as a DeliberateFault with the reason code the
contract (§1) says the pipeline must give it. Good rows in these files repeat the final value
already sent for their key, so loading them changes no current value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from pipelines.demo.periods import periods_in_year
from pipelines.demo.reference import Area, Indicator
from pipelines.demo.render import ReturnRow, render_rows
from pipelines.demo.styles import HouseStyle, house_style
from pipelines.demo.summary import DeliberateFault, WrittenFile
from pipelines.demo.values import Measurement, kind_of, rng_for
from pipelines.demo.writers import xlsx_bytes

HEADER = [
    "area_code", "indicator", "period", "value", "numerator", "denominator",
    "ci_lower", "ci_upper", "status", "comment",
]  # fmt: skip
UNKNOWN_AREA_CODE = "E99999999"
UNKNOWN_INDICATOR = "NI 250"
BEDFORD = "E06000055"  # a unitary only from 1 April 2009

FinalValues = dict[tuple[str, str, str], Measurement]


class _FaultyFile:
    """Collects the rows of one faulty file and the faults planted in it."""

    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.rows: list[list[str]] = []
        self.faults: list[DeliberateFault] = []
        self._first_line = first_line

    def add(self, cells: dict[str, str], reason: str | None = None, why: str = "") -> None:
        if reason is not None:
            line = self._first_line + len(self.rows)
            self.faults.append(DeliberateFault(self.path, line, reason, "REJECTED_ROW", why))
        self.rows.append([cells.get(column, "") for column in HEADER])


def _measurement_cells(m: Measurement) -> dict[str, str]:
    cells = {"value": f"{m.value:.4f}".rstrip("0").rstrip(".")}
    if m.numerator is not None:
        cells |= {"numerator": str(m.numerator), "denominator": str(m.denominator)}
    if m.ci_lower is not None:
        cells |= {"ci_lower": f"{m.ci_lower:.1f}", "ci_upper": f"{m.ci_upper:.1f}"}
    return cells


def _pick(indicators: Sequence[Indicator], test, prefer: Sequence[str] = ()) -> Indicator:
    matches = [i for i in indicators if i.is_live and test(i)]
    if not matches:
        raise ValueError("national_indicators.csv lacks an indicator the demo faults need")
    preferred = [i for i in matches if i.ni_code in prefer]
    return (preferred or matches)[0]


def _good_row(
    area: Area,
    indicator: Indicator,
    reporting_year: str,
    final_values: FinalValues,
    style: HouseStyle | None = None,
) -> dict[str, str] | None:
    """A correct row repeating a value already sent as final (None if none was sent).

    With the area's house style the cells are spelled exactly as in its final return, so
    the resubmission leaves the current value as it was.
    """
    for period in periods_in_year(indicator.period_type, reporting_year):
        m = final_values.get((area.area_code, indicator.ni_code, period.period_id))
        if m is None:
            continue
        if style is not None:
            row = ReturnRow(
                indicator, period, m, "Resubmitted unchanged", kind_of(indicator) == "percent"
            )
            return dict(zip(HEADER, render_rows(style, HEADER, area, [row], True)[0], strict=True))
        return {
            "area_code": area.area_code,
            "indicator": indicator.ni_code,
            "period": period.label(),
            "status": "final",
            **_measurement_cells(m),
        }
    return None


def write_faulty_files(
    raw_dir: Path,
    folder: str,
    *,
    areas: Sequence[Area],
    all_areas: Sequence[Area],
    indicators: Sequence[Indicator],
    final_values: FinalValues,
    good_files: Sequence[WrittenFile],
    seed: int,
) -> tuple[list[WrittenFile], list[DeliberateFault]]:
    """Write the faulty files under `raw_dir/folder`; return them and their faults."""
    steady = [a for a in areas if a.exists_in("2007-08") and a.exists_in("2010-11")]
    area = steady[0] if steady else areas[0]
    code = area.area_code
    annual = [i for i in indicators if i.is_live and i.period_type == "financial_year"]
    plain = [i for i in annual if i.aggregation != "ratio" and kind_of(i) != "count"]
    ratio_pct = [i for i in annual if i.aggregation == "ratio" and i.multiplier == 100]
    quarterly = _pick(indicators, lambda i: i.period_type == "quarter")
    survey = _pick(indicators, lambda i: i.period_type == "survey")
    percent = _pick(
        indicators, lambda i: kind_of(i) == "percent" and i.valid_max == 100, ("NI 117",)
    )
    retired = next((i for i in indicators if not i.is_live and i.ni_code == "NI 31"), None)
    retired = retired or next((i for i in indicators if not i.is_live), None)
    all_codes = {a.area_code for a in all_areas}

    def base(indicator: Indicator, period: str, value: str, area_code: str = code):
        return {"area_code": area_code, "indicator": indicator.ni_code, "period": period,
                "value": value, "status": "final"}  # fmt: skip

    written: list[WrittenFile] = []
    faults: list[DeliberateFault] = []

    # 1. A CSV of late corrections for 2009/10, most rows wrong in a different way.
    rows = _FaultyFile(f"{folder}/{code}_corrections_2009-10.csv", first_line=2)
    style_2009 = house_style(area, "2009-10", seed)
    style_2010 = house_style(area, "2010-11", seed)
    good = _good_row(area, annual[0], "2009-10", final_values, style_2009)
    if good:
        rows.add(good)
    if UNKNOWN_AREA_CODE not in all_codes:
        rows.add(base(annual[1], "2009/10", "42.0", UNKNOWN_AREA_CODE), "UNKNOWN_AREA",
                 f"area code {UNKNOWN_AREA_CODE} is not an LAA area")  # fmt: skip
    rows.add(base(annual[2], "2009/10", "12.0") | {"indicator": UNKNOWN_INDICATOR},
             "UNKNOWN_INDICATOR", "NI 250 does not exist (the set ends at NI 199)")  # fmt: skip
    if retired is not None:
        rows.add(base(retired, "2009/10", "5.0"), "RETIRED_INDICATOR",
                 f"{retired.ni_code} was deleted from the set")  # fmt: skip
    rows.add(base(plain[0], "2008/10", "20.0"), "BAD_PERIOD", "2008/10 names no year")
    rows.add(base(quarterly, "2009/10 Q5", "20.0"), "BAD_PERIOD", "there is no fifth quarter")
    rows.add(base(plain[1], "2009/10 Q2", "20.0"), "BAD_PERIOD",
             f"a quarter for {plain[1].ni_code}, an annual indicator")  # fmt: skip
    rows.add(base(plain[2], "2012/13", "20.0"), "BAD_PERIOD", "2012/13 is after the framework")
    if BEDFORD in all_codes:
        rows.add(base(plain[3], "2008/09", "20.0", BEDFORD), "AREA_NOT_IN_PERIOD",
                 "Bedford became an LAA area only in 2009/10")  # fmt: skip
    rows.add(base(ratio_pct[0], "2009/10", "") | {"numerator": "10", "denominator": "0"},
             "BAD_NUMBER", "denominator 0 is not positive")  # fmt: skip
    rows.add(base(ratio_pct[1], "2009/10", "35.0") | {"numerator": "50", "denominator": "200"},
             "INCONSISTENT_RATIO", "35.0 but 50 / 200 x 100 = 25.0")  # fmt: skip
    rows.add(base(survey, "2008", "60.0") | {"ci_lower": "62.0", "ci_upper": "65.0"},
             "BAD_CI", "the interval 62.0-65.0 does not contain 60.0")  # fmt: skip
    conflicting = _good_row(area, plain[4], "2009-10", final_values)
    if conflicting:
        value = float(conflicting["value"])
        other = f"{value + 1 if plain[4].valid_max is None or value + 1 <= plain[4].valid_max else value - 1:g}"  # noqa: E501
        why = f"{plain[4].ni_code} 2009/10 twice with different values"
        rows.add(conflicting | {"comment": "first figure"}, "CONFLICTING_DUPLICATE", why)
        rows.add(conflicting | {"value": other, "comment": "second figure"},
                 "CONFLICTING_DUPLICATE", why)  # fmt: skip
    good = _good_row(area, ratio_pct[2], "2009-10", final_values, style_2009)
    if good:
        rows.add(good)
    written.append(_write_csv(raw_dir, rows.path, rows.rows))
    faults += rows.faults

    # 2. A workbook for 2010/11 with title rows, so line numbers are sheet rows (data from 5).
    sheet = _FaultyFile(f"{folder}/{code}_corrections_2010-11.xlsx", first_line=5)
    good = _good_row(area, annual[5], "2010-11", final_values, style_2010)
    if good:
        sheet.add(good)
    sheet.add(base(plain[5], "2010/11", "n/a"), "BAD_NUMBER", "value 'n/a' is not a number")
    sheet.add(base(plain[6], "2010/11", ""), "MISSING_VALUE",
              "no value and no numerator/denominator")  # fmt: skip
    sheet.add(base(percent, "2010/11", "134.5"), "OUT_OF_RANGE",
              f"{percent.ni_code} is a percentage; 134.5 is over 100")  # fmt: skip
    draft = _good_row(area, plain[7], "2010-11", final_values) or base(plain[7], "2010/11", "")
    sheet.add(draft | {"status": "draft", "comment": ""}, "BAD_STATUS",
              "status 'draft' is neither provisional nor final")  # fmt: skip
    good = _good_row(area, annual[6], "2010-11", final_values, style_2010)
    if good:
        sheet.add(good)
    content = xlsx_bytes(
        HEADER,
        sheet.rows,
        title_rows=["Local Area Agreement return: corrections", f"Area: {area.area_name}"],
        numeric_columns=frozenset({3, 4, 5, 6, 7}),
    )
    written.append(_write(raw_dir, sheet.path, content, "xlsx", None, len(sheet.rows)))
    faults += sheet.faults

    # 3. Whole-file faults.
    def file_fault(path: str, content: bytes, reason: str, outcome: str, why: str, rows=0):
        fmt = Path(path).suffix.lstrip(".").lower()
        encoding = "utf-8" if fmt == "csv" else None
        written.append(_write(raw_dir, path, content, fmt, encoding, rows, outcome))
        faults.append(DeliberateFault(path, None, reason, outcome, why))

    header_only = ",".join(HEADER) + "\n"
    file_fault(f"{folder}/{code}_empty_2010-11.csv", header_only.encode(), "EMPTY", "REJECTED",
               "a header and no data rows")  # fmt: skip
    no_period = [["area_code", "indicator", "value", "status"]] + [
        [code, i.ni_code, "10.0", "final"] for i in plain[:3]
    ]
    file_fault(f"{folder}/{code}_no_period_column.csv", _csv_text(no_period).encode(),
               "MISSING_COLUMNS", "REJECTED", "no period column", rows=3)  # fmt: skip
    ole_magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    file_fault(f"{folder}/{code}_old_template.xls", ole_magic, "UNSUPPORTED_FORMAT",
               "REJECTED", "an Excel 97-2003 .xls workbook")  # fmt: skip
    tab_text = "area_code\tindicator\tperiod\tvalue\n" + f"{code}\tNI 117\t2010/11\t5.0\n"
    file_fault(f"{folder}/{code}_return.txt", tab_text.encode(), "UNSUPPORTED_FORMAT",
               "REJECTED", "a tab-separated .txt file")  # fmt: skip
    noise = rng_for(seed, "corrupt-xlsx").randbytes(4096)
    file_fault(f"{folder}/{code}_corrupt_2010-11.xlsx", b"PK\x03\x04" + noise, "UNREADABLE",
               "REJECTED", "random bytes named .xlsx (a broken download)")  # fmt: skip
    lock = b",LAA Officer,PERF-PC07,31.03.2011 16:42,file:///C:/Users/laa/foo.csv;\n"
    file_fault(f"{folder}/.~lock.foo.csv#", lock, "IGNORED", "IGNORED",
               "a LibreOffice lock file; names starting with '.' are ignored")  # fmt: skip
    original = next((f for f in good_files if f.file_format == "csv"), good_files[0])
    copy_path = f"{folder}/copy_of_{Path(original.path).name}"
    file_fault(copy_path, (raw_dir / original.path).read_bytes(), "ALREADY_LOADED",
               "ALREADY_LOADED", f"byte-identical copy of {original.path}",
               rows=original.rows)  # fmt: skip
    return written, faults


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _write_csv(raw_dir: Path, path: str, rows: list[list[str]]) -> WrittenFile:
    content = _csv_text([HEADER, *rows]).encode("utf-8")
    return _write(raw_dir, path, content, "csv", "utf-8", len(rows))


def _write(
    raw_dir: Path,
    path: str,
    content: bytes,
    file_format: str,
    encoding: str | None,
    rows: int,
    outcome: str = "LOADED",
) -> WrittenFile:
    target = raw_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return WrittenFile(path, file_format, encoding, rows, outcome)

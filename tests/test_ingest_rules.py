"""Contract §1 row and file rules, through the real ingest code on a real DuckDB file.

Each test writes return files into a temporary raw folder, runs one load, and asserts what a
data team would see in the ledger: the outcome, the reason code, the line and the value.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.ingest import readers
from pipelines.ingest.load import run_ingest
from pipelines.settings import REPO_ROOT

SEEDS = REPO_ROOT / "data" / "seeds"
HEADER = "area_code,indicator,period,value,numerator,denominator,ci_lower,ci_upper,status\n"
BARNSLEY = "E08000016"


class Warehouse:
    def __init__(self, root: Path):
        self.raw = root / "raw"
        self.raw.mkdir()
        self.con = duckdb.connect(str(root / "wh.duckdb"))

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def load(self):
        return run_ingest(self.con, self.raw, SEEDS)

    def rows(self, sql: str, *params):
        return self.con.execute(sql, list(params)).fetchall()

    def reasons(self) -> list[tuple[int, str]]:
        return self.rows("select line_number, reason_code from ingest.rejected_rows order by 1")

    def accepted(self) -> list[tuple]:
        return self.rows(
            "select line_number, area_code, ni_code, period_id, value from ingest.accepted_values "
            "order by line_number"
        )


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path)


# Single-row cases, all loaded together: each case is a file of its own, which the contract
# judges on its own (duplicates conflict only within a file), so one load answers them all.
ROW_REASONS = [
    (f"{BARNSLEY},NI 117,2008/09,7.5,,,,,final", None),
    ("E99999999,NI 117,2008/09,7.5,,,,,", "UNKNOWN_AREA"),
    (",NI 117,2008/09,7.5,,,,,", "UNKNOWN_AREA"),
    (f"{BARNSLEY},NI 250,2008/09,7.5,,,,,", "UNKNOWN_INDICATOR"),
    (f"{BARNSLEY},NI 0,2008/09,7.5,,,,,", "UNKNOWN_INDICATOR"),
    (f"{BARNSLEY},NI 31,2008/09,7.5,,,,,", "RETIRED_INDICATOR"),
    (f"{BARNSLEY},NI 117,2008/10,7.5,,,,,", "BAD_PERIOD"),
    (f"{BARNSLEY},NI 117,2008/09 Q1,7.5,,,,,", "BAD_PERIOD"),
    (f"{BARNSLEY},NI 117,2011/12,7.5,,,,,", "BAD_PERIOD"),
    (f"{BARNSLEY},NI 117,1997/98,7.5,,,,,", "BAD_PERIOD"),
    (f"{BARNSLEY},NI 117,2008,7.5,,,,,", "BAD_PERIOD"),
    ("E06000055,NI 117,2008/09,7.5,,,,,", "AREA_NOT_IN_PERIOD"),  # Bedford before 2009
    ("E10000001,NI 117,2009/10,7.5,,,,,", "AREA_NOT_IN_PERIOD"),  # Bedfordshire after
    (f"{BARNSLEY},NI 117,2008/09,n/a,,,,,", "BAD_NUMBER"),
    (f'{BARNSLEY},NI 117,2008/09,"1,23",,,,,', "BAD_NUMBER"),
    (f"{BARNSLEY},NI 117,2008/09,,75,0,,,", "BAD_NUMBER"),
    (f"{BARNSLEY},NI 117,2008/09,,75,-10,,,", "BAD_NUMBER"),
    (f"{BARNSLEY},NI 117,2008/09,,,,,,", "MISSING_VALUE"),
    (f"{BARNSLEY},NI 117,2008/09,,75,,,,", "MISSING_VALUE"),
    (f"{BARNSLEY},NI 117,2008/09,134.5,,,,,", "OUT_OF_RANGE"),
    (f"{BARNSLEY},NI 117,2008/09,-0.1,,,,,", "OUT_OF_RANGE"),
    (f"{BARNSLEY},NI 117,2008/09,,1500,1000,,,", "OUT_OF_RANGE"),  # derived 150%
    (f"{BARNSLEY},NI 117,2008/09,7.6,75,1000,,,", "INCONSISTENT_RATIO"),
    (f"{BARNSLEY},NI 117,2008/09,7.55,75,1000,,,", None),  # exactly 0.05 off: allowed
    (f"{BARNSLEY},NI 5,2008,55,,,56,60,", "BAD_CI"),
    (f"{BARNSLEY},NI 5,2008,55,,,50,54,", "BAD_CI"),
    (f"{BARNSLEY},NI 117,2008/09,7.5,,,,,draft", "BAD_STATUS"),
]
FIRST_REASON_ROW = "E99999999,NI 250,2008/10,abc,,,,,draft"
SPELLINGS = [
    ("NI 117", "2008/09", "2008-09"),
    ("NI117", "2008-09", "2008-09"),
    ("ni-117", "2008/2009", "2008-09"),
    ("117", "FY2008/09", "2008-09"),
    ("NI 117", " fy 2008/09 ", "2008-09"),
    ("NI 73", "2008/09", "AY2008-09"),
    ("NI 73", "AY2008-09", "AY2008-09"),
    ("NI 73", "FY2008/09", "AY2008-09"),
    ("NI 123", "2008/09 Q1", "2008-09Q1"),
    ("NI 123", "Q4 2008/09", "2008-09Q4"),
    ("NI 123", "2008-09Q3", "2008-09Q3"),
    ("NI 123", "2008/09-Q2", "2008-09Q2"),
    ("NI 123", "q1 fy2008/09", "2008-09Q1"),
    ("NI 47", "2008", "2008"),
    ("NI 5", "2008", "PS2008"),
    ("NI 5", "PS2008", "PS2008"),
    ("NI 117", "1998/99", "1998-99"),
    ("NI 117", "2010/11", "2010-11"),
]
BAD_PERIODS = [
    ("NI 123", "2008/09 Q5"),
    ("NI 123", "2008/09"),  # annual spelling for a quarterly indicator
    ("NI 47", "2011"),
    ("NI 47", "2008/09"),
    ("NI 5", "2012"),
    ("NI 117", "AY2008/09"),  # an academic year for a financial-year indicator
]
NUMBER_SPELLINGS = [
    ("12.5%", 12.5),
    (" 12.5 ", 12.5),
    ("12.5 %", 12.5),
    ("1,234", 1234.0),
    ("0.5", 0.5),
]
RATIOS = [(55, 100, 55.0), (56, 1000, 5.6), (57, 1000, 5.7), (1, 3, 100 / 3)]
HEADER_ALIASES = [
    "Area Code,NI,Period Label,Value\n",
    "GSS_CODE,NI_Code,YEAR,VALUE\n",
    "ons-code,Indicator Code,period,value\n",
    "la.code,indicator,period,value\n",
    "area,ni,period,value\n",
]
TRIMMED_AREA_ROW = " e08000016 ,NI 117,2008/09,7.5,,,,,"


def _spelling_row(indicator: str, period: str) -> str:
    return f"{BARNSLEY},{indicator},{period},{'-5' if indicator == 'NI 47' else '7.5'},,,,,"


SINGLE_ROWS: list[tuple[str, str]] = list(
    dict.fromkeys(
        [(HEADER, row) for row, _ in ROW_REASONS]
        + [(HEADER, FIRST_REASON_ROW), (HEADER, TRIMMED_AREA_ROW)]
        + [(HEADER, _spelling_row(i, p)) for i, p, _ in SPELLINGS]
        + [(HEADER, f"{BARNSLEY},{i},{p},7.5,,,,,") for i, p in BAD_PERIODS]
        + [(HEADER, f'{BARNSLEY},NI 123,2008/09 Q1,"{t}",,,,,') for t, _ in NUMBER_SPELLINGS]
        + [(HEADER, f"{BARNSLEY},NI 117,2008/09,,{n},{d},,,") for n, d, _ in RATIOS]
        + [(h, f"{BARNSLEY},NI 117,2008/09,7.5") for h in HEADER_ALIASES]
    )
)


@pytest.fixture(scope="module")
def single_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple]:
    """Every single-row case in one load: (header, row) -> (reason or None, accepted rows)."""
    wh = Warehouse(tmp_path_factory.mktemp("single-rows"))
    names = {case: f"case-{number:03}.csv" for number, case in enumerate(SINGLE_ROWS)}
    for (header, row), name in names.items():
        wh.write(name, header + row + "\n")
    result = wh.load()
    assert [(f.outcome, f.rows_read) for f in result.files] == [("LOADED", 1)] * len(names)
    reasons = dict(wh.rows("select path, reason_code from ingest.rejected_rows"))
    accepted: dict[str, list] = {}
    for path, *row in wh.rows(
        "select path, line_number, area_code, ni_code, period_id, value "
        "from ingest.accepted_values order by path, line_number"
    ):
        accepted.setdefault(path, []).append(tuple(row))
    by_path = {name: case for case, name in names.items()}
    assert set(reasons) | set(accepted) == set(by_path)  # every file: one outcome, never two
    return {case: (reasons.get(path), accepted.get(path, [])) for path, case in by_path.items()}


def one_row(
    single_rows: dict[tuple[str, str], tuple], row: str, header: str = HEADER
) -> tuple[str | None, list]:
    """A single data row's reason code (None if accepted) and accepted rows, from the shared load."""
    return single_rows[(header, row)]


@pytest.mark.parametrize(("row", "reason"), ROW_REASONS)
def test_each_row_reason(single_rows, row: str, reason: str | None) -> None:
    got, accepted = one_row(single_rows, row)
    assert got == reason
    assert len(accepted) == (1 if reason is None else 0)


def test_first_reason_in_contract_order_wins(single_rows) -> None:
    # unknown area AND unknown indicator AND bad period AND bad number: the area comes first
    assert one_row(single_rows, FIRST_REASON_ROW)[0] == "UNKNOWN_AREA"


@pytest.mark.parametrize(("indicator", "period", "period_id"), SPELLINGS)
def test_period_and_indicator_spellings(single_rows, indicator, period, period_id) -> None:
    reason, accepted = one_row(single_rows, _spelling_row(indicator, period))
    assert reason is None
    ni_number = "".join(ch for ch in indicator if ch.isdigit())
    assert accepted[0][2:4] == (f"NI {ni_number}", period_id)


@pytest.mark.parametrize(("indicator", "period"), BAD_PERIODS)
def test_bad_periods(single_rows, indicator, period) -> None:
    assert one_row(single_rows, f"{BARNSLEY},{indicator},{period},7.5,,,,,")[0] == "BAD_PERIOD"


@pytest.mark.parametrize(("text", "expected"), NUMBER_SPELLINGS)
def test_number_spellings(single_rows, text: str, expected: float) -> None:
    reason, accepted = one_row(single_rows, f'{BARNSLEY},NI 123,2008/09 Q1,"{text}",,,,,')
    assert reason is None and accepted[0][4] == expected


@pytest.mark.parametrize(("num", "den", "value"), RATIOS[:3])
def test_derived_value_is_the_correctly_rounded_ratio(single_rows, num, den, value) -> None:
    # num / den * 100 would give 55.00000000000001 and 5.6000000000000005
    reason, accepted = one_row(single_rows, f"{BARNSLEY},NI 117,2008/09,,{num},{den},,,")
    assert reason is None and accepted[0][4] == value


def test_value_derived_from_numerator_and_denominator_without_rounding(single_rows) -> None:
    reason, accepted = one_row(single_rows, f"{BARNSLEY},NI 117,2008/09,,1,3,,,")
    assert reason is None
    assert accepted[0][4] == pytest.approx(100 / 3, rel=1e-15)


@pytest.mark.parametrize("header", HEADER_ALIASES)
def test_header_aliases(single_rows, header: str) -> None:
    reason, accepted = one_row(single_rows, f"{BARNSLEY},NI 117,2008/09,7.5", header=header)
    assert reason is None and accepted[0][1:] == (BARNSLEY, "NI 117", "2008-09", 7.5)


def test_numerator_denominator_aliases_and_unknown_columns_listed(wh: Warehouse) -> None:
    wh.write(
        "r.csv", "area,ni,year,num,denom,Lead officer,notes\nE08000016,117,2008/09,75,1000,Jo,x\n"
    )
    result = wh.load()
    assert result.files[0].extra_columns == ["Lead officer"]
    assert wh.accepted()[0][4] == 7.5
    assert wh.rows("select comment from ingest.accepted_values") == [("x",)]


def test_second_comment_column_is_an_extra_column(wh: Warehouse) -> None:
    wh.write("r.csv", "area,ni,year,value,Comment,Notes\nE08000016,117,2008/09,7.5,kept,also\n")
    result = wh.load()
    assert result.files[0].extra_columns == ["Notes"]
    assert wh.rows("select comment from ingest.accepted_values") == [("kept",)]


def test_area_code_trimmed_and_any_case(single_rows) -> None:
    assert one_row(single_rows, TRIMMED_AREA_ROW)[1][0][1] == BARNSLEY


def test_conflicting_and_exact_duplicates(wh: Warehouse) -> None:
    wh.write(
        "r.csv",
        HEADER
        + f"{BARNSLEY},NI 117,2008/09,7.5,,,,,\n"  # line 2: exact duplicate of line 4
        + f"{BARNSLEY},NI 73,2008/09,80,,,,,\n"  # line 3: conflicts with line 5
        + f"{BARNSLEY},NI 117,2008/09,7.5,,,,,\n"
        + f"{BARNSLEY},NI 73,2008/09,81,,,,,\n"
        + f"{BARNSLEY},NI 73,2008/09,bad,,,,,\n",  # line 6: BAD_NUMBER, not a duplicate
    )
    result = wh.load()
    assert wh.reasons() == [
        (3, "CONFLICTING_DUPLICATE"),
        (5, "CONFLICTING_DUPLICATE"),
        (6, "BAD_NUMBER"),
    ]
    assert (result.files[0].rows_accepted, result.files[0].rows_rejected) == (2, 3)
    assert [row[0] for row in wh.accepted()] == [2]  # exact duplicates give one value


def test_exact_duplicates_are_copies_of_one_version_and_every_row_adds_up(wh: Warehouse) -> None:
    wh.write(
        "r.csv",
        HEADER
        + f"{BARNSLEY},NI 117,2008/09,7.5,,,,,\n" * 3  # lines 2-4: one version, 3 copies
        + f"{BARNSLEY},NI 73,2008/09,80,,,,,\n"  # line 5
        + f"{BARNSLEY},NI 87,2008/09,12,,,,,\n"  # line 6: conflicts with line 8
        + f"{BARNSLEY},NI 117,2008/09,bad,,,,,\n"  # line 7: BAD_NUMBER
        + f"{BARNSLEY},NI 87,2008/09,13,,,,,\n",
    )
    wh.write("s.csv", HEADER + f"{BARNSLEY},NI 73,2009/10,81,,,,,\n" * 2)
    wh.load()
    assert wh.rows(
        "select path, line_number, ni_code, copies from ingest.accepted_values order by 1, 2"
    ) == [("r.csv", 2, "NI 117", 3), ("r.csv", 5, "NI 73", 1), ("s.csv", 2, "NI 73", 2)]
    # rows_read = sum(copies) of the file's accepted versions + its rejected rows
    assert wh.rows(
        """
        select f.path, f.rows_read, f.rows_accepted,
               (select sum(a.copies) from ingest.accepted_values as a
                where a.load_id = f.load_id and a.path = f.path),
               (select count(*) from ingest.rejected_rows as r
                where r.load_id = f.load_id and r.path = f.path)
        from ingest.load_files as f where f.outcome = 'LOADED' order by f.path
        """
    ) == [("r.csv", 7, 4, 4, 3), ("s.csv", 2, 2, 2, 0)]


def test_rejected_rows_keep_the_keys_validation_parsed(wh: Warehouse) -> None:
    wh.write(
        "r.csv",
        HEADER
        + "E99999999,NI 117,2008/09,7.5,,,,,\n"  # UNKNOWN_AREA
        + f"{BARNSLEY},NI 250,2008/09,7.5,,,,,\n"  # UNKNOWN_INDICATOR: no type, no period
        + f"{BARNSLEY},NI 117,2008/10,7.5,,,,,\n"  # BAD_PERIOD
        + f"{BARNSLEY},ni117,2009-10,150,,,,,\n",  # OUT_OF_RANGE: every key known
    )
    wh.load()
    assert wh.rows(
        "select line_number, reason_code, area_code, ni_code, period_id "
        "from ingest.rejected_rows order by 1"
    ) == [
        (2, "UNKNOWN_AREA", None, "NI 117", "2008-09"),
        (3, "UNKNOWN_INDICATOR", BARNSLEY, None, None),
        (4, "BAD_PERIOD", BARNSLEY, "NI 117", None),
        (5, "OUT_OF_RANGE", BARNSLEY, "NI 117", "2009-10"),
    ]


def test_a_ledger_from_before_the_new_columns_gains_them(wh: Warehouse) -> None:
    """A warehouse built by 0.1.0 keeps loading: old rows get null keys and 1 copy."""
    wh.con.execute(
        """
        create schema ingest;
        create table ingest.loads (
            load_id varchar primary key, load_seq integer not null, started_at timestamp not null,
            finished_at timestamp, outcome varchar not null, files integer not null,
            rows_accepted bigint not null, rows_rejected bigint not null
        );
        create table ingest.rejected_rows (
            load_id varchar not null, path varchar not null, sha256 varchar not null,
            line_number integer not null, raw varchar not null, reason_code varchar not null,
            message varchar not null
        );
        create table ingest.accepted_values (
            load_id varchar not null, load_seq integer not null, path varchar not null,
            sha256 varchar not null, file_order integer not null, line_number integer not null,
            area_code varchar not null, ni_code varchar not null, period_id varchar not null,
            value double not null, value_derived boolean not null, numerator double,
            denominator double, ci_lower double, ci_upper double, status varchar not null,
            comment varchar, loaded_at timestamp not null
        );
        insert into ingest.loads values ('L0', 1, now(), now(), 'loaded', 1, 1, 1);
        insert into ingest.rejected_rows values ('L0', 'old.csv', 'ab', 3, '{}', 'BAD_NUMBER', 'm');
        insert into ingest.accepted_values values ('L0', 1, 'old.csv', 'ab', 1, 2, 'E08000016',
            'NI 117', '2008-09', 7.0, false, null, null, null, null, 'final', null, now());
        """
    )
    wh.write(
        "new.csv", HEADER + f"{BARNSLEY},NI 117,2009/10,7.5,,,,,\n{BARNSLEY},NI 117,x,1,,,,,\n"
    )
    wh.load()
    assert wh.rows("select path, copies from ingest.accepted_values order by load_seq") == [
        ("old.csv", 1),
        ("new.csv", 1),
    ]
    assert wh.rows(
        "select path, area_code, ni_code, period_id from ingest.rejected_rows order by path"
    ) == [("new.csv", BARNSLEY, "NI 117", None), ("old.csv", None, None, None)]
    # ingest owns schema ingest only: the quality checks create schema quality
    assert (
        wh.rows("select schema_name from information_schema.schemata where schema_name = 'quality'")
        == []
    )


def test_rejected_row_keeps_file_line_raw_and_message(wh: Warehouse) -> None:
    wh.write(
        "sub/r.csv", "LAA return 2008/09\n\nArea,NI,Period,Value\nE08000016,NI 117,2008/09,n/a\n"
    )
    wh.load()
    path, line, raw, reason, message = wh.rows(
        "select path, line_number, raw, reason_code, message from ingest.rejected_rows"
    )[0]
    assert (path, line, reason) == ("sub/r.csv", 4, "BAD_NUMBER")
    assert json.loads(raw) == {
        "Area": BARNSLEY,
        "NI": "NI 117",
        "Period": "2008/09",
        "Value": "n/a",
    }
    assert "'n/a' is not a number" in message


def test_line_numbers_count_physical_lines(wh: Warehouse) -> None:
    wh.write(
        "r.csv",
        "area_code,indicator,period,value,comment\r\n"
        'E08000016,NI 117,2008/09,7.5,"two\nlines"\r\n'
        "\r\n"
        "E08000016,NI 73,2008/09,bad,\r\n",
    )
    wh.load()
    assert wh.reasons() == [(5, "BAD_NUMBER")]
    assert wh.accepted()[0][0] == 2


def test_encodings(wh: Warehouse) -> None:
    text = "area_code,indicator,period,value,comment\nE08000016,NI 117,2008/09,7.5,café\n"
    wh.write("a_utf8.csv", text)
    wh.write("b_bom.csv", b"\xef\xbb\xbf" + text.replace("NI 117", "NI 73").encode())
    wh.write("c_1252.csv", text.replace("NI 117", "NI 87").encode("cp1252"))
    result = wh.load()
    assert [f.encoding for f in result.files] == ["utf-8", "utf-8-sig", "cp1252"]
    assert wh.rows("select distinct comment from ingest.accepted_values") == [("café",)]


def _xlsx(path: Path, rows: list[list], sheet: str = "Return", first_sheet: str | None = None):
    workbook = openpyxl.Workbook()
    if first_sheet:
        workbook.active.title = first_sheet
        workbook.active.append(["not", "the", "return"])
        sheet_ws = workbook.create_sheet(sheet)
    else:
        sheet_ws = workbook.active
        sheet_ws.title = sheet
    for row in rows:
        sheet_ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return sheet_ws


def test_xlsx_title_rows_return_sheet_and_percent_cells(wh: Warehouse) -> None:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Guidance", "area_code", "indicator"])  # not the Return sheet
    ws = workbook.create_sheet("Return")
    ws.append(["Local Area Agreement return"])
    ws.append(["Area: Barnsley"])
    ws.append([])
    ws.append(["Area Code", "NI", "Period", "Value"])
    ws.append([BARNSLEY, "NI 117", "2008/09", 0.075])
    ws["D5"].number_format = "0.0%"
    ws.append([BARNSLEY, 87, "2008/09", 12.25])
    ws.append([BARNSLEY, "NI 47", 2008, "x"])
    workbook.save(wh.raw / "r.xlsx")
    result = wh.load()
    outcome = result.files[0]
    assert (outcome.sheet, outcome.header_line, outcome.rows_read) == ("Return", 4, 3)
    assert wh.accepted() == [
        (5, BARNSLEY, "NI 117", "2008-09", 7.5),
        (6, BARNSLEY, "NI 87", "2008-09", 12.25),
    ]
    assert wh.reasons() == [(7, "BAD_NUMBER")]


def test_xlsx_first_sheet_when_no_return_sheet(wh: Warehouse) -> None:
    _xlsx(
        wh.raw / "r.xlsx",
        [["area_code", "indicator", "period", "value"], [BARNSLEY, "NI 117", "2008/09", 7.5]],
        sheet="Data",
    )
    assert wh.load().files[0].sheet == "Data"
    assert len(wh.accepted()) == 1


SPREADSHEETML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _percent_workbook() -> bytes:
    """A one-row return whose value 0.075 is shown as 7.5% (number format 164, `0.0%`)."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Return"
    ws.append(["area_code", "indicator", "period", "value"])
    ws.append([BARNSLEY, "NI 117", "2008/09", 0.075])
    ws["D2"].number_format = "0.0%"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_styles_xml(workbook: bytes, styles: bytes) -> bytes:
    """The workbook with its xl/styles.xml replaced, every other part kept as it was."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            part = styles if item.filename == "xl/styles.xml" else source.read(item)
            target.writestr(item, part)
    return out.getvalue()


def _styles_xml(prefix: str, num_fmt: str, xf: str) -> bytes:
    """A minimal styles.xml whose second cell style (the value's) uses `num_fmt` via `xf`."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}styleSheet {xmlns}="{SPREADSHEETML}">'
        f'<{p}numFmts count="1"><{p}{num_fmt}/></{p}numFmts>'
        f'<{p}fonts count="1"><{p}font><{p}sz val="11"/><{p}name val="Calibri"/></{p}font></{p}fonts>'
        f'<{p}fills count="1"><{p}fill><{p}patternFill patternType="none"/></{p}fill></{p}fills>'
        f'<{p}borders count="1"><{p}border/></{p}borders>'
        f'<{p}cellStyleXfs count="1"><{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f"</{p}cellStyleXfs>"
        f'<{p}cellXfs count="2"><{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        f"<{p}{xf}/></{p}cellXfs>"
        f'<{p}cellStyles count="1"><{p}cellStyle name="Normal" xfId="0" builtinId="0"/>'
        f"</{p}cellStyles>"
        f"</{p}styleSheet>"
    ).encode()


XF_164 = 'xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"'


@pytest.mark.parametrize(
    "styles",
    [
        # spreadsheetml under a prefix, formatCode before numFmtId: the regexes saw nothing
        _styles_xml("x", 'numFmt formatCode="0.0%" numFmtId="164"', XF_164),
        # attributes in single quotes, and xf's numFmtId last
        _styles_xml(
            "",
            "numFmt numFmtId='164' formatCode='0.0%'",
            "xf xfId='0' fontId='0' fillId='0' borderId='0' applyNumberFormat='1' numFmtId='164'",
        ),
        # the % written as a character reference
        _styles_xml("", 'numFmt numFmtId="164" formatCode="0.0&#37;"', XF_164),
    ],
    ids=["prefixed-and-reordered", "single-quoted", "char-reference"],
)
def test_xlsx_percent_format_however_styles_xml_spells_it(wh: Warehouse, styles: bytes) -> None:
    workbook = _with_styles_xml(_percent_workbook(), styles)
    assert readers._uses_percent_format(workbook)
    wh.write("r.xlsx", workbook)
    wh.load()
    assert wh.accepted() == [(2, BARNSLEY, "NI 117", "2008-09", 7.5)]


def test_xlsx_percent_format_in_quotes_is_literal_text() -> None:
    styles = _styles_xml("", 'numFmt numFmtId="164" formatCode="0.0&quot; %&quot;"', XF_164)
    assert not readers._uses_percent_format(_with_styles_xml(_percent_workbook(), styles))
    assert readers.excel_cell_text(0.075, '0.0" %"') == "0.075"
    assert readers.excel_cell_text(0.075, "0.0%") == "7.5%"


def _corrupt_styles_member(workbook: bytes) -> bytes:
    """The workbook with the start of styles.xml's compressed bytes overwritten."""
    info = zipfile.ZipFile(io.BytesIO(workbook)).getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return workbook[:start] + b"\xff" * 16 + workbook[start + 16 :]


@pytest.mark.parametrize(
    "broken",
    [
        lambda wb: _with_styles_xml(wb, b'<styleSheet><numFmts><numFmt numFmtId="164"'),
        lambda wb: _with_styles_xml(wb, b'<?xml version="1.0" encoding="no-such"?><a/>'),
        lambda wb: _with_styles_xml(wb, b""),
        _corrupt_styles_member,
    ],
    ids=["not-well-formed", "unknown-encoding", "empty", "corrupt-zip-member"],
)
def test_xlsx_unreadable_styles_xml_counts_as_no_percent_formats(wh: Warehouse, broken) -> None:
    """As a missing styles.xml does: calamine then reads the workbook, or rejects it."""
    workbook = broken(_percent_workbook())
    assert readers._uses_percent_format(workbook) is False
    wh.write("r.xlsx", workbook)
    (outcome,) = wh.load().files
    assert (outcome.outcome, outcome.reason) == ("REJECTED", "UNREADABLE")


def test_xlsx_styles_xml_is_read_only_up_to_a_bound(monkeypatch) -> None:
    workbook = _percent_workbook()
    assert readers._uses_percent_format(workbook)
    monkeypatch.setattr(readers, "STYLES_XML_MAX_BYTES", 100)
    assert not readers._uses_percent_format(workbook)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("r.xls", b"\xd0\xcf\x11\xe0 old excel", "UNSUPPORTED_FORMAT"),
        ("r.txt", "area_code,indicator,period,value\n", "UNSUPPORTED_FORMAT"),
        ("README", "hello", "UNSUPPORTED_FORMAT"),
        ("r.xlsx", b"PK\x03\x04 not really a workbook", "UNREADABLE"),
        ("r.csv", b"\x00\x01\x02binary", "UNREADABLE"),
        ("r.csv", b"area_code,indicator\xff\x81\n", "UNREADABLE"),
        ("r.csv", "", "EMPTY"),
        ("r.csv", HEADER, "EMPTY"),
        ("r.csv", "area_code,indicator,value\nE08000016,NI 117,7\n", "MISSING_COLUMNS"),
        ("r.csv", "area_code,period,value\nE08000016,2008/09,7\n", "MISSING_COLUMNS"),
        (
            "r.csv",
            "area_code,indicator,period,numerator\nE08000016,NI 117,2008/09,7\n",
            "MISSING_COLUMNS",
        ),
        (
            "r.csv",
            "area_code,gss_code,indicator,period,value\nE08000016,E08000016,NI 117,2008/09,7\n",
            "MISSING_COLUMNS",
        ),
    ],
)
def test_file_rejections(wh: Warehouse, name: str, content, reason: str) -> None:
    wh.write(name, content)
    result = wh.load()
    (outcome,) = result.files
    assert (outcome.outcome, outcome.reason) == ("REJECTED", reason)
    assert outcome.message
    row = wh.rows("select outcome, reason, rows_read from ingest.load_files")[0]
    assert row == ("REJECTED", reason, 0)


def test_hidden_files_are_ignored(wh: Warehouse) -> None:
    wh.write(".~lock.r.csv#", "x")
    wh.write(".hidden/r.csv", HEADER + f"{BARNSLEY},NI 117,2008/09,7.5,,,,,\n")
    result = wh.load()
    assert result.files == []
    assert wh.rows("select outcome, files from ingest.loads") == [("nothing_new", 0)]


def test_manifest_already_loaded_and_changed_files(wh: Warehouse) -> None:
    good = HEADER + f"{BARNSLEY},NI 117,2008/09,7.5,,,,,provisional\n"
    wh.write("a.csv", good)
    wh.write("b_copy.csv", good)
    first = wh.load()
    assert [(f.path, f.outcome) for f in first.files] == [
        ("a.csv", "LOADED"),
        ("b_copy.csv", "ALREADY_LOADED"),
    ]

    second = wh.load()  # nothing new: no audit rows for files, one load row
    assert second.files == []
    assert wh.rows("select count(*) from ingest.load_files") == [(2,)]
    assert wh.rows("select outcome from ingest.loads order by load_seq") == [
        ("loaded",),
        ("nothing_new",),
    ]

    wh.write("a.csv", good.replace("7.5,,,,,provisional", "7.2,,,,,final"))  # replaced file
    wh.write("c_copy.csv", good)  # a new path with bytes loaded before
    third = wh.load()
    assert [(f.path, f.outcome) for f in third.files] == [
        ("a.csv", "LOADED"),
        ("c_copy.csv", "ALREADY_LOADED"),
    ]
    assert wh.rows(
        "select value, status, load_seq from ingest.accepted_values order by load_seq"
    ) == [(7.5, "provisional", 1), (7.2, "final", 3)]


def test_every_row_read_is_accounted_for(wh: Warehouse) -> None:
    wh.write(
        "a.csv",
        HEADER
        + "\n".join(
            f"{BARNSLEY},NI {n},2008/09,{v},,,,,"
            for n, v in [(117, 7), (117, 8), (31, 1), (250, 1), (73, 80)]
        )
        + "\n",
    )
    result = wh.load()
    counts = wh.rows(
        "select f.rows_read, f.rows_accepted, f.rows_rejected, "
        "(select count(*) from ingest.rejected_rows r where r.path = f.path) "
        "from ingest.load_files f"
    )
    assert counts == [(5, 1, 4, 4)]  # NI 117 twice with different values: both conflict
    assert result.rows_accepted + result.rows_rejected == 5


def test_values_with_sql_and_formula_text_are_kept_as_data(wh: Warehouse) -> None:
    nasty = "'); drop table ingest.loads; --"
    wh.write(
        "x'; drop.csv",
        f'area_code,indicator,period,value,comment\n{BARNSLEY},NI 117,2008/09,7.5,"{nasty}"\n'
        f'=HYPERLINK("http://x"),NI 117,2008/09,7.5,\n',
    )
    wh.load()
    assert wh.rows("select comment from ingest.accepted_values") == [(nasty,)]
    assert wh.rows("select path, reason_code from ingest.rejected_rows") == [
        ("x'; drop.csv", "UNKNOWN_AREA")
    ]
    assert wh.rows("select count(*) from ingest.loads") == [(1,)]


def test_links_out_of_the_raw_folder_are_not_followed(wh: Warehouse, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text(HEADER + f"{BARNSLEY},NI 117,2008/09,7.5,,,,,\n")
    (wh.raw / "link.csv").symlink_to(outside)
    (wh.raw / "folder").symlink_to(tmp_path, target_is_directory=True)
    result = wh.load()
    assert [(f.path, f.outcome, f.reason) for f in result.files] == [
        ("link.csv", "REJECTED", "UNREADABLE")
    ]
    assert "outside the raw folder" in result.files[0].message
    assert wh.accepted() == []
    again = wh.load()  # reported once; a load with nothing new records no file
    assert again.files == []
    assert wh.rows("select files from ingest.loads order by load_seq") == [(1,), (0,)]

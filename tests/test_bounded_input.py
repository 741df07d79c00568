"""Bounded input (issue 10, defect 11): no return can make a load slow or large for nothing.

A workbook of a million junk rows is given up at the header limit with little memory, a zip
bomb and an oversized file are rejected unread, an oversized cell is cut and counted, and
files a load skips (hidden names, the demo marker) are named in the load summary.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import readers
from pipelines.ingest.discover import RETURN_MAX_BYTES, list_ignored, list_return_files
from pipelines.ingest.load import run_ingest
from pipelines.nightly import describe_ignored
from pipelines.settings import REPO_ROOT

SEEDS = REPO_ROOT / "data" / "seeds"
BARNSLEY = "E08000016"


def workbook(sheet_rows: str, shared_strings: str | None = None) -> bytes:
    """A minimal .xlsx whose sheet XML holds `sheet_rows` (the <row> elements)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            f"{sheet_rows}</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def million_junk_rows() -> bytes:
    return workbook(
        "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 1_000_001))
    )


MEASURE = """
import resource, sys
from pipelines.ingest.readers import FileRejected, read_return_bytes
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_return_bytes(data, "xlsx")
    print("read")
except FileRejected as rejected:
    print(rejected.reason, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_a_million_junk_rows_are_given_up_at_the_header_limit_in_bounded_memory(
    tmp_path: Path,
) -> None:
    path = tmp_path / "million.xlsx"
    path.write_bytes(million_junk_rows())
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    reason, grew_kb = done.stdout.split()
    assert reason == "MISSING_COLUMNS"
    # Made into Python rows whole, this sheet grew the process by 160 MB (300 MB with text
    # cells); rows are now made only as they are read. What remains is calamine's own copy of
    # the cells (about 85 MB here), bounded by the 64 MB limit on a sheet's unpacked size.
    assert int(grew_kb) < 120 * 1024, f"reading grew the process by {int(grew_kb) // 1024} MB"


def test_a_zip_bomb_is_rejected_unread() -> None:
    bomb = workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "0" * (65 * 2**20) + "</t></is></c></row>"
    )
    assert len(bomb) < 2**20  # a small file that unpacks to 65 MB
    with pytest.raises(readers.FileRejected) as rejected:
        readers.read_return_bytes(bomb, "xlsx")
    assert rejected.value.reason == "UNREADABLE"
    assert "unpacks to 65 MB, more than the 64 MB a return may hold" in rejected.value.message


def test_an_oversized_file_is_rejected_without_being_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with open(raw / "national.csv", "wb") as handle:
        handle.truncate(RETURN_MAX_BYTES + 1)  # sparse: no disk used, never read
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        result = run_ingest(con, raw, SEEDS)
    (outcome,) = result.files
    assert (outcome.outcome, outcome.reason) == ("REJECTED", "UNREADABLE")
    assert "more than the 64 MB a return may be" in outcome.message


def test_a_ten_megabyte_cell_is_cut_to_the_limit_and_counted() -> None:
    comment = "x" * (10 * 2**20)
    data = (
        "area_code,indicator,period,value,comment\n"
        f"{BARNSLEY},NI 117,2008/09,7.5,{comment}\n{BARNSLEY},NI 117,2009/10,7.0,fine\n"
    ).encode()
    parsed = readers.read_return_bytes(data, "csv")
    assert parsed.cells_cut == 1
    assert parsed.rows[0][4] == "x" * 4000 + " [cut by NI Warehouse: 10,485,760 characters sent]"
    assert parsed.rows[1][4] == "fine"


def test_hidden_files_and_the_demo_marker_are_listed_as_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "2008-09").mkdir()
    (tmp_path / "2008-09" / ".~lock.barnsley.csv#").write_text("x")
    (tmp_path / "2008-09" / "barnsley.csv").write_text("x")
    (tmp_path / "DEMO-RETURNS.sha256").write_text("")
    (tmp_path / ".evil\nNI Warehouse load L1 ok.csv").write_text("x")
    assert [c.path for c in list_return_files(tmp_path)] == ["2008-09/barnsley.csv"]
    assert list_ignored(tmp_path) == [
        (".evil\nNI Warehouse load L1 ok.csv", "hidden file (name starts with '.')"),
        (".git/", "hidden folder"),
        ("2008-09/.~lock.barnsley.csv#", "hidden file (name starts with '.')"),
        ("DEMO-RETURNS.sha256", "the demo set's list of its files, not a return"),
    ]
    summary = describe_ignored(tmp_path)
    assert summary[0] == "  ignored:   4 under the raw folder, not returns:"
    # a newline in a name cannot forge a summary line
    assert len(summary) == 5 and not any(line.startswith("NI Warehouse") for line in summary)
    assert "\\nNI Warehouse load L1 ok.csv" in summary[1]

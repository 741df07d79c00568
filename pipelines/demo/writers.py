"""Byte-stable CSV and XLSX return files.

XLSX files are written here directly (a minimal SpreadsheetML package: workbook, sheets,
shared strings, styles) rather than with openpyxl: without lxml, openpyxl's write-only mode
spends ~25 s serialising the ~100k XLSX rows of a full demo set, this writer well under a
second; and every zip entry and document property carries one fixed timestamp, so the same
seed gives byte-identical files. openpyxl and python-calamine both read the result (tested).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

FIXED_TIME = dt.datetime(2011, 3, 31, 12, 0, 0)
_ZIP_TIME = (2011, 3, 31, 12, 0, 0)
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

Cell = str | int | float | None


def format_number(number: float, decimals: int, thousands: bool = False) -> str:
    """`1234.5` -> `1234.5` or `1,234.5`; integers without a decimal point."""
    text = f"{number:,.{decimals}f}" if thousands else f"{number:.{decimals}f}"
    return "0" if text in ("-0", "-0.0", "-0.00") and decimals == 0 else text


def csv_bytes(
    rows: Sequence[Sequence[str]], *, encoding: str = "utf-8", newline: str = "\n"
) -> tuple[bytes, str]:
    """A CSV file's bytes and the encoding actually used.

    Windows-1252 cannot hold every character; a file that would lose one is written as UTF-8
    instead, as Excel does when asked for "CSV UTF-8".
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    text = buffer.getvalue()
    try:
        return text.encode(encoding), encoding
    except UnicodeEncodeError:
        return text.encode("utf-8"), "utf-8"


def xlsx_cell(text: str | None) -> Cell:
    """How a typed cell ends up in Excel: plain numbers become numbers, the rest text."""
    if text is None or text == "":
        return None
    candidate = text.replace(",", "")
    if _PLAIN_NUMBER.fullmatch(candidate):
        return int(candidate) if "." not in candidate else float(candidate)
    return text


def xlsx_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title_rows: Sequence[str] = (),
    guidance_sheet: bool = False,
    numeric_columns: frozenset[int] = frozenset(),
) -> bytes:
    """A workbook with the return on a sheet named `Return`, title rows above the header.

    Cells in `numeric_columns` that hold plain numbers are written as numbers; everything else
    (area codes, indicators like `117`, periods like `2008`) as text, as a template would.
    Title rows are followed by one empty row, so the header is on row len(title_rows) + 2.
    """
    strings = _SharedStrings()
    sheets: list[tuple[str, str]] = []
    if guidance_sheet:
        sheets.append(("Guidance", _sheet_xml([(1, [GUIDANCE[0]]), (2, [GUIDANCE[1]])], strings)))
    numbered: list[tuple[int, Sequence[Cell]]] = [(i + 1, [t]) for i, t in enumerate(title_rows)]
    first = len(title_rows) + (2 if title_rows else 1)
    numbered.append((first, list(header)))
    for offset, row in enumerate(rows, start=1):
        cells = [
            xlsx_cell(text) if index in numeric_columns else (text or None)
            for index, text in enumerate(row)
        ]
        numbered.append((first + offset, cells))
    sheets.append(("Return", _sheet_xml(numbered, strings)))
    return _package(sheets, strings)


GUIDANCE = (
    "Complete the Return sheet: one row per indicator and period.",
    "Leave value blank where numerator and denominator are given.",
)
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"


class _SharedStrings:
    """The workbook's shared string table, as Excel writes text cells."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def ref(self, text: str) -> int:
        self.count += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in self.index
        )
        return (
            f'{_XML}<sst xmlns="{_MAIN}" count="{self.count}" '
            f'uniqueCount="{len(self.index)}">{items}</sst>'
        )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


_LETTERS = [_column_letter(i) for i in range(64)]


def _sheet_xml(rows: Sequence[tuple[int, Sequence[Cell]]], strings: _SharedStrings) -> str:
    parts = [f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetData>']
    for row_number, cells in rows:
        parts.append(f'<row r="{row_number}">')
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            ref = f"{_LETTERS[index]}{row_number}"
            if isinstance(cell, str):
                parts.append(f'<c r="{ref}" t="s"><v>{strings.ref(cell)}</v></c>')
            else:
                parts.append(f'<c r="{ref}"><v>{cell!r}</v></c>')
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def _package(sheets: Sequence[tuple[str, str]], strings: _SharedStrings) -> bytes:
    """Zip the parts, every entry with the same fixed timestamp."""
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}"
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{_CT}.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    sheet_entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{sheet_entries}</sheets></workbook>"
    )
    workbook_rels = (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>LAA performance team</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Microsoft Excel</Application></Properties>'
    )
    styles = (
        f'{_XML}<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", app),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", styles),
        *((f"xl/worksheets/sheet{i}.xml", xml) for i, (_, xml) in enumerate(sheets, start=1)),
        ("xl/sharedStrings.xml", strings.xml()),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compresslevel=1) as archive:
        for name, xml in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, xml.encode("utf-8"))
    return buffer.getvalue()

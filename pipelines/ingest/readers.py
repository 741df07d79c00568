"""Reading return files (CSV and XLSX) into header-mapped rows of text (contract §1).

Readers only turn bytes into cells: every judgement about a row's content is made later, in
SQL, over all landed rows at once. A reader either returns a `ParsedFile` or raises
`FileRejected` with the contract's file reason code and a message a person can act on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree

from .headers import HeaderError, HeaderMap, is_header_row, map_header

# A header further down than this is not a header: the file is not a return.
HEADER_SEARCH_ROWS = 50
csv.field_size_limit(16 * 1024 * 1024)
# The longest cell kept whole (docs/decisions.md, "Bounded input"). A longer cell is cut to
# this many characters and marked; the file's `cells_cut` counts them and the
# anomalies_return_files suite warns. A comment is a sentence or a paragraph, never a book.
CELL_MAX_CHARS = 4000
# No part of a workbook may unpack to more than this (a zip bomb is rejected unread).
XLSX_MAX_PART_BYTES = 64 * 1024 * 1024


class FileRejected(Exception):
    """The whole file is quarantined with `reason` (a contract file reason code)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class ParsedFile:
    """A file's header and data rows as lists of cell text, ready to land in DuckDB."""

    header: HeaderMap
    header_line: int
    encoding: str | None = None
    sheet: str | None = None
    line_numbers: list[int] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    cells_cut: int = 0  # data cells longer than CELL_MAX_CHARS, cut to it

    @property
    def rows_read(self) -> int:
        return len(self.line_numbers)

    @property
    def column_names(self) -> list[str]:
        """Header names as keys for the row as read: blanks named, repeats numbered."""
        names: list[str] = []
        seen: set[str] = set()
        for index, name in enumerate(self.header.names):
            key = name or f"column {index + 1}"
            while key in seen:
                key = f"{key} ({index + 1})"
            seen.add(key)
            names.append(key)
        return names


def _is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _collect(
    rows: Iterable[tuple[int, list[str]]], *, what: str
) -> tuple[HeaderMap, int, Iterator]:
    """Find the header among the first rows; return it and an iterator over the rest."""
    iterator = iter(rows)
    looked = 0
    for line_number, cells in iterator:
        if _is_blank(cells):
            continue
        looked += 1
        cells = [cut_cell(c) for c in cells]
        if is_header_row(cells):
            try:
                return map_header(cells), line_number, iterator
            except HeaderError as exc:
                raise FileRejected(
                    "MISSING_COLUMNS", f"header on {what} {line_number}: {exc}"
                ) from None
        if looked >= HEADER_SEARCH_ROWS:
            break
    if looked == 0:
        raise FileRejected("EMPTY", "the file holds no rows at all")
    raise FileRejected(
        "MISSING_COLUMNS",
        f"no header row found: none of the first {looked} non-blank rows has both an area column "
        "(area_code, area, gss_code, ons_code, la_code) and an indicator column "
        "(indicator, ni, ni_code, indicator_code)",
    )


def cut_cell(text: str) -> str:
    """The cell, or if longer than CELL_MAX_CHARS its first CELL_MAX_CHARS characters, marked."""
    if len(text) <= CELL_MAX_CHARS:
        return text
    return f"{text[:CELL_MAX_CHARS]} [cut by NI Warehouse: {len(text):,} characters sent]"


def _fill(parsed: ParsedFile, rows: Iterator[tuple[int, list[str]]]) -> ParsedFile:
    lines, kept = parsed.line_numbers, parsed.rows
    for line_number, cells in rows:
        if _is_blank(cells):
            continue  # an empty row is layout, not data (see docs/decisions.md)
        if too_long := sum(len(cell) > CELL_MAX_CHARS for cell in cells):
            parsed.cells_cut += too_long
            cells = [cut_cell(c) for c in cells]
        lines.append(line_number)
        kept.append(cells)
    if not lines:
        raise FileRejected(
            "EMPTY", f"the header is on line {parsed.header_line} but no data rows follow it"
        )
    return parsed


# --------------------------------------------------------------------------------------- CSV


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Decode per contract: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected("UNREADABLE", "the file is UTF-16 text; save it as CSV UTF-8")
    if data.startswith(b"PK\x03\x04"):
        raise FileRejected(
            "UNREADABLE",
            "the file is a zip archive (an Excel workbook?) named .csv; "
            "save it as CSV, or name it .xlsx if it is a workbook",
        )
    if b"\x00" in data:
        raise FileRejected("UNREADABLE", "the file holds NUL bytes: it is binary, not CSV text")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "UNREADABLE",
                f"the file starts with a UTF-8 mark but byte {exc.start + 3} is not UTF-8",
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FileRejected(
            "UNREADABLE", f"byte {exc.start} is neither UTF-8 nor Windows-1252 text"
        ) from None


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) for each record, as a person counts lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRejected("UNREADABLE", f"line {start}: not valid CSV ({exc})") from None
        yield start, cells


def read_csv_bytes(data: bytes) -> ParsedFile:
    if not data.strip():
        raise FileRejected("EMPTY", "the file is empty")
    text, encoding = decode_csv_bytes(data)
    header, header_line, rows = _collect(_csv_rows(text), what="line")
    return _fill(ParsedFile(header=header, header_line=header_line, encoding=encoding), rows)


# -------------------------------------------------------------------------------------- XLSX


def is_percent_format(format_code: str) -> bool:
    """Whether an Excel number format shows a number x 100 with a % sign: `0.0%`, not `0" %"`.

    A % inside quotes is literal text, so it neither scales the number nor shows a percentage.
    """
    return "%" in re.sub(r'"[^"]*"', "", format_code)


def excel_cell_text(value: object, number_format: str | None) -> str:
    """A cell as the text a person sees in it: 0.123 formatted `0.0%` reads as `12.3%`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = format(Decimal(repr(value)).normalize(), "f") if value == value else "NaN"
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    else:
        return str(value)
    if number_format and is_percent_format(number_format) and text != "NaN":
        percent = (Decimal(text) * 100).normalize()
        text = format(percent, "f") + "%"
    return text


_PERCENT_BUILTIN_FORMATS = {"9", "10"}  # 0% and 0.00%, which styles.xml does not spell out
# The spreadsheetml namespace of styles.xml: Transitional (what Excel writes) and Strict.
_SPREADSHEETML = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
# Excel allows about 64,000 cell formats, a few MB of styles.xml; a larger one is not a real
# workbook's, and the bound keeps a zip bomb from a sender out of memory.
STYLES_XML_MAX_BYTES = 32 * 1024 * 1024
# A zip member that cannot be read: missing, corrupt, truncated, encrypted, odd compression.
_UNREADABLE_MEMBER = (
    KeyError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,
    NotImplementedError,
)


def _read_styles_xml(data: bytes) -> bytes | None:
    """The workbook's xl/styles.xml, or None when it is missing, unreadable or too large."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open("xl/styles.xml") as member:
                styles = member.read(STYLES_XML_MAX_BYTES + 1)
    except _UNREADABLE_MEMBER:
        return None
    return styles if len(styles) <= STYLES_XML_MAX_BYTES else None


def _uses_percent_format(data: bytes) -> bool:
    """Whether any cell style in the workbook shows numbers as percentages.

    Only then do we pay for openpyxl, which reads each cell's number format; otherwise the
    much faster calamine reader gives the same cells. A styles.xml that is missing, unreadable,
    too large or not well-formed XML counts as no percent formats: calamine then reads the
    workbook, or rejects it as UNREADABLE.
    """
    styles = _read_styles_xml(data)
    if styles is None:
        return False
    try:
        # ElementTree never fetches external entities, and expat (2.4+) caps entity expansion.
        root = ElementTree.fromstring(styles)
    except (ElementTree.ParseError, LookupError, ValueError):  # LookupError: unknown encoding
        return False
    namespace = next((ns for ns in _SPREADSHEETML if root.tag == f"{{{ns}}}styleSheet"), None)
    if namespace is None:
        return False
    s = {"s": namespace}
    percent_ids = set(_PERCENT_BUILTIN_FORMATS)
    for num_fmt in root.iterfind("s:numFmts/s:numFmt", s):
        if is_percent_format(num_fmt.get("formatCode", "")):
            percent_ids.add(num_fmt.get("numFmtId", "").strip())
    used = (xf.get("numFmtId", "0").strip() for xf in root.iterfind("s:cellXfs/s:xf", s))
    return any(fmt_id in percent_ids for fmt_id in used)


def _openpyxl_rows(data: bytes) -> tuple[str, Iterator[tuple[int, list[str]]], object]:
    import openpyxl  # imported here: only workbooks with percentage cells pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(
            "UNREADABLE", f"not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    sheet_name = _pick_sheet(workbook.sheetnames)
    sheet = workbook[sheet_name]
    rows = (
        (row_number, [excel_cell_text(c.value, getattr(c, "number_format", None)) for c in row])
        for row_number, row in enumerate(sheet.iter_rows(min_row=1), start=1)
    )
    return sheet_name, rows, workbook


def _calamine_rows(data: bytes) -> tuple[str, Iterator[tuple[int, list[str]]], object]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _pick_sheet(workbook.sheet_names)
        sheet = workbook.get_sheet_by_name(sheet_name)
        # Rows become Python lists one at a time, as they are asked for: a sheet without a
        # header is given up after HEADER_SEARCH_ROWS rows. iter_rows starts at the sheet's
        # first used column; pad to column A, as a person counts columns.
        first_column = sheet.start[1] if sheet.start else 0
        values = sheet.iter_rows()
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise FileRejected("UNREADABLE", f"not a readable .xlsx workbook ({exc})") from None
    padding = [""] * first_column
    rows = (
        (row_number, padding + [excel_cell_text(value, None) for value in row])
        for row_number, row in enumerate(values, start=1)
    )
    return sheet_name, rows, workbook


def _check_part_sizes(data: bytes) -> None:
    """FileRejected when any part of the workbook unpacks beyond XLSX_MAX_PART_BYTES."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except _UNREADABLE_MEMBER as exc:
        raise FileRejected(
            "UNREADABLE", f"not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    for part in parts:
        if part.file_size > XLSX_MAX_PART_BYTES:
            raise FileRejected(
                "UNREADABLE",
                f"the workbook's part {part.filename[:100]!r} unpacks to "
                f"{part.file_size / 2**20:,.0f} MB, more than the "
                f"{XLSX_MAX_PART_BYTES // 2**20} MB a return may hold",
            )


def _pick_sheet(names: list[str]) -> str:
    if not names:
        raise FileRejected("EMPTY", "the workbook has no sheets")
    return next((n for n in names if n.strip().casefold() == "return"), names[0])


def read_xlsx_bytes(data: bytes) -> ParsedFile:
    if not data:
        raise FileRejected("EMPTY", "the file is empty")
    if not data.startswith(b"PK"):
        raise FileRejected(
            "UNREADABLE", "not a readable .xlsx workbook (an .xlsx file is a zip archive)"
        )
    _check_part_sizes(data)
    reader = _openpyxl_rows if _uses_percent_format(data) else _calamine_rows
    sheet_name, rows, workbook = reader(data)
    try:
        header, header_line, rest = _collect(rows, what=f"sheet {sheet_name!r} row")
        parsed = ParsedFile(header=header, header_line=header_line, sheet=sheet_name)
        return _fill(parsed, rest)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FileRejected("UNREADABLE", f"sheet {sheet_name!r} cannot be read ({exc})") from None
    finally:
        workbook.close()


READERS = {"csv": read_csv_bytes, "xlsx": read_xlsx_bytes}


def read_return_bytes(data: bytes, file_format: str) -> ParsedFile:
    """Parse a return file's bytes, or raise FileRejected."""
    reader = READERS.get(file_format)
    if reader is None:
        shown = f".{file_format}" if file_format else "no extension"
        raise FileRejected(
            "UNSUPPORTED_FORMAT", f"{shown} files are not returns: send .csv or .xlsx"
        )
    return reader(data)

"""Reading return files (CSV and XLSX) into header-mapped rows of text (contract §1).

Readers only turn bytes into cells: every judgement about a row's content is made later, in
SQL, over all landed rows at once. A reader either returns a `ParsedFile` or raises
`FileRejected` with the contract's file reason code and a message a person can act on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .headers import CANONICAL_COLUMNS, HeaderError, HeaderMap, is_header_row, map_header

# A header further down than this is not a header: the file is not a return.
HEADER_SEARCH_ROWS = 50
csv.field_size_limit(16 * 1024 * 1024)


class FileRejected(Exception):
    """The whole file is quarantined with `reason` (a contract file reason code)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class ParsedFile:
    """A file's data rows as text, column-wise, ready to land in DuckDB."""

    header: HeaderMap
    header_line: int
    encoding: str | None = None
    sheet: str | None = None
    line_numbers: list[int] = field(default_factory=list)
    columns: dict[str, list[str | None]] = field(
        default_factory=lambda: {name: [] for name in CANONICAL_COLUMNS}
    )
    raw: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.line_numbers)


def _is_blank(cells: list[str]) -> bool:
    return all(not c.strip() for c in cells)


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


def _fill(parsed: ParsedFile, rows: Iterator[tuple[int, list[str]]]) -> ParsedFile:
    header = parsed.header
    names = [name or f"column {i + 1}" for i, name in enumerate(header.names)]
    positions = header.positions
    columns = parsed.columns
    width = len(names)
    for line_number, cells in rows:
        if _is_blank(cells):
            continue  # an empty row is layout, not data (see docs/ingestion.md)
        parsed.line_numbers.append(line_number)
        for name in CANONICAL_COLUMNS:
            pos = positions.get(name)
            columns[name].append(cells[pos] if pos is not None and pos < len(cells) else None)
        keys = (
            names
            if len(cells) <= width
            else names + [f"column {i + 1}" for i in range(width, len(cells))]
        )
        parsed.raw.append(json.dumps(dict(zip(keys, cells, strict=False)), ensure_ascii=False))
    if not parsed.line_numbers:
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
    if number_format and "%" in number_format.replace('"%"', "") and text != "NaN":
        percent = (Decimal(text) * 100).normalize()
        text = format(percent, "f") + "%"
    return text


def _xlsx_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    for row_number, row in enumerate(sheet.iter_rows(min_row=1), start=1):
        yield (
            row_number,
            [excel_cell_text(cell.value, getattr(cell, "number_format", None)) for cell in row],
        )


def read_xlsx_bytes(data: bytes) -> ParsedFile:
    import openpyxl  # imported here: only workbook loads pay for it

    if not data:
        raise FileRejected("EMPTY", "the file is empty")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(
            "UNREADABLE", f"not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    try:
        names = workbook.sheetnames
        if not names:
            raise FileRejected("EMPTY", "the workbook has no sheets")
        sheet_name = next((n for n in names if n.strip().casefold() == "return"), names[0])
        sheet = workbook[sheet_name]
        try:
            header, header_line, rows = _collect(
                _xlsx_rows(sheet), what=f"sheet {sheet_name!r} row"
            )
            parsed = ParsedFile(header=header, header_line=header_line, sheet=sheet_name)
            return _fill(parsed, rows)
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise FileRejected(
                "UNREADABLE", f"sheet {sheet_name!r} cannot be read ({exc})"
            ) from None
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

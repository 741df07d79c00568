"""Turn generated values into return-file rows, in an authority's house style."""

from __future__ import annotations

from typing import NamedTuple

from pipelines.demo.periods import Period
from pipelines.demo.reference import Area, Indicator
from pipelines.demo.styles import HouseStyle
from pipelines.demo.values import Measurement
from pipelines.demo.writers import csv_bytes, format_number, xlsx_bytes

AREA_NAME = "area_name"  # the one extra (non-contract) column some authorities add
NUMERIC_COLUMNS = ("value", "numerator", "denominator", "ci_lower", "ci_upper")
RATIO_TOLERANCE = 0.05  # contract: INCONSISTENT_RATIO beyond 0.05 in the value's unit


class ReturnRow(NamedTuple):
    """One data row to write: an indicator, a period and what is said about them."""

    indicator: Indicator
    period: Period
    measurement: Measurement
    comment: str = ""
    is_percent: bool = False


def file_columns(style: HouseStyle, *, final_round: bool, with_ci: bool) -> list[str]:
    """The columns of one file, in the authority's order (contract names, plus area_name)."""
    columns = ["area_code"]
    if style.area_name_column:
        columns.append(AREA_NAME)
    columns += ["period", "indicator"] if style.period_first else ["indicator", "period"]
    columns += ["value", "numerator", "denominator"]
    if with_ci:
        columns += ["ci_lower", "ci_upper"]
    if final_round or style.status_when_provisional:
        columns.append("status")
    if style.has_comment:
        columns.append("comment")
    return columns


def header_cells(style: HouseStyle, columns: list[str]) -> list[str]:
    return ["Area Name" if c == AREA_NAME else style.headers[c] for c in columns]


def ratio_value_text(measurement: Measurement, decimals: int, low: float, high: float) -> str:
    """A ratio's value rounded as an authority would, always within the contract's tolerance."""
    exact = measurement.value
    for places in (decimals, decimals + 1, 4):
        text = f"{exact:.{places}f}"
        if abs(float(text) - exact) < RATIO_TOLERANCE - 1e-9 and low <= float(text) <= high:
            return text
    return repr(exact)


def value_text(row: ReturnRow, style: HouseStyle) -> str:
    """The value cell: blank when the authority leaves ratios to be derived."""
    m, indicator = row.measurement, row.indicator
    if m.numerator is not None:
        if style.derive_ratio_value and m.ci_lower is None:
            return ""
        low = indicator.valid_min if indicator.valid_min is not None else float("-inf")
        high = indicator.valid_max if indicator.valid_max is not None else float("inf")
        text = ratio_value_text(m, style.ratio_decimals, low, high)
    else:
        text = format_number(m.value, m.decimals, style.thousands and abs(m.value) >= 1000)
    return text + "%" if style.percent_sign and row.is_percent else text


# Every column a row can have, in this order; a file picks the ones it uses.
_FIELDS = (
    "area_code", AREA_NAME, "indicator", "period", "value", "numerator", "denominator",
    "ci_lower", "ci_upper", "status", "comment",
)  # fmt: skip


def render_rows(
    style: HouseStyle, columns: list[str], area: Area, rows: list[ReturnRow], final_round: bool
) -> list[list[str]]:
    """The file's data rows as text cells, in `columns` order.

    Written as one loop with per-file constants hoisted out: it runs for every one of the
    ~260k rows of a full demo set.
    """
    pick = [_FIELDS.index(c) for c in columns]
    area_code = area.area_code.lower() if style.lower_case_codes else area.area_code
    status = style.status_label("final" if final_round else "provisional", final_round)
    year_spelling, quarter_spelling = style.year_spelling, style.quarter_spelling
    count = "{:,}" if style.thousands else "{}"
    labels: dict[int, str] = {}
    body = []
    for row in rows:
        indicator, period, m = row.indicator, row.period, row.measurement
        label = labels.get(indicator.ni_number)
        if label is None:
            label = labels[indicator.ni_number] = style.indicator_label(indicator.ni_number)
        fields = (
            area_code,
            area.area_name,
            label,
            period.label(year_spelling, quarter_spelling),
            value_text(row, style),
            "" if m.numerator is None else count.format(m.numerator),
            "" if m.denominator is None else count.format(m.denominator),
            "" if m.ci_lower is None else f"{m.ci_lower:.1f}",
            "" if m.ci_upper is None else f"{m.ci_upper:.1f}",
            status,
            row.comment,
        )
        body.append([fields[i] for i in pick])
    return body


def encode_file(
    style: HouseStyle,
    header: list[str],
    body: list[list[str]],
    title_rows: list[str],
) -> tuple[bytes, str]:
    """The file's bytes and its encoding (`xlsx` for workbooks)."""
    if style.file_format == "xlsx":
        numeric = frozenset(
            i for i, name in enumerate(header) if _canonical(style, name) in NUMERIC_COLUMNS
        )
        content = xlsx_bytes(
            header,
            body,
            title_rows=title_rows[: style.title_rows],
            guidance_sheet=style.title_rows == 3,
            numeric_columns=numeric,
        )
        return content, "xlsx"
    return csv_bytes([header, *body], encoding=style.encoding, newline=style.newline)


def _canonical(style: HouseStyle, header_name: str) -> str | None:
    return next((c for c, h in style.headers.items() if h == header_name), None)

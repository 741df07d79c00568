"""How each authority lays out its returns: header spellings, formats, encodings, number styles.

Real returns came from 150 different spreadsheets. Each area here gets a "house style" drawn
once from the seed (so its files look alike from round to round), with the occasional change
of format from one year to the next, as happened when a council replaced its template.
All spellings used are ones the contract (§1) accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.demo.periods import QUARTER_SPELLINGS, YEAR_SPELLINGS
from pipelines.demo.reference import Area
from pipelines.demo.values import rng_for

# Header spellings, by contract column. Each authority takes one full set.
HEADER_SETS: tuple[dict[str, str], ...] = (
    {
        "area_code": "area_code", "indicator": "indicator", "period": "period",
        "value": "value", "numerator": "numerator", "denominator": "denominator",
        "ci_lower": "ci_lower", "ci_upper": "ci_upper", "status": "status",
        "comment": "comment",
    },
    {
        "area_code": "ONS Code", "indicator": "NI", "period": "Period Label",
        "value": "Value", "numerator": "Num", "denominator": "Den",
        "ci_lower": "Lower CI", "ci_upper": "Upper CI", "status": "Status",
        "comment": "Notes",
    },
    {
        "area_code": "gss_code", "indicator": "ni_code", "period": "period",
        "value": "value", "numerator": "num", "denominator": "den",
        "ci_lower": "lower_ci", "ci_upper": "upper_ci", "status": "status",
        "comment": "notes",
    },
    {
        "area_code": "LA Code", "indicator": "Indicator Code", "period": "Year",
        "value": "Value", "numerator": "Numerator", "denominator": "Denom",
        "ci_lower": "CI Lower", "ci_upper": "CI Upper", "status": "Status",
        "comment": "Note",
    },
    {
        "area_code": "AREA_CODE", "indicator": "INDICATOR", "period": "PERIOD",
        "value": "VALUE", "numerator": "NUMERATOR", "denominator": "DENOMINATOR",
        "ci_lower": "CI_LOWER", "ci_upper": "CI_UPPER", "status": "STATUS",
        "comment": "COMMENT",
    },
    {
        "area_code": "Area", "indicator": "NI Code", "period": "Period",
        "value": "Value", "numerator": "Numerator", "denominator": "Denominator",
        "ci_lower": "ci-lower", "ci_upper": "ci-upper", "status": "Status",
        "comment": "Comment",
    },
)  # fmt: skip

INDICATOR_SPELLINGS: tuple[str, ...] = ("NI {n}", "NI {n}", "NI{n}", "{n}", "ni-{n}")
STATUS_CASES: tuple[str, ...] = ("lower", "lower", "title", "upper")
ENCODINGS: tuple[tuple[str, float], ...] = (("utf-8", 0.55), ("utf-8-sig", 0.25), ("cp1252", 0.2))
XLSX_SHARE = 1 / 3


@dataclass(frozen=True)
class HouseStyle:
    """One authority's way of writing a return file."""

    file_format: str  # csv or xlsx
    headers: dict[str, str]
    period_first: bool  # period column before the indicator column
    area_name_column: bool  # an extra "Area Name" column (listed in extra_columns)
    indicator_spelling: str
    year_spelling: str
    quarter_spelling: str
    percent_sign: bool  # percentages written as "45.2%"
    thousands: bool  # large numbers written as "1,234"
    ratio_decimals: int  # ratio values rounded to 1 or 2 decimals
    derive_ratio_value: bool  # ratio rows give numerator and denominator, value left blank
    status_when_provisional: bool  # False: status left blank (means provisional)
    status_case: str
    has_comment: bool
    encoding: str  # CSV only
    newline: str  # CSV only
    lower_case_codes: bool
    title_rows: int  # XLSX only: rows above the header

    def indicator_label(self, ni_number: int) -> str:
        return self.indicator_spelling.format(n=ni_number)

    def status_label(self, status: str, final_round: bool) -> str:
        if not final_round and not self.status_when_provisional:
            return ""
        if self.status_case == "title":
            return status.title()
        return status.upper() if self.status_case == "upper" else status


def house_style(area: Area, reporting_year: str, seed: int) -> HouseStyle:
    """The style of an area's returns for one reporting year."""
    rng = rng_for(seed, "style", area.area_code)
    file_format = "xlsx" if rng.random() < XLSX_SHARE else "csv"
    # About one authority in seven changed its template in a given year.
    year_rng = rng_for(seed, "style-year", area.area_code, reporting_year)
    if year_rng.random() < 0.15:
        file_format = "csv" if file_format == "xlsx" else "xlsx"
    pick = rng.random()
    encoding = next(
        (name for name, share in _cumulative(ENCODINGS) if pick < share), ENCODINGS[0][0]
    )
    return HouseStyle(
        file_format=file_format,
        headers=rng.choice(HEADER_SETS),
        period_first=rng.random() < 0.2,
        area_name_column=rng.random() < 0.35,
        indicator_spelling=rng.choice(INDICATOR_SPELLINGS),
        year_spelling=rng.choices(YEAR_SPELLINGS, weights=(8, 2, 1, 1))[0],
        quarter_spelling=rng.choices(QUARTER_SPELLINGS, weights=(4, 1))[0],
        percent_sign=rng.random() < 0.2,
        thousands=rng.random() < 0.3,
        ratio_decimals=rng.choice((1, 2)),
        derive_ratio_value=rng.random() < 0.2,
        status_when_provisional=rng.random() < 0.7,
        status_case=rng.choice(STATUS_CASES),
        has_comment=encoding == "cp1252" or rng.random() < 0.75,
        encoding=encoding,
        newline="\r\n" if rng.random() < 0.4 else "\n",
        lower_case_codes=rng.random() < 0.05,
        title_rows=rng.choice((0, 0, 1, 2, 3)),
    )


def _cumulative(shares: tuple[tuple[str, float], ...]) -> list[tuple[str, float]]:
    total, out = 0.0, []
    for name, share in shares:
        total += share
        out.append((name, total))
    return out

"""Departmental back series: annual values from 2003/04 to 2006/07, as a department sends them.

Many national indicators were collected before the National Indicator Set began in April
2008 (pupil attainment, crime, mortality, waste ...). The warehouse's trend tests need five
consecutive annual points, so the demo carries those years for such indicators: one CSV per
department, every area that existed then, every year, status `final`, in
`<raw>/departmental/back_series_2003-04_to_2006-07_<department>.csv`.

Which indicators had data before the NIS, and who collected it, is RECALLED, NOT VERIFIED:
the lists below were written from memory. Every row says so in its comment (PROVENANCE), and
the demo's summary repeats it. Demo data only: never cite these lists as facts.

No other demo file holds a period of these years, so the path order of a load (lexical:
`2010-11/` < `departmental/` < `faulty/`) cannot let a back-series row override a newer value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.demo.reference import Area, Indicator
from pipelines.demo.render import ReturnRow, file_columns, header_cells, render_rows
from pipelines.demo.styles import HEADER_SETS, HouseStyle
from pipelines.demo.summary import WrittenFile
from pipelines.demo.values import (
    ANNUAL_PERIOD_TYPES,
    IndicatorModel,
    area_profile,
    back_series_points,
    kind_of,
)
from pipelines.demo.writers import csv_bytes

BACK_SERIES_DIR = "departmental"
BACK_SERIES_YEARS: tuple[str, ...] = ("2003-04", "2004-05", "2005-06", "2006-07")
PROVENANCE = "recalled: collected before the NIS by {department} ({source}), unverified"


@dataclass(frozen=True)
class DepartmentalFeed:
    """One department's back series: the indicators it sends and what it collected them as."""

    department: str  # short name, in the file name
    name: str
    sources: dict[str, str]  # ni_code -> the pre-NIS collection it came from (recalled)

    @property
    def path(self) -> str:
        first, last = BACK_SERIES_YEARS[0], BACK_SERIES_YEARS[-1]
        return f"{BACK_SERIES_DIR}/back_series_{first}_to_{last}_{self.department}.csv"

    def provenance(self, ni_code: str) -> str:
        return PROVENANCE.format(department=self.name, source=self.sources[ni_code])


# Recalled, unverified: which indicators existed before the NIS, and where they came from.
# Only annual indicators (financial, academic or calendar year): NI 152 and NI 153
# (worklessness) are quarterly in national_indicators.csv, so they have no back series here.
FEEDS: tuple[DepartmentalFeed, ...] = (
    DepartmentalFeed("berr", "BERR", {"NI 171": "VAT registrations"}),
    DepartmentalFeed(
        "clg",
        "CLG",
        {
            "NI 33": "fire and rescue statistics",
            "NI 49": "fire and rescue statistics",
            "NI 154": "housing supply statistics",
            "NI 155": "affordable housing statistics",
            "NI 158": "Best Value performance indicators",
        },
    ),
    DepartmentalFeed(
        "dcsf",
        "DfES/DCSF",
        {
            "NI 59": "children's social care performance indicators",
            "NI 60": "children's social care performance indicators",
            "NI 62": "children's social care performance indicators",
            "NI 63": "children's social care performance indicators",
            "NI 64": "children's social care performance indicators",
            "NI 65": "children's social care performance indicators",
            "NI 72": "Foundation Stage Profile results",
            "NI 73": "Key Stage 2 results",
            "NI 74": "Key Stage 3 results",
            "NI 75": "GCSE results",
            "NI 83": "Key Stage 3 results",
            "NI 84": "GCSE results",
            "NI 93": "National Pupil Database",
            "NI 94": "National Pupil Database",
            "NI 95": "National Pupil Database",
            "NI 96": "National Pupil Database",
            "NI 97": "National Pupil Database",
            "NI 98": "National Pupil Database",
            "NI 99": "looked after children outcomes",
            "NI 100": "looked after children outcomes",
            "NI 101": "looked after children outcomes",
            "NI 102": "National Pupil Database",
            "NI 103": "Best Value performance indicators",
            "NI 112": "under-18 conception statistics, 1998 baseline",
            "NI 114": "exclusions statistics",
            "NI 117": "Connexions NEET statistics",
        },
    ),
    DepartmentalFeed(
        "defra",
        "Defra",
        {
            "NI 191": "municipal waste statistics",
            "NI 192": "municipal waste statistics",
            "NI 193": "municipal waste statistics",
            "NI 195": "Best Value performance indicators",
        },
    ),
    DepartmentalFeed(
        "dft",
        "DfT",
        {
            "NI 47": "road casualty statistics (STATS19)",
            "NI 48": "road casualty statistics (STATS19)",
            "NI 177": "Best Value performance indicators",
        },
    ),
    DepartmentalFeed(
        "dh",
        "DH",
        {
            "NI 39": "hospital episode statistics",
            "NI 120": "mortality statistics",
            "NI 121": "mortality statistics",
            "NI 122": "mortality statistics",
        },
    ),
    DepartmentalFeed(
        "homeoffice",
        "the Home Office",
        {
            "NI 15": "recorded crime",
            "NI 16": "recorded crime",
            "NI 20": "recorded crime",
        },
    ),
    DepartmentalFeed("ons", "ONS", {"NI 166": "Annual Survey of Hours and Earnings"}),
)

# One plain layout for every feed: contract header names, `2003/04`, `NI 73`, UTF-8.
FEED_STYLE = HouseStyle(
    file_format="csv",
    headers=HEADER_SETS[0],
    period_first=False,
    area_name_column=True,
    indicator_spelling="NI {n}",
    year_spelling="slash",
    quarter_spelling="suffix",
    percent_sign=False,
    thousands=False,
    ratio_decimals=2,
    derive_ratio_value=False,
    status_when_provisional=True,
    status_case="lower",
    has_comment=True,
    encoding="utf-8",
    newline="\n",
    lower_case_codes=False,
    title_rows=0,
)


def back_series_indicators(indicators: Sequence[Indicator]) -> dict[str, Indicator]:
    """The listed indicators that the reference seed has live and annual, by ni_code."""
    listed = {code for feed in FEEDS for code in feed.sources}
    return {
        i.ni_code: i
        for i in indicators
        if i.ni_code in listed and i.is_live and i.period_type in ANNUAL_PERIOD_TYPES
    }


def write_back_series(
    raw_dir: Path,
    areas: Sequence[Area],
    indicators: Sequence[Indicator],
    models: dict[str, IndicatorModel],
    seed: int,
) -> list[WrittenFile]:
    """Write one back-series CSV per department; areas that did not exist then are left out."""
    eligible = back_series_indicators(indicators)
    then = [a for a in areas if all(a.exists_in(year) for year in BACK_SERIES_YEARS)]
    profiles = {a.area_code: area_profile(a, seed) for a in then}
    columns = file_columns(FEED_STYLE, final_round=True, with_ci=False)
    (raw_dir / BACK_SERIES_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    for feed in FEEDS:
        sent = [eligible[code] for code in feed.sources if code in eligible]
        if not sent or not then:
            continue
        body = []
        for indicator in sent:
            comment = feed.provenance(indicator.ni_code)
            is_percent = kind_of(indicator) == "percent"
            model = models[indicator.ni_code]
            for area in then:
                points = back_series_points(
                    area, profiles[area.area_code], indicator, model, seed, BACK_SERIES_YEARS
                )
                rows = [
                    ReturnRow(indicator, p.period, p.final, comment, is_percent) for p in points
                ]
                body += render_rows(FEED_STYLE, columns, area, rows, final_round=True)
        content, encoding = csv_bytes([header_cells(FEED_STYLE, columns), *body])
        (raw_dir / feed.path).write_bytes(content)
        written.append(WrittenFile(feed.path, "csv", encoding, len(body), "LOADED"))
    return written

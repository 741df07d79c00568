"""A feed file's rows judged by the feed contract (pipelines/feeds/validate.py): every row read is
accepted or quarantined with its reason, and a breakdown is summed over."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.feeds.validate import MissingColumns, judge_feed_file

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"
LSOA, OTHER = "E01000001", "E01000002"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_bad_row_is_quarantined_with_its_reason_and_the_rest_accepted(tmp_path):
    con = duckdb.connect()
    population = _write(tmp_path, "pop.csv", f"lsoa_code,year,working_age_population\n{LSOA},2008,900\n{OTHER},2007,800\nE01999999,2008,5\n{LSOA},20x8,1\n")  # fmt: skip
    judged = judge_feed_file(con, population, SEEDS)
    assert (judged.kind, judged.rows_read, judged.rows_accepted) == ("population", 4, 2)
    con.execute("create table feed_population as select * from feed_accepted")
    claimants = _write(
        tmp_path,
        "wpls_2008-05.csv",
        "lsoa_code,quarter,client_group,claimants\n"
        f"{LSOA},2008-05,job_seekers,40\n"  # line 2: accepted
        f" {LSOA.lower()} ,2008-05,lone_parents,10\n"  # 3: accepted (code trimmed, upper-cased)
        f"E01999999,2008-05,job_seekers,4\n"  # 4: UNKNOWN_LSOA
        f"{LSOA},2008-06,job_seekers,4\n"  # 5: BAD_QUARTER
        f"{LSOA},2008-05,pensioners,4\n"  # 6: UNKNOWN_CLIENT_GROUP
        f"{LSOA},2008-05,carers,-1\n"  # 7: BAD_COUNT
        f"{LSOA},2008-05,disabled,2.5\n"  # 8: BAD_COUNT
        f"{LSOA},2008-05,job_seekers,41\n"  # 9: DUPLICATE_ROW of line 2
        f"{OTHER},2008-05,incapacity_benefits,801\n"  # 10: ABOVE_POPULATION (2007's 800)
        f"{OTHER},2008-05,bereaved,=cmd|' /C calc'!A0\n",  # 11: BAD_COUNT, kept verbatim
    )
    judged = judge_feed_file(con, claimants, SEEDS)
    assert (judged.kind, judged.rows_read, judged.rows_accepted, judged.rows_rejected) == (
        "claimants",
        10,
        2,
        8,
    )
    rejected = con.execute(
        "select line_number, reason_code, raw from feed_rejected order by line_number"
    ).fetchall()
    assert [(line, reason) for line, reason, _ in rejected] == [
        (4, "UNKNOWN_LSOA"),
        (5, "BAD_QUARTER"),
        (6, "UNKNOWN_CLIENT_GROUP"),
        (7, "BAD_COUNT"),
        (8, "BAD_COUNT"),
        (9, "DUPLICATE_ROW"),
        (10, "ABOVE_POPULATION"),
        (11, "BAD_COUNT"),
    ]
    assert json.loads(rejected[-1][2])["claimants"] == "=cmd|' /C calc'!A0"
    assert con.execute("select * exclude (first_line) from feed_accepted").fetchall() == [
        (LSOA, "2008-05", "job_seekers", 40),
        (LSOA, "2008-05", "lone_parents", 10),
    ]


def test_a_breakdown_by_sex_and_age_band_is_summed_over(tmp_path):
    path = tmp_path / "wpls.parquet"
    con = duckdb.connect()
    con.execute(
        f"copy (select * from (values ('{LSOA}', '2008-05', 'job_seekers', 'female', '16-24', 3),"  # noqa: S608
        f" ('{LSOA}', '2008-05', 'job_seekers', 'male', '16-24', 4),"
        f" ('{LSOA}', '2008-05', 'job_seekers', 'male', '16-24', 9))"
        " as t(lsoa_code, quarter, client_group, sex, age_band, claimants))"
        f" to '{path}' (format parquet)"
    )
    judged = judge_feed_file(con, path, SEEDS)
    assert (judged.rows_read, judged.rows_accepted, judged.rows_rejected) == (3, 2, 1)
    assert con.execute("select claimants from feed_accepted").fetchall() == [(7,)]
    assert con.execute("select line_number, reason_code from feed_rejected").fetchall() == [
        (3, "DUPLICATE_ROW")
    ]


def test_a_file_of_neither_kind_is_refused_whole(tmp_path):
    path = _write(tmp_path, "notes.csv", "lsoa,count\nE01000001,3\n")
    with pytest.raises(MissingColumns, match="neither a claimant file"):
        judge_feed_file(duckdb.connect(), path, SEEDS)

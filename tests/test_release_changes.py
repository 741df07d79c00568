"""changes.csv tells new, revised, restated and withdrawn values apart (real DuckDB files)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from pipelines.release.release import write_changes, write_table


def release_with(folder: Path, rows: list[tuple]) -> Path:
    (folder / "data").mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        "create table v (area_code varchar, ni_code varchar, period_id varchar, value double, "
        "numerator double, denominator double, ci_lower double, ci_upper double, "
        "version_number integer)"
    )
    con.executemany("insert into v values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    write_table(con, "v", "area_code, ni_code, period_id", folder / "data" / "fct_indicator_values")
    con.close()
    return folder


def test_a_partial_resend_is_restated_not_revised(tmp_path: Path) -> None:
    before = release_with(
        tmp_path / "first",
        [
            ("E08000016", "NI 117", "2008-09", 54.3, 543.0, 1000.0, None, None, 1),
            ("E08000017", "NI 117", "2008-09", 6.0, None, None, None, None, 1),
            ("E08000018", "NI 117", "2008-09", 7.0, None, None, None, None, 1),
        ],
    )
    after = release_with(
        tmp_path / "second",
        [
            ("E08000016", "NI 117", "2008-09", 54.3, None, None, None, None, 2),  # parts dropped
            ("E08000017", "NI 117", "2008-09", 6.5, None, None, None, None, 2),  # new value
            ("E08000019", "NI 117", "2008-09", 8.0, None, None, None, None, 1),  # first time
        ],
    )
    con = duckdb.connect()
    counts = write_changes(con, before, after)
    con.close()
    assert counts == {"new": 1, "revised": 1, "restated": 1, "withdrawn": 1}
    with (after / "changes.csv").open(newline="") as handle:
        rows = {r["area_code"]: r for r in csv.DictReader(handle)}
    assert rows["E08000016"]["change"] == "restated"
    assert (rows["E08000016"]["old_numerator"], rows["E08000016"]["new_numerator"]) == ("543.0", "")
    assert (rows["E08000017"]["change"], rows["E08000017"]["new_value"]) == ("revised", "6.5")
    assert rows["E08000018"]["change"] == "withdrawn"
    assert rows["E08000019"]["change"] == "new"

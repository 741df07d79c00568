"""The dbt project built for real on a small hand-made ingest ledger.

The test writes the `ingest` ledger tables (docs/architecture.md; created by the code that
owns them, `ensure_ledger` and `ensure_quality_schema`, as a load would) into a DuckDB file
of its own, runs `dbt build` (seeds, models, data tests, unit tests) against it with the real reference seeds, and checks mart
figures it computes itself from the rows it wrote and from the seed CSVs.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from judgement import target_progress

from pipelines.ingest.ledger import ensure_ledger
from pipelines.quality.schema import ensure_quality_schema

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS = REPO_ROOT / "data" / "seeds"

BARNSLEY, DONCASTER, ROTHERHAM, SHEFFIELD = "E08000016", "E08000017", "E08000018", "E08000019"
BEDFORDSHIRE, BEDFORD = (
    "E10000001",
    "E06000055",
)  # Bedfordshire ends 2008-09, Bedford starts 2009-10
NEET, HOMES = "NI 117", "NI 155"  # ratio (lower is better), sum (count of dwellings)
HARTLEPOOL = "E06000001"  # sends a full 2010-11 return but for NEET, and faulty rows


@dataclass(frozen=True)
class Row:
    """One accepted value as the ledger holds it."""

    load_seq: int
    path: str
    file_order: int
    line: int
    area: str
    ni: str
    period: str
    value: float
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Rejected:
    """One rejected row as the ledger holds it, with the keys validation could read."""

    load_seq: int
    path: str
    line: int
    reason: str
    area: str | None
    ni: str | None
    period: str | None


LOADS = {  # load_seq: (load_id, started_at)
    1: ("L20100601T090000Z-aaaa", datetime(2010, 6, 1, 9, 0)),
    2: ("L20100701T090000Z-bbbb", datetime(2010, 7, 1, 9, 0)),
    3: ("L20100801T090000Z-cccc", datetime(2010, 8, 1, 9, 0)),  # found nothing new
}
SHA = {
    (1, "2009/a.csv"): "a1" * 32,
    (1, "2009/b.csv"): "b1" * 32,
    (2, "2009/a.csv"): "a2" * 32,
    (2, "2011/hartlepool.csv"): "c2" * 32,
    (2, "2011/hartlepool_resend.csv"): "d2" * 32,
}


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pick_target() -> dict[str, str]:
    """A seed target for 2009/10, for one of our areas and a financial-year indicator."""
    indicators = {i["ni_code"]: i for i in read_seed("national_indicators")}
    for target in read_seed("laa_targets"):
        indicator = indicators[target["ni_code"]]
        if (
            target["area_code"] in (BARNSLEY, DONCASTER, ROTHERHAM, SHEFFIELD)
            and target["ni_code"] not in (NEET, HOMES)
            and target["period"] == "2009/10"
            and indicator["period_type"] == "financial_year"
            and indicator["polarity"] in ("higher_is_better", "lower_is_better")
        ):
            return target
    raise AssertionError("laa_targets has no 2009/10 target for a South Yorkshire area to test")


TARGET = pick_target()
TARGET_ACTUAL = float(TARGET["target_value"]) - 1  # met only when lower is better

ROWS = [
    # load 1, first file
    Row(1, "2009/a.csv", 1, 2, BARNSLEY, NEET, "2007-08", 8.0),
    Row(1, "2009/a.csv", 1, 3, BARNSLEY, NEET, "2008-09", 7.0, 70, 1000),
    Row(1, "2009/a.csv", 1, 4, DONCASTER, NEET, "2008-09", 7.5, 90, 1200),
    Row(1, "2009/a.csv", 1, 5, ROTHERHAM, NEET, "2008-09", 5.0, 50, 1000),
    Row(1, "2009/a.csv", 1, 6, SHEFFIELD, NEET, "2008-09", 6.0),  # value only: not in the ratio
    Row(1, "2009/a.csv", 1, 7, BEDFORDSHIRE, NEET, "2008-09", 8.0, 64, 800),
    Row(1, "2009/a.csv", 1, 8, BARNSLEY, HOMES, "2008-09", 500),
    Row(1, "2009/a.csv", 1, 9, DONCASTER, HOMES, "2008-09", 700.5),
    # load 1, second file: first revision of Barnsley 2008-09
    Row(1, "2009/b.csv", 2, 2, BARNSLEY, NEET, "2008-09", 7.2, 72, 1000),
    # load 2: the same path with new bytes; second revision, and 2009-10
    Row(2, "2009/a.csv", 1, 2, BARNSLEY, NEET, "2008-09", 7.5, 75, 1000),
    Row(2, "2009/a.csv", 1, 3, BARNSLEY, NEET, "2009-10", 7.53),  # +0.03: no_change
    Row(2, "2009/a.csv", 1, 4, DONCASTER, NEET, "2009-10", 7.0),  # -0.5: improved
    Row(2, "2009/a.csv", 1, 5, ROTHERHAM, NEET, "2009-10", 5.5),  # +0.5: worsened
    Row(2, "2009/a.csv", 1, 6, BEDFORD, NEET, "2009-10", 6.1),  # no earlier value
    Row(2, "2009/a.csv", 1, 7, TARGET["area_code"], TARGET["ni_code"], "2009-10", TARGET_ACTUAL),
]


def mid_range(indicator: dict[str, str]) -> float:
    low, high = indicator["valid_min"], indicator["valid_max"]
    if low and high:
        return (float(low) + float(high)) / 2
    return float(low or 0) + 1


# load 2, second file: Hartlepool's 2010-11 return, every live financial-year indicator but NEET
FULL_RETURN = [
    i
    for i in sorted(read_seed("national_indicators"), key=lambda i: int(i["ni_number"]))
    if i["period_type"] == "financial_year" and i["is_live"] == "true" and i["ni_code"] != NEET
]
ROWS += [
    Row(2, "2011/hartlepool.csv", 2, line, HARTLEPOOL, i["ni_code"], "2010-11", mid_range(i))
    for line, i in enumerate(FULL_RETURN, start=2)
]
REJECTED = [
    # NEET was sent out of range, in the same file, and again in a file rejected row by row
    Rejected(2, "2011/hartlepool.csv", 200, "OUT_OF_RANGE", HARTLEPOOL, NEET, "2010-11"),
    Rejected(2, "2011/hartlepool.csv", 201, "UNKNOWN_AREA", None, NEET, "2010-11"),
    Rejected(2, "2011/hartlepool.csv", 202, "BAD_PERIOD", HARTLEPOOL, NEET, None),
    Rejected(2, "2011/hartlepool_resend.csv", 2, "BAD_NUMBER", HARTLEPOOL, NEET, "2010-11"),
]
WARNINGS = [  # (load_seq, suite, rule, area, ni, period, path), written before dbt runs
    (2, "indicator_values", "value_jump", HARTLEPOOL, FULL_RETURN[0]["ni_code"], "2010-11", None),
]


def files_of(load_seq: int) -> list[str]:
    """The paths a load took up, in lexical order (their file_order)."""
    paths = {r.path for r in ROWS if r.load_seq == load_seq}
    return sorted(paths | {r.path for r in REJECTED if r.load_seq == load_seq})


def current_rows() -> dict[tuple[str, str, str], Row]:
    """The last version of each key, by (load_seq, file_order, line)."""
    current: dict[tuple[str, str, str], Row] = {}
    for row in sorted(ROWS, key=lambda r: (r.load_seq, r.file_order, r.line)):
        current[(row.area, row.ni, row.period)] = row
    return current


def write_ledger(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        ensure_ledger(con)
        ensure_quality_schema(con)
        for seq, (load_id, started) in LOADS.items():
            files = files_of(seq)
            accepted = sum(1 for r in ROWS if r.load_seq == seq)
            rejected = sum(1 for r in REJECTED if r.load_seq == seq)
            outcome = "loaded" if files else "nothing_new"
            con.execute(
                "insert into ingest.loads values (?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, seq, started, started, outcome, len(files), accepted, rejected],
            )
            for order, path in enumerate(files, start=1):
                accepted = sum(1 for r in ROWS if (r.load_seq, r.path) == (seq, path))
                rejected = sum(1 for r in REJECTED if (r.load_seq, r.path) == (seq, path))
                con.execute(
                    "insert into ingest.load_files values "
                    "(?, ?, ?, 'csv', ?, 'LOADED', null, null, 'utf-8', null, 1, '[]', ?, ?, ?, ?, "
                        "false, 0)",
                    [load_id, path, SHA[(seq, path)], order, accepted + rejected, accepted,
                     rejected, started],
                )  # fmt: skip
        for row in REJECTED:
            con.execute(
                "insert into ingest.rejected_rows values (?, ?, ?, ?, '{}', ?, 'a message', ?, ?, ?)",
                [LOADS[row.load_seq][0], row.path, SHA[(row.load_seq, row.path)], row.line,
                 row.reason, row.area, row.ni, row.period],
            )  # fmt: skip
        for seq, suite, rule, area, ni, period, path in WARNINGS:
            con.execute(
                "insert into quality.warnings (load_id, run_id, raised_at, suite, rule, area_code, "
                "ni_code, period_id, path, message) values (?, 'run', ?, ?, ?, ?, ?, ?, ?, 'look')",
                [LOADS[seq][0], LOADS[seq][1], suite, rule, area, ni, period, path],
            )
        for row in ROWS:
            load_id, started = LOADS[row.load_seq]
            con.execute(
                "insert into ingest.accepted_values values "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?, ?, null, null, 'final', null, ?, 1)",
                [
                    load_id, row.load_seq, row.path, SHA[(row.load_seq, row.path)],
                    row.file_order, row.line, row.area, row.ni, row.period, row.value,
                    row.numerator, row.denominator, started,
                ],
            )  # fmt: skip


def dbt_build(database: Path, work: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    command = [
        str(dbt) if dbt.exists() else (shutil.which("dbt") or "dbt"),
        "build",
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
        "--vars", json.dumps({"build_file": str(database)}),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr}"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("dbt")
    database = work / "build.duckdb"
    write_ledger(database)
    dbt_build(database, work)
    return database


def query(database: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def exists_in(area: dict[str, str], financial_year: str) -> bool:
    start, end = area["valid_from_period"], area["valid_to_period"]
    return (not start or start <= financial_year) and (not end or financial_year <= end)


def test_current_value_is_the_last_revision(warehouse: Path) -> None:
    versions = sorted(
        (r for r in ROWS if (r.area, r.ni, r.period) == (BARNSLEY, NEET, "2008-09")),
        key=lambda r: (r.load_seq, r.file_order, r.line),
    )
    last = versions[-1]
    [(value, numerator, revisions, source_file, loaded_at)] = query(
        warehouse,
        "select value, numerator, revision_count, source_file, loaded_at "
        "from marts.fct_indicator_values where area_code = ? and ni_code = ? and period_id = ?",
        BARNSLEY, NEET, "2008-09",
    )  # fmt: skip
    assert (value, numerator) == (last.value, last.numerator)
    assert revisions == len(versions) - 1 == 2
    assert (source_file, loaded_at) == (last.path, LOADS[last.load_seq][1])

    history = query(
        warehouse,
        "select version_number, value, source_file, source_line, is_current "
        "from marts.fct_indicator_value_history "
        "where area_code = ? and ni_code = ? and period_id = ? order by version_number",
        BARNSLEY, NEET, "2008-09",
    )  # fmt: skip
    assert history == [
        (n, r.value, r.path, r.line, n == len(versions)) for n, r in enumerate(versions, start=1)
    ]
    assert query(warehouse, "select count(*) from marts.fct_indicator_value_history") == [
        (len(ROWS),)
    ]
    assert query(warehouse, "select count(*) from marts.fct_indicator_values") == [
        (len(current_rows()),)
    ]


def test_group_values_are_ratios_of_sums(warehouse: Path) -> None:
    multiplier = float(
        next(i for i in read_seed("national_indicators") if i["ni_code"] == NEET)["multiplier"]
    )
    areas = {a["area_code"]: a for a in read_seed("areas")}
    values = [
        r for (_, ni, period), r in current_rows().items() if (ni, period) == (NEET, "2008-09")
    ]
    groups = {
        ("england", "E92000001"): values,
        ("region", "E12000003"): [r for r in values if areas[r.area]["region_code"] == "E12000003"],
    }
    for (group_type, group_code), members in groups.items():
        with_parts = [r for r in members if r.numerator is not None and r.denominator is not None]
        numerator = sum(r.numerator for r in with_parts)
        denominator = sum(r.denominator for r in with_parts)
        expected_areas = sum(
            1
            for a in areas.values()
            if exists_in(a, "2008-09")
            and (group_type == "england" or a["region_code"] == group_code)
        )
        [row] = query(
            warehouse,
            "select value, numerator, denominator, areas_reporting, areas_expected, "
            "median_area_value from marts.fct_group_values "
            "where group_type = ? and group_code = ? and ni_code = ? and period_id = ?",
            group_type, group_code, NEET, "2008-09",
        )  # fmt: skip
        assert row == (
            numerator * multiplier / denominator,  # exactly: never rounded
            numerator,
            denominator,
            len(with_parts),
            expected_areas,
            statistics.median(r.value for r in members),
        )

    homes = [
        r.value
        for (_, ni, period), r in current_rows().items()
        if (ni, period) == (HOMES, "2008-09")
    ]
    assert query(
        warehouse,
        "select value, numerator, areas_reporting from marts.fct_group_values "
        "where group_type = 'england' and ni_code = ? and period_id = '2008-09'",
        HOMES,
    ) == [(sum(homes), None, len(homes))]


def test_caa_rank_quartile_and_direction(warehouse: Path) -> None:
    current = current_rows()
    by_period: dict[str, dict[str, float]] = {}
    for (area, ni, period), row in current.items():
        if ni == NEET:
            by_period.setdefault(period, {})[area] = row.value
    latest = {
        area: max(p for p, values in by_period.items() if area in values)
        for values in by_period.values()
        for area in values
    }
    expected = {}
    for period, values in by_period.items():  # every period has its own league table
        for area, value in values.items():
            rank = 1 + sum(1 for v in values.values() if v < value)  # lower is better
            earlier = [p for p, vs in by_period.items() if p < period and area in vs]
            previous = by_period[max(earlier)][area] if earlier else None
            if previous is None:
                direction = "not_comparable"
            elif abs(value - previous) < 0.05:
                direction = "no_change"
            else:
                direction = "improved" if value < previous else "worsened"
            expected[area, period] = (
                value,
                rank,
                len(values),
                math.ceil(4 * rank / len(values)),
                previous,
                direction,
                period == latest[area],
            )
    rows = query(
        warehouse,
        "select area_code, period_id, value, rank, areas_ranked, quartile, previous_value, "
        "direction_of_travel, is_latest_period from marts.caa_area_performance "
        "where ni_code = ?",
        NEET,
    )
    assert {(r[0], r[1]): r[2:] for r in rows} == expected
    # the cases the ledger was written to cover
    assert latest[BEDFORDSHIRE] == "2008-09" and latest[BARNSLEY] == "2009-10"
    directions = dict(
        query(
            warehouse,
            "select area_code, direction_of_travel from marts.caa_area_performance "
            "where ni_code = ? and is_latest_period",
            NEET,
        )
    )
    assert directions[BARNSLEY] == "no_change"
    assert directions[DONCASTER] == "improved"
    assert directions[ROTHERHAM] == "worsened"
    assert directions[BEDFORD] == "not_comparable"


def test_caa_shows_england_region_and_target(warehouse: Path) -> None:
    [(england, region)] = query(
        warehouse,
        "select england_value, region_value from marts.caa_area_performance "
        "where area_code = ? and ni_code = ? and is_latest_period",
        SHEFFIELD, NEET,
    )  # fmt: skip
    multiplier = float(
        next(i for i in read_seed("national_indicators") if i["ni_code"] == NEET)["multiplier"]
    )
    areas = {a["area_code"]: a for a in read_seed("areas")}
    values = [
        r for (_, ni, period), r in current_rows().items() if (ni, period) == (NEET, "2008-09")
    ]
    expected = []
    for members in (values, [r for r in values if areas[r.area]["region_code"] == "E12000003"]):
        with_parts = [r for r in members if r.numerator is not None]
        expected.append(
            sum(r.numerator for r in with_parts)
            * multiplier
            / sum(r.denominator for r in with_parts)
        )
    assert [england, region] == expected

    polarity = next(
        i["polarity"] for i in read_seed("national_indicators") if i["ni_code"] == TARGET["ni_code"]
    )
    status = "met" if polarity == "lower_is_better" else "not_met"
    assert query(
        warehouse,
        "select period_id, value, target_value, target_status from marts.caa_area_performance "
        "where area_code = ? and ni_code = ? and is_latest_period",
        TARGET["area_code"], TARGET["ni_code"],
    ) == [("2009-10", TARGET_ACTUAL, float(TARGET["target_value"]), status)]  # fmt: skip


def test_every_target_is_judged_in_every_period_to_it(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select area_code, ni_code, period_id, target_period_id, trajectory_value, status "
        "from marts.fct_laa_target_progress",
    )
    expected = target_progress(
        read_seed("laa_targets"),
        {i["ni_code"]: i for i in read_seed("national_indicators")},
        {p["period_id"]: p for p in read_seed("periods")},
        {key: row.value for key, row in current_rows().items()},
    )
    assert {
        (a, n, p): (tp, pytest.approx(line, abs=1e-9), status) for a, n, p, tp, line, status in rows
    } == expected
    # each seed target is judged in its own period, and the ledger reaches every status kind
    own = [r for r in rows if r[2] == r[3]]
    assert len(own) == len(read_seed("laa_targets"))
    assert {"met", "not_met", "no_data"} <= {r[5] for r in own}


def test_audit_tables_mirror_the_ledger(warehouse: Path) -> None:
    expected = []
    for seq, (load_id, _) in sorted(LOADS.items()):
        files = len(files_of(seq))
        expected.append((load_id, "loaded" if files else "nothing_new", files))
    assert expected[-1] == (LOADS[3][0], "nothing_new", 0)
    assert (
        query(warehouse, "select load_id, outcome, files from audit.loads order by load_seq")
        == expected
    )
    assert query(warehouse, "select count(*) from audit.load_files") == [(len(SHA),)]


def test_a_rebuild_gives_identical_marts(warehouse: Path) -> None:
    def snapshot() -> dict[str, list[tuple]]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            tables = con.execute(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_schema in ('marts', 'audit') order by 1"
            ).fetchall()
            return {name: con.table(name).order("all").fetchall() for (name,) in tables}

    before = snapshot()
    # In the first build's work folder, so dbt reuses its parse (same vars): only the build runs.
    dbt_build(warehouse, warehouse.parent)
    assert snapshot() == before
    assert len(before) == 24  # 17 marts, 7 audit tables and views


def expected_return_quality() -> dict[tuple[str, str], dict]:
    """marts.area_return_quality recomputed from the ledger rows written above and the seeds."""
    live = sorted(
        (i for i in read_seed("national_indicators") if i["is_live"] == "true"),
        key=lambda i: int(i["ni_number"]),
    )
    periods = {p["period_id"]: p for p in read_seed("periods")}
    current = current_rows()
    expected = {}
    for area in read_seed("areas"):
        for period in {period for (_, _, period) in current}:
            if not exists_in(area, periods[period]["financial_year"]):
                continue
            key = (area["area_code"], period)
            wanted = [
                i["ni_code"] for i in live if i["period_type"] == periods[period]["period_type"]
            ]
            missing = [ni for ni in wanted if (key[0], ni, period) not in current]
            rejected = [r for r in REJECTED if (r.area, r.period) == key]
            files = {(r.load_seq, r.path) for r in [*ROWS, *REJECTED] if (r.area, r.period) == key}
            accepting = {(r.load_seq, r.path) for r in ROWS}
            expected[key] = {
                "period_type": periods[period]["period_type"],
                "indicators_expected": len(wanted),
                "indicators_received": len(wanted) - len(missing),
                "indicators_missing": len(missing),
                "missing_ni_codes": missing,
                "rows_rejected": len(rejected),
                "rejected_by_reason": dict(Counter(r.reason for r in rejected)),
                "files_received": len(files),
                "files_fully_rejected": len(files - accepting),
                "last_submission_at": max((LOADS[seq][1] for seq, _ in files), default=None),
            }
    return expected


def test_area_return_quality_says_what_to_chase(warehouse: Path) -> None:
    expected = expected_return_quality()
    columns = list(next(iter(expected.values())))
    rows = query(
        warehouse,
        f"select area_code, period_id, {', '.join(columns)} from marts.area_return_quality",  # noqa: S608
    )
    actual = {(area, period): dict(zip(columns, rest, strict=True)) for area, period, *rest in rows}
    assert actual == expected
    # the cases the ledger was written to cover: a full return but for NEET, and faulty rows
    hartlepool = actual[(HARTLEPOOL, "2010-11")]
    assert (hartlepool["indicators_missing"], hartlepool["missing_ni_codes"]) == (1, [NEET])
    assert hartlepool["rejected_by_reason"] == {"OUT_OF_RANGE": 1, "BAD_NUMBER": 1}
    assert (hartlepool["files_received"], hartlepool["files_fully_rejected"]) == (2, 1)
    # 150 areas in 2008-09, 152 from 2009-10 (Bedfordshire gone, Bedford and three more new)
    periods = Counter(period for _, period in actual)
    assert (periods["2008-09"], periods["2009-10"], periods["2010-11"]) == (150, 152, 152)
    # who has sent the first indicator of Hartlepool's return for 2010-11? only Hartlepool
    assert query(
        warehouse,
        "select area_code from marts.area_return_quality "
        "where period_id = '2010-11' and not list_contains(missing_ni_codes, ?)",
        FULL_RETURN[0]["ni_code"],
    ) == [(HARTLEPOOL,)]


def test_warnings_appended_after_the_build_are_counted(warehouse: Path, tmp_path: Path) -> None:
    """The quality checks write after dbt: the mart and the audit view are views, so they see it.

    Works on a copy under another file name, as a published warehouse is the renamed build file.
    """
    copy = tmp_path / "published.duckdb"
    shutil.copyfile(warehouse, copy)
    count = (
        "select warnings_raised from marts.area_return_quality "
        "where area_code = ? and period_id = '2010-11'"
    )
    assert query(copy, count, HARTLEPOOL) == [(len(WARNINGS),)]
    with duckdb.connect(str(copy)) as con:
        for seq, suite, rule, area, ni, path in [
            # the same warning raised again by a later load counts once
            (3, "indicator_values", "value_jump", HARTLEPOOL, WARNINGS[0][4], None),
            # a file-level warning: one row per area and period the file had rows for
            (3, "return_files", "mostly_rejected", HARTLEPOOL, None, "2011/hartlepool_resend.csv"),
        ]:
            con.execute(
                "insert into quality.warnings (load_id, run_id, raised_at, suite, rule, area_code, "
                "ni_code, period_id, path, message) "
                "values (?, 'run', ?, ?, ?, ?, ?, '2010-11', ?, 'look')",
                [LOADS[seq][0], LOADS[seq][1], suite, rule, area, ni, path],
            )
    assert query(copy, count, HARTLEPOOL) == [(2,)]
    assert query(
        copy,
        "select load_seq, suite, rule, ni_code, path from audit.quality_warnings "
        "order by load_seq, suite",
    ) == [
        (2, "indicator_values", "value_jump", WARNINGS[0][4], None),
        (3, "indicator_values", "value_jump", WARNINGS[0][4], None),
        (3, "return_files", "mostly_rejected", None, "2011/hartlepool_resend.csv"),
    ]


def test_a_models_rules_test_names_each_broken_rule(warehouse: Path) -> None:
    # The compiled rules test of dim_indicator (one test for all its rules), as the build ran
    # it, over a copy of the table with nulls planted in two columns and a duplicated number.
    compiled = warehouse.parent / "target" / "compiled" / "ni_warehouse" / "models"
    (path,) = compiled.rglob("rules_dim_indicator.sql")
    sql = path.read_text()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(sql).fetchall() == []  # the built table passes
        con.execute(
            "create temp table broken as select * replace (null as title) from marts.dim_indicator"
        )
        con.execute("update broken set period_type = null where ni_code in ('NI 1', 'NI 2')")
        con.execute("update broken set ni_number = 2, polarity = 'up' where ni_code = 'NI 3'")
        relation = re.search(r'from ("[^"]+"\."marts"\."dim_indicator"|\S*dim_indicator)', sql)
        failing = con.execute(sql.replace(relation.group(1), "broken")).fetchall()
    assert sorted(failing) == [
        ("accepted values: polarity holds up", 1),
        ("not null: period_type", 2),
        ("not null: title", 199),
        ("unique: ni_number", 1),
    ]

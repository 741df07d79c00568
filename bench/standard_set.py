"""The benchmark's return set: the demo set's accepted rows, one standard-header CSV a return.

    .venv/bin/python bench/standard_set.py OUT_DIR

The demo set mixes CSV and XLSX with every header alias and some faulty files. The load
benchmarks (bench/bench_loads.py) and the plain-DuckDB floor (bench/floor.py) need files both
can read the same way, so this writes, for every demo file that had accepted rows, one CSV at
the same relative path (`.xlsx` becomes `.csv`) with the contract's own column names and the
rows as ingest accepted them, in file order. Periods are written in the contract's spelling
(`2008/09`, `2008/09 Q1`, `2008`), values as Python writes floats (shortest round trip).
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.demo.generate import generate_demo_returns  # noqa: E402
from pipelines.ingest.load import run_ingest  # noqa: E402
from pipelines.settings import REPO_ROOT  # noqa: E402

SEEDS = REPO_ROOT / "data" / "seeds"
HEADER = [
    "area_code",
    "indicator",
    "period",
    "value",
    "numerator",
    "denominator",
    "ci_lower",
    "ci_upper",
    "status",
]


def period_spelling(period_id: str) -> str:
    """The contract's spelling of a period id (its inverse is the period rule of §1)."""
    if period_id.startswith("PS"):
        return period_id[2:]
    if period_id.startswith("AY"):
        period_id = period_id[2:]
    if "Q" in period_id:
        year, quarter = period_id.split("Q")
        return f"{year.replace('-', '/')} Q{quarter}"
    return period_id.replace("-", "/")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_standard_set(out: Path) -> tuple[int, int]:
    """Write the set under out; return (files, rows)."""
    with tempfile.TemporaryDirectory() as scratch:
        demo = Path(scratch) / "demo"
        generate_demo_returns(demo, SEEDS)
        with duckdb.connect(str(Path(scratch) / "scratch.duckdb")) as con:
            run_ingest(con, demo, SEEDS)
            rows = con.execute(
                "select path, area_code, ni_code, period_id, "
                "case when value_derived then null else value end, numerator, denominator, "
                "ci_lower, ci_upper, status, copies "
                "from ingest.accepted_values order by file_order, line_number"
            ).fetchall()
    by_file: dict[str, list[list[str]]] = {}
    for path, area, ni, period, *numbers, status, copies in rows:
        cells = [area, ni, period_spelling(period), *(_cell(n) for n in numbers), status]
        by_file.setdefault(path, []).extend([cells] * copies)
    total = 0
    for path, file_rows in by_file.items():
        target = out / Path(path).with_suffix(".csv")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(file_rows)
        total += len(file_rows)
    return len(by_file), total


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    files, rows = write_standard_set(Path(sys.argv[1]))
    print(f"{files:,} standard-header CSV returns, {rows:,} rows, under {sys.argv[1]}")

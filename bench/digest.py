"""A digest of every warehouse table and every release file, to show a change altered no data.

    python bench/digest.py WAREHOUSE [RELEASE_DIR] > digests.txt

Two loads of the same returns differ only in when they ran, so load ids
(`L20261130T131236Z-0001`) are written as `L<time>-0001`, times in page text as `<time>`,
and timestamp columns and Dagster run ids are left out. Everything else is digested exactly:
every row of every table and view in every schema, in key order (all columns), and every
file of the release (Parquet read back through DuckDB the same way, CSV and site pages as
text). Diff two outputs to compare a warehouse built before a change with one built after.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import duckdb

LOAD_ID = re.compile(r"L\d{8}T\d{6}Z-")
WHEN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")  # a load's time, in page footers
MASKED_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
MASKED_COLUMNS = ("run_id",)  # Dagster's run id: random by design


def _relation_digest(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
    columns = con.execute(f"describe select * from {relation}").fetchall()  # noqa: S608
    kept = [
        f'"{name}"'
        for name, kind, *_ in columns
        if kind not in MASKED_TYPES and name not in MASKED_COLUMNS
    ]
    if not kept:
        return 0, "-"
    text = ", ".join(f"cast({c} as varchar)" for c in kept)
    rows = con.execute(
        f"select concat_ws('\x1f', {text}) as r from {relation} order by all"  # noqa: S608
    ).fetchall()
    digest = hashlib.sha256()
    for (row,) in rows:
        digest.update(LOAD_ID.sub("L<time>-", row or "").encode() + b"\n")
    return len(rows), digest.hexdigest()[:16]


def warehouse_digests(path: Path) -> list[str]:
    lines = []
    with duckdb.connect(str(path), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "order by table_schema, table_name"
        ).fetchall()
        for schema, table in relations:
            rows, digest = _relation_digest(con, f'"{schema}"."{table}"')
            lines.append(f"table {schema}.{table}: {rows} rows {digest}")
    return lines


def release_digests(folder: Path) -> list[str]:
    lines = []
    con = duckdb.connect()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name in ("manifest.json", "SHA256SUMS"):
            continue
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".parquet":
            rows, digest = _relation_digest(con, f"read_parquet('{path}')")
            lines.append(f"file {name}: {rows} rows {digest}")
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            text = WHEN.sub("<time>", LOAD_ID.sub("L<time>-", text))
            lines.append(f"file {name}: {hashlib.sha256(text.encode()).hexdigest()[:16]}")
    return lines


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    lines = warehouse_digests(Path(argv[0]))
    if len(argv) > 1:
        lines += release_digests(Path(argv[1]).resolve())
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`niw`: the command behind `make run`, and small helpers for the central data team.

niw run                 the nightly load now (demo returns only into a never-used data/raw)
niw prepare             parse the dbt project if it changed (make dev runs it first)
niw demo [--out DIR]    write the deterministic demo return set and its WPLS feed
niw demo --feeds SCALE  write the illustrative WPLS neighbourhood feed (raw/feeds/wpls/)
niw rejected [--load ID] [--limit N]   rejected rows of the last (or a given) load
niw sql QUERY           read-only SQL against the warehouse
niw releases            the releases under NIW_PUBLISH_DIR, and which is latest
niw prune [--keep-sites N] [--dry-run]   remove the sites of superseded releases
niw verify [DIR]        check a release (default: latest) against its manifest
niw rollback [LOAD_ID]  list kept warehouse generations, or roll back to one
niw serve [--port N]    the releases and the latest site on http://127.0.0.1:8000/
niw fetch URL DEST      download a release over HTTP, checking every file's SHA-256
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .nightly import dagster_home, run_load, shown
from .settings import Settings

__all__ = ["dagster_home", "main", "run_load", "shown"]


def show_rejected(warehouse: Path, load_id: str | None, limit: int) -> int:
    """Rejected rows and whole files of a load (default: the last load that rejected any)."""
    import duckdb

    if not warehouse.exists():
        print(f"No warehouse at {warehouse}: run `make run` first.", file=sys.stderr)
        return 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if load_id is None:
            load_id = con.execute(
                "select load_id from audit.loads where rows_rejected > 0 or load_id in "
                "(select load_id from audit.load_files where outcome = 'REJECTED') "
                "order by load_seq desc limit 1"
            ).fetchone()
            load_id = load_id[0] if load_id else None
        files = con.execute(
            "select path, reason, message from audit.load_files "
            "where load_id = ? and outcome = 'REJECTED' order by path",
            [load_id],
        ).fetchall()
        rows = con.execute(
            "select path, line_number, reason_code, message, raw from audit.rejected_rows "
            "where load_id = ? order by path, line_number limit ?",
            [load_id, limit],
        ).fetchall()
    if not rows and not files:
        print("No rejected rows or files.")
        return 0
    print(f"Load {load_id}:")
    for path, reason, message in files:
        print(f"{shown(path)}: whole file {reason}: {shown(message)}")
    for path, line, reason, message, raw in rows:
        print(f"{shown(path)}:{line}: {reason}: {shown(message)}")
        print(f"    row: {json.dumps(json.loads(raw))}")
    return 0


def run_sql(warehouse: Path, query: str, as_csv: bool = False) -> int:
    """Read-only SQL against the live warehouse, shown as a table or written as CSV."""
    import duckdb

    if not warehouse.exists():
        print(f"No warehouse at {warehouse}: run `make run` first.", file=sys.stderr)
        return 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            if as_csv:
                cursor = con.execute(query)
                _write_csv(cursor, sys.stdout)
                return 0
            relation = con.sql(query)
        except duckdb.Error as exc:
            print(f"SQL error: {exc}", file=sys.stderr)
            return 1
        if relation is not None:
            relation.show(max_rows=200, max_width=200)
    return 0


def _write_csv(cursor, out) -> None:
    """Rows as CSV; a text cell a spreadsheet would run as a formula gets a leading '."""
    import csv

    from .release.release import FORMULA_STARTS

    writer = csv.writer(out, lineterminator="\n")
    if cursor.description is None:
        return
    writer.writerow([column[0] for column in cursor.description])
    while batch := cursor.fetchmany(10_000):
        writer.writerows(
            [
                "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
                for cell in row
            ]
            for row in batch
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="niw", description="NI Warehouse")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the nightly load now")
    commands.add_parser("prepare", help="parse the dbt project if it changed since last time")
    demo = commands.add_parser("demo", help="write the demo return set (or, with --feeds, a feed)")
    demo.add_argument("--out", type=Path, help="folder to write to (default NIW_RAW_DIR)")
    demo.add_argument("--seed", type=int, default=2008)
    demo.add_argument(
        "--feeds",
        type=float,
        metavar="SCALE",
        help="write the illustrative WPLS neighbourhood feed under feeds/wpls/ instead of "
        "returns: 1 = every 2001 LSOA x 52 quarters x 7 client groups (11.8 M rows), 0.1 a "
        "tenth of the LSOAs, 10 split by sex and age band (118 M rows)",
    )
    rejected = commands.add_parser("rejected", help="list rejected rows of a load")
    rejected.add_argument("--load", dest="load_id", help="load id (default: the last with any)")
    rejected.add_argument("--limit", type=int, default=200)
    sql = commands.add_parser("sql", help="run read-only SQL against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--csv", action="store_true", help="write the result as CSV to stdout")
    commands.add_parser("releases", help="list the releases and which one is latest")
    prune = commands.add_parser(
        "prune", help="apply the retention rule: remove the sites of superseded releases"
    )
    prune.add_argument(
        "--keep-sites",
        type=int,
        help="how many of the newest releases keep their site (default NIW_KEEP_SITES, 3)",
    )
    prune.add_argument("--dry-run", action="store_true", help="say what would go; remove nothing")
    verify = commands.add_parser("verify", help="check a release against its manifest")
    verify.add_argument("folder", nargs="?", type=Path, help="default: NIW_PUBLISH_DIR/latest")
    rollback = commands.add_parser("rollback", help="list or restore kept warehouse generations")
    rollback.add_argument("load_id", nargs="?", help="the load whose warehouse to restore")
    serve = commands.add_parser("serve", help="serve the releases and latest site on localhost")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    fetch = commands.add_parser(
        "fetch", help="download a release, checking it against its manifest"
    )
    fetch.add_argument("url", help="e.g. http://127.0.0.1:8000/latest/")
    fetch.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command in ("releases", "verify", "rollback", "serve", "fetch", "prune"):
        return run_publication_command(args, settings)
    if args.command == "run":
        return run_load(settings)
    if args.command == "prepare":
        from .warehouse.dbt import prepare_dbt_manifest

        print(f"dbt manifest ready: {prepare_dbt_manifest()}")
        return 0
    if args.command == "demo" and args.feeds is not None:
        from .feeds.generate import generate_wpls_feed

        try:
            feed = generate_wpls_feed(
                args.out or settings.raw_dir, settings.seeds_dir, scale=args.feeds, seed=args.seed
            )
        except ValueError as error:
            print(f"niw demo: {error}", file=sys.stderr)
            return 2
        print(feed.describe())
        return 0
    if args.command == "demo":
        from .demo.generate import generate_demo_returns

        summary = generate_demo_returns(
            args.out or settings.raw_dir, settings.seeds_dir, seed=args.seed, feed=True
        )
        print(summary.describe())
        return 0
    if args.command == "sql":
        return run_sql(settings.warehouse, args.query, as_csv=args.csv)
    if args.command == "rejected":
        return show_rejected(settings.warehouse, args.load_id, args.limit)
    return 2


def run_publication_command(args: argparse.Namespace, settings: Settings) -> int:
    from .release import commands

    if args.command == "releases":
        return commands.list_releases(settings.publish_dir, settings.warehouse)
    if args.command == "prune":
        from .release.retention import describe_pruned, prune_sites

        keep = settings.keep_sites if args.keep_sites is None else args.keep_sites
        if keep < 1:
            print("--keep-sites must be at least 1: the latest release keeps its site.")
            return 2
        done = prune_sites(settings.publish_dir, keep, dry_run=args.dry_run)
        print("\n".join(describe_pruned(done, args.dry_run)))
        return 0
    if args.command == "verify":
        return commands.verify(args.folder or settings.publish_dir / "latest")
    if args.command == "rollback":
        return commands.show_or_rollback(
            settings.warehouse,
            settings.publish_dir,
            args.load_id,
            settings.keep_generations,
        )
    if args.command == "serve":
        from .release.serve import serve

        return serve(settings.publish_dir, args.host, args.port)
    from .release.fetch import main as fetch_main

    return fetch_main([args.url, str(args.dest)])


if __name__ == "__main__":
    sys.exit(main())

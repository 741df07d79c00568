"""`niw`: the command behind `make run`, and small helpers for the central data team.

niw run                 the nightly load now (demo returns are generated if none exist)
niw prepare             parse the dbt project if it changed (make dev runs it first)
niw demo [--out DIR]    write the deterministic demo return set
niw rejected [--load ID] [--limit N]   rejected rows of the last (or a given) load
niw sql QUERY           read-only SQL against the warehouse
niw releases            the releases under NIW_PUBLISH_DIR, and which is latest
niw verify [DIR]        check a release (default: latest) against its manifest
niw rollback [LOAD_ID]  list kept warehouse generations, or roll back to one
niw serve [--port N]    the releases and the latest site on http://127.0.0.1:8000/
niw fetch URL DEST      download a release over HTTP, checking every file's SHA-256
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from .settings import REPO_ROOT, Settings


def _dagster_home() -> Path:
    """Dagster's instance folder: DAGSTER_HOME (relative paths from the repository root, as
    for every NIW_* path; Dagster itself insists on an absolute one), else data/dagster_home."""
    home = REPO_ROOT / (os.environ.get("DAGSTER_HOME") or "data/dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    config = home / "dagster.yaml"
    if not config.exists():
        # One load at a time: runs share the raw folder and the live warehouse.
        config.write_text("run_queue:\n  max_concurrent_runs: 1\ntelemetry:\n  enabled: false\n")
    if "run_monitoring:" not in config.read_text():
        # The daemon marks runs whose worker died (kill -9, a reboot) or that outlive the job's
        # dagster/max_runtime as failed, so the one-at-a-time queue never waits behind them.
        with config.open("a") as handle:
            handle.write(RUN_MONITORING)
    return home


RUN_MONITORING = """run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  max_resume_run_attempts: 0
  poll_interval_seconds: 60
"""
LAUNCHED_BY = "niw/launched_by"


def fail_orphaned_runs(instance) -> list[str]:
    """Mark failed the in-process runs a killed `niw run` left STARTED; return their ids.

    Called while holding the load lock: no other `niw run` is alive, so any run it launched
    that is still in progress belongs to a process that died (the daemon's run monitoring
    cannot see in-process runs).
    """
    import dagster as dg

    in_progress = [
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.CANCELING,
    ]
    orphans = instance.get_runs(
        filters=dg.RunsFilter(statuses=in_progress, tags={LAUNCHED_BY: "niw run"})
    )
    for run in orphans:
        instance.report_run_failed(
            run, "its `niw run` process ended without finishing it (killed or crashed)"
        )
    return [run.run_id for run in orphans]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def has_return_files(raw_dir: Path) -> bool:
    from .ingest.discover import list_return_files

    return bool(list_return_files(raw_dir))


def generate_demo(raw_dir: Path, seeds_dir: Path) -> None:
    from .demo.generate import generate_demo_returns

    _say(f"No returns under {raw_dir}: writing the demo return set there first.")
    summary = generate_demo_returns(raw_dir, seeds_dir)
    first_lines = summary.describe().splitlines()[:2]
    _say("  " + "\n  ".join(first_lines) + " (see the load summary below for each)")


# `niw run`'s exit status when another load holds the load lock (EX_TEMPFAIL: try later).
EXIT_LOAD_IN_PROGRESS = 75


def run_load(settings: Settings) -> int:
    """Run the nightly_load job in process, holding the load lock; 0 when published."""
    from .warehouse.build_file import LoadInProgress, load_lock

    try:
        with load_lock(settings.warehouse, "niw run"):
            return _run_load(settings)
    except LoadInProgress as busy:
        print(f"NOT STARTED: {busy}", file=sys.stderr)
        return EXIT_LOAD_IN_PROGRESS


def _run_load(settings: Settings) -> int:
    _dagster_home()
    if not has_return_files(settings.raw_dir):
        generate_demo(settings.raw_dir, settings.seeds_dir)

    import dagster as dg

    from .definitions import build_definitions
    from .resources import WarehouseResource
    from .warehouse.dbt import dbt_results_path, prepare_dbt_manifest

    _say("Preparing the dbt project (parsed again only when it changed) ...")
    prepare_dbt_manifest()
    defs = build_definitions(WarehouseResource.from_settings(settings))
    job = defs.resolve_job_def("nightly_load")
    log_path = settings.warehouse.parent / "logs" / "last_load_dbt.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    _say(f"Loading returns from {settings.raw_dir} into {settings.warehouse} ...")
    _say(f"  (dbt's line-by-line output goes to {log_path})")
    # dbt prints one line per model and test (hundreds); keep them in a log, not on screen.
    dbt_results_path(settings.warehouse).unlink(missing_ok=True)  # a failure names this run's
    instance = dg.DagsterInstance.get()
    for run_id in fail_orphaned_runs(instance):
        _say(f"  marked run {run_id} failed: a killed `niw run` had left it in progress")
    with open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            tags={LAUNCHED_BY: "niw run"},
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    from .quality.report import describe_quality
    from .release.commands import describe_release

    evaluations = result.get_asset_check_evaluations()
    docs_index = settings.quality_dir / "index.html"
    if not result.success:
        _print_failure(result, settings, log_path, evaluations, docs_index)
        return 1
    print(summarise_last_load(settings.warehouse))
    print("\n".join(describe_quality(evaluations, docs_index)))
    print("\n".join(describe_release(settings.publish_dir, _release_unchanged(result))))
    print(f"  dbt log:   {log_path}")
    return 0


def _release_unchanged(result) -> bool:
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if "release_unchanged" in metadata:
            return bool(metadata["release_unchanged"].value)
    return False


def _print_failure(
    result, settings: Settings, log_path: Path, evaluations: list, docs_index: Path
) -> None:
    from .quality.report import blocking_failures, describe_blocked
    from .warehouse.dbt import dbt_failures, dbt_results_path

    print(
        "\nLOAD FAILED: the published warehouse and the latest release were not changed.",
        file=sys.stderr,
    )
    if blocking_failures(evaluations):
        print("\n".join(describe_blocked(evaluations, docs_index)), file=sys.stderr)
    failures = dbt_failures(dbt_results_path(settings.warehouse))
    if failures:
        print("  dbt reported:", file=sys.stderr)
        for line in failures[:20]:
            print(f"    {line}", file=sys.stderr)
        print(f"  (full dbt log: {log_path})", file=sys.stderr)
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            first = (error.message or "").strip().splitlines()
            print(
                f"  step {event.step_key}: {first[0] if first else error.cls_name}", file=sys.stderr
            )
    print(
        f"  The run's build file (for diagnosis) is beside {settings.warehouse}; "
        f"Dagster run id {result.run_id}.",
        file=sys.stderr,
    )


def summarise_last_load(warehouse: Path) -> str:
    """A short summary a person can act on, read back from the published warehouse."""
    import duckdb

    from .ingest.ledger import last_load

    with duckdb.connect(str(warehouse), read_only=True) as con:
        load = last_load(con)
        load_id, files = load.load_id, load.files
        accepted, rejected = load.rows_accepted, load.rows_rejected
        outcomes = dict(
            con.execute(
                "select outcome, count(*) from audit.load_files where load_id = ? group by 1",
                [load_id],
            ).fetchall()
        )
        rejected_files = con.execute(
            "select path, reason, message from audit.load_files "
            "where load_id = ? and outcome = 'REJECTED' order by path limit 20",
            [load_id],
        ).fetchall()
        reasons = con.execute(
            "select reason_code, count(*) from audit.rejected_rows where load_id = ? "
            "group by 1 order by 2 desc, 1",
            [load_id],
        ).fetchall()
        values, areas, indicators = con.execute(
            "select count(*), count(distinct area_code), count(distinct ni_code) "
            "from marts.fct_indicator_values"
        ).fetchone()
    lines = [
        "",
        f"NI Warehouse load {load_id}",
        f"  files: {outcomes.get('LOADED', 0)} loaded, "
        f"{outcomes.get('ALREADY_LOADED', 0)} already loaded, "
        f"{outcomes.get('REJECTED', 0)} rejected ({files} new or changed files taken up)",
        f"  rows:  {accepted:,} accepted, {rejected:,} rejected",
    ]
    for reason, count in reasons:
        lines.append(f"           {count:>7,}  {reason}")
    if rejected_files:
        lines.append("  rejected files:")
        lines.extend(
            f"    {shown(path)}: {reason} - {shown(message)}"
            for path, reason, message in rejected_files
        )
    lines += [
        f"  warehouse: {warehouse} ({values:,} current values, {indicators} indicators, "
        f"{areas} areas)",
        f"  open it:   duckdb -readonly {warehouse}",
        "             or python: duckdb.connect(path, read_only=True)",
    ]
    if rejected:
        lines.append(f"  fix rows:  niw rejected --load {load_id}   (or query audit.rejected_rows)")
    return "\n".join(lines)


def shown(text: object) -> str:
    """Text from a return (a file name, a message quoting a cell) made safe for one line.

    Control characters (newline, carriage return, escape sequences) are written as escapes,
    so a file named to look like a summary line cannot forge one, nor move the cursor.
    """
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in str(text)
    )


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
    demo = commands.add_parser("demo", help="write the demo return set")
    demo.add_argument("--out", type=Path, help="folder to write to (default NIW_RAW_DIR)")
    demo.add_argument("--seed", type=int, default=2008)
    rejected = commands.add_parser("rejected", help="list rejected rows of a load")
    rejected.add_argument("--load", dest="load_id", help="load id (default: the last with any)")
    rejected.add_argument("--limit", type=int, default=200)
    sql = commands.add_parser("sql", help="run read-only SQL against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--csv", action="store_true", help="write the result as CSV to stdout")
    commands.add_parser("releases", help="list the releases and which one is latest")
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
    if args.command in ("releases", "verify", "rollback", "serve", "fetch"):
        return run_publication_command(args, settings)
    if args.command == "run":
        return run_load(settings)
    if args.command == "prepare":
        from .warehouse.dbt import prepare_dbt_manifest

        print(f"dbt manifest ready: {prepare_dbt_manifest()}")
        return 0
    if args.command == "demo":
        from .demo.generate import generate_demo_returns

        summary = generate_demo_returns(
            args.out or settings.raw_dir, settings.seeds_dir, seed=args.seed
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
        return commands.list_releases(settings.publish_dir)
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

"""`niw run`: the nightly load in one process, holding the load lock, and its summary.

The same Dagster job that `make dev`'s schedule and sensor start, run in process: it takes
the load lock first (a second load refuses at once), marks failed any run a killed `niw run`
left in progress, clears what dead loads left behind, runs the job, and prints a summary a
person can act on (or, when it fails, the cause, and removes the failed build file).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

from .settings import REPO_ROOT, Settings


def dagster_home() -> Path:
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
# Run states of a load still going (or believed to be); QUEUED runs wait for the queue.
IN_PROGRESS_NAMES = ("STARTED", "STARTING", "NOT_STARTED", "CANCELING")


def _in_progress() -> list:
    import dagster as dg  # imported only when a load runs

    return [dg.DagsterRunStatus[state] for state in IN_PROGRESS_NAMES]


def fail_orphaned_runs(instance) -> list[str]:
    """Mark failed the in-process runs a killed `niw run` left STARTED; return their ids.

    Called while holding the load lock: no other `niw run` is alive, so any run it launched
    that is still in progress belongs to a process that died (the daemon's run monitoring
    cannot see in-process runs).
    """
    import dagster as dg

    orphans = instance.get_runs(
        filters=dg.RunsFilter(statuses=_in_progress(), tags={LAUNCHED_BY: "niw run"})
    )
    for run in orphans:
        instance.report_run_failed(
            run, "its `niw run` process ended without finishing it (killed or crashed)"
        )
    return [run.run_id for run in orphans]


def _may_have_orphans(runs_db: Path) -> bool:
    """Whether Dagster's SQLite run storage may hold a `niw run` run still in progress: read
    with sqlite3, so a night with nothing to do does not pay dagster's import to learn that
    it has none. Anything unexpected (another schema, a locked file) says "may"."""
    import sqlite3

    if not runs_db.exists():
        return False  # no run was ever stored here, so none is orphaned
    try:
        with contextlib.closing(sqlite3.connect(f"file:{runs_db}?mode=ro", uri=True)) as db:
            marks = ",".join("?" * len(IN_PROGRESS_NAMES))
            found = db.execute(
                f"select count(*) from runs join run_tags using (run_id) "  # noqa: S608
                f"where runs.status in ({marks}) and run_tags.key = ? and run_tags.value = ?",
                [*IN_PROGRESS_NAMES, LAUNCHED_BY, "niw run"],
            ).fetchone()[0]
    except sqlite3.Error:
        return True
    return found > 0


def _fail_orphaned_runs(home: Path) -> None:
    if not _may_have_orphans(home / "history" / "runs.db"):
        return
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        for run_id in fail_orphaned_runs(instance):
            _say(f"  marked run {run_id} failed: a killed `niw run` had left it in progress")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def has_return_files(raw_dir: Path) -> bool:
    """True when raw_dir holds a return or a departmental feed file (either is something to
    load: a deployment may start with the feed alone)."""
    from .feeds.load import list_feed_files
    from .ingest.discover import list_return_files

    return bool(list_return_files(raw_dir)) or bool(list_feed_files(raw_dir))


def ever_took_up_files(warehouse: Path) -> bool:
    """True when the live warehouse records any file taken up (so returns were here once)."""
    if not warehouse.exists():
        return False
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            return con.execute("select count(*) from ingest.load_files").fetchone()[0] > 0 or (
                con.execute("select count(*) from ingest.feed_files").fetchone()[0] > 0
            )
        except duckdb.CatalogException:
            return False


def should_write_demo(settings: Settings, default_raw: Path | None = None) -> bool:
    """The demo set is written by `niw run` only into the default raw folder (`default_raw`,
    data/raw unless a test says otherwise), and only when it has never held returns: a
    mistyped NIW_RAW_DIR must not publish invented figures."""
    default = default_raw or Settings.defaults().raw_dir
    return (
        settings.raw_dir.resolve() == default.resolve()
        and not has_return_files(settings.raw_dir)
        and not ever_took_up_files(settings.warehouse)
    )


def nothing_to_load(settings: Settings) -> str | None:
    """Why a load must not start for want of returns, or None when it may."""
    where = shown(settings.raw_dir)
    if not settings.raw_dir.is_dir():
        return f"the raw folder {where} (NIW_RAW_DIR) does not exist: check the path."
    if not has_return_files(settings.raw_dir) and not ever_took_up_files(settings.warehouse):
        return (
            f"no returns under {where} (NIW_RAW_DIR), and none were ever loaded into "
            f"{shown(settings.warehouse)}: nothing to load. Check the path, or write the demo "
            "set there with `niw demo` (the demo is written by itself only into the default "
            "raw folder, data/raw)."
        )
    return None


def generate_demo(raw_dir: Path, seeds_dir: Path) -> None:
    from .demo.generate import generate_demo_returns

    _say(
        f"No returns under {raw_dir}, and none were ever loaded: writing the DEMO return set "
        "there first (invented figures; every release built from them is marked DEMO DATA)."
    )
    summary = generate_demo_returns(
        raw_dir, seeds_dir, feed=True, progress=lambda line: _say(f"  {line}")
    )
    first_lines = summary.describe().splitlines()[:2]
    _say("  " + "\n  ".join(first_lines) + " (see the load summary below for each)")


# `niw run`'s exit status when another load holds the load lock (EX_TEMPFAIL: try later).
EXIT_LOAD_IN_PROGRESS = 75
# ... and when there is nothing to load: no raw folder, or no returns and none ever loaded.
EXIT_NOTHING_TO_LOAD = 2


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
    home = dagster_home()
    # First, before anything may refuse: a run a killed `niw run` left in progress would hold
    # the one-at-a-time queue (the schedule, the sensor) even on a night with nothing to load.
    _fail_orphaned_runs(home)
    if should_write_demo(settings):
        generate_demo(settings.raw_dir, settings.seeds_dir)
    elif refusal := nothing_to_load(settings):
        print(f"NOT STARTED: {refusal}", file=sys.stderr)
        return EXIT_NOTHING_TO_LOAD

    from .warehouse.quiet_night import pending_work, record_quiet_night

    work = pending_work(settings)
    if work is None:  # recorded in a second: no Dagster run, no dbt build, no release
        record_quiet_night(settings)
        report = [f"  report:    {settings.quality_dir / 'index.html'}"]
        _print_summary(settings, QUIET_NIGHT_CHECKS + report, True, [])
        return 0
    _say(f"Tonight's work: {work}.")

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
    running = instance.get_runs(
        filters=dg.RunsFilter(job_name="nightly_load", statuses=_in_progress()), limit=1
    )
    if running:
        print(
            f"NOT STARTED: another load is running on {settings.warehouse}: Dagster run "
            f"{running[0].run_id} (from `make dev`'s schedule or sensor). Wait for it to finish.",
            file=sys.stderr,
        )
        return EXIT_LOAD_IN_PROGRESS
    with open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            tags={LAUNCHED_BY: "niw run"},
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    from .quality.report import describe_quality

    evaluations = result.get_asset_check_evaluations()
    docs_index = settings.quality_dir / "index.html"
    if not result.success:
        _print_failure(result, settings, log_path, evaluations, docs_index)
        return 1
    quality = describe_quality(evaluations, docs_index)
    rebuilt = [f"  rebuilt:   {describe_rebuild(settings.warehouse)}"]
    _print_summary(
        settings, rebuilt + quality, _release_unchanged(result), [f"  dbt log:   {log_path}"]
    )
    return 0


def describe_rebuild(warehouse: Path) -> str:
    """What the load's dbt build recomputed, in words (docs/operations.md, "A resubmission")."""
    from .warehouse.dbt import full_refresh_reason, recomputed_indicators

    whole = full_refresh_reason(warehouse)
    if whole:
        return f"every model whole ({whole})"
    return f"incremental: {recomputed_indicators(warehouse)} recomputed"


# What the summary says of the checks on a night that had nothing to do.
QUIET_NIGHT_CHECKS = [
    "  checks:    none ran: no file was taken up and nothing was rebuilt (no dbt build, no release)"
]


def _print_summary(
    settings: Settings, quality: list[str], release_unchanged: bool, after: list[str]
) -> None:
    """The run summary of a load that finished: its files and rows, what it skipped or left
    open, its checks (`quality`), the release it made or kept, then `after`."""
    from .release.commands import describe_release

    print(summarise_last_load(settings.warehouse))
    for line in describe_ignored(settings.raw_dir) + describe_quiet_night(settings.warehouse):
        print(line)
    print("\n".join(quality))
    print("\n".join(describe_release(settings.publish_dir, release_unchanged)))
    for line in after:
        print(line)


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
    steps = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            text = _whole_error(error)
            first = (error.message or "").strip().splitlines()
            steps.append({"step": event.step_key, "error": text[:4000]})
            print(
                f"  step {event.step_key}: {shown(first[0] if first else error.cls_name)}",
                file=sys.stderr,
            )
    if any("No space left on device" in step["error"] for step in steps):
        print(f"  {_disk_full_advice(settings)}", file=sys.stderr)
    diagnosis = clear_failed_build(settings, result.run_id, steps, failures)
    print(
        f"  The failed build file was removed; what went wrong is kept in {diagnosis} "
        f"(Dagster run id {result.run_id}).",
        file=sys.stderr,
    )


def _whole_error(error) -> str:
    """An error with its causes and contexts, as text: a disk-full error is often a cause, or
    the error being handled when a later one was raised (DuckDB's commit after a failed write)."""
    parts, pending, seen = [], [error], set()
    while pending:
        error = pending.pop(0)
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        parts.append(f"{error.cls_name}: {error.message}")
        pending += [getattr(error, "cause", None), getattr(error, "context", None)]
    return "\n".join(parts)


def _disk_full_advice(settings: Settings) -> str:
    """Where the disk is full and how much to free: room for a copy of the warehouse and a
    release (the latest one's size), less what is free now."""
    import shutil

    from .release.release import latest_release

    live = settings.warehouse.stat().st_size if settings.warehouse.exists() else 0
    latest = latest_release(settings.publish_dir)
    release = sum(p.stat().st_size for p in latest.rglob("*") if p.is_file()) if latest else 0
    folder = settings.warehouse.parent
    free = shutil.disk_usage(folder).free
    need_mb = max(1, -(-(live + release + (64 << 20) - free) // (1 << 20)))
    return f"No space left on device in {folder}: free {need_mb} MB and run again."


def clear_failed_build(settings: Settings, run_id: str, steps: list, dbt_failures: list) -> Path:
    """Remove a failed load's build file (tens or hundreds of MB) and keep a small diagnosis."""
    from .warehouse.build_file import build_path, remove_build

    build = build_path(settings.warehouse, run_id)
    size = build.stat().st_size if build.exists() else 0
    remove_build(settings.warehouse, run_id)  # first: the diagnosis may need the space
    diagnosis = settings.warehouse.parent / "logs" / "last_failed_load.json"
    diagnosis.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "run_id": run_id,
        "failed_steps": steps,
        "dbt_failures": dbt_failures[:50],
        "build_file": str(build),
        "build_file_bytes": size,
    }
    diagnosis.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return diagnosis


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
        feed_files, feed_loaded, feed_accepted, feed_rejected = con.execute(
            "select count(*), count(*) filter (where outcome = 'LOADED'), "
            "coalesce(sum(rows_accepted), 0), coalesce(sum(rows_rejected), 0) "
            "from audit.feed_files where load_id = ?",
            [load_id],
        ).fetchone()
        derived = con.execute(
            "select count(*) from ingest.derived_values where load_id = ?", [load_id]
        ).fetchone()[0]
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
    if feed_files:
        lines.append(
            f"  feed:  {feed_files} WPLS file(s) taken up ({feed_loaded} loaded), "
            f"{feed_accepted:,} rows accepted, {feed_rejected:,} rejected "
            f"(audit.feed_rejected_rows); {derived:,} NI 152/153 version(s) derived"
        )
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


SHOWN_IGNORED = 10
SHOWN_OPEN_WARNINGS = 8


def describe_quiet_night(warehouse: Path) -> list[str]:
    """After a load that took nothing up: say so, and show the warnings still open (those of
    the last load that took files up, audit.open_warnings), so a quiet night hides nothing."""
    import duckdb

    from .ingest.ledger import last_load
    from .quality.schema import open_warnings

    with duckdb.connect(str(warehouse), read_only=True) as con:
        if last_load(con).outcome != "nothing_new":
            return []
        as_of, warnings = open_warnings(con)
    lines = ["  tonight:   nothing new: no file under the raw folder was new or changed"]
    if as_of is None:
        return lines
    lines.append(
        f"  open:      {len(warnings):,} warnings still open as of load {as_of}, the last that "
        "took files up (the view audit.open_warnings)"
    )
    lines += [f"               {shown(w['message'])}" for w in warnings[:SHOWN_OPEN_WARNINGS]]
    return lines


def describe_ignored(raw_dir: Path) -> list[str]:
    """Summary lines naming what the load skipped under the raw folder (hidden names, the
    demo marker), so that nothing there is passed over without a trace."""
    from .ingest.discover import list_ignored

    ignored = list_ignored(raw_dir)
    if not ignored:
        return []
    lines = [f"  ignored:   {len(ignored)} under the raw folder, not returns:"]
    lines += [f"             {shown(path)}  ({why})" for path, why in ignored[:SHOWN_IGNORED]]
    if len(ignored) > SHOWN_IGNORED:
        lines.append(f"             ... and {len(ignored) - SHOWN_IGNORED} more")
    return lines


def shown(text: object) -> str:
    """Text from a return (a file name, a message quoting a cell) made safe for one line.

    Control characters (newline, carriage return, escape sequences) are written as escapes,
    so a file named to look like a summary line cannot forge one, nor move the cursor.
    """
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in str(text)
    )

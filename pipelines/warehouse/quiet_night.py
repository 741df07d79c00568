"""A night with nothing new: known before any framework starts, recorded in about a second.

`niw run` asks `pending_work` before it imports Dagster, dbt or Great Expectations. A load
has work when any of these holds, and `pending_work` says which:
- there is no live warehouse yet, or it does not record what its last build ran with
  (ingest.load_settings, from before that table existed);
- the dbt project or the reference seeds differ from those the live warehouse was built with
  (their digest, `project_digest`, is recorded by every load);
- a file under the raw folder would be taken up (a new path, changed bytes: the ingest rule
  itself, `count_new_files`);
- a publication date lies between the embargo date the live warehouse was built on and
  tonight's (the embargo date passing is new work: a period becomes publishable).
With none of them, tonight's load could only rebuild what is already live. `record_quiet_night`
then records the night as a load (ingest.loads: outcome `nothing_new`, files 0, as the
contract asks) in a copy of the live file swapped in as every load's build is, so readers are
never blocked, and writes the quality report's page for it (the warnings still open); nothing
else changes and the latest release stays. Dagster's schedule and sensor still run the whole
job, which comes to the same tables on such a night, at the cost of a full build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb

from ..ingest.ledger import append_nothing_new, record_load_settings, recorded_digests
from ..ingest.load import count_new_files
from ..settings import DBT_PROJECT_DIR, Settings, embargo_date
from .build_file import remove_build, start_build, swap_in

PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "tests")  # under dbt_project/


def project_digest(seeds_dir: Path) -> str:
    """SHA-256 over the dbt project's files and the seeds (names and bytes): what a build
    of the warehouse depends on besides the ledger and the embargo date."""
    files: list[tuple[str, Path]] = []
    for part in PROJECT_PARTS:
        root = DBT_PROJECT_DIR / part
        found = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        files += [(f"dbt_project/{p.relative_to(DBT_PROJECT_DIR).as_posix()}", p) for p in found]
    dbt_seeds = (DBT_PROJECT_DIR / "../data/seeds").resolve()
    for folder in sorted({dbt_seeds, seeds_dir.resolve()}):
        files += [(f"seeds/{p.name}", p) for p in sorted(folder.glob("*.csv"))]
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _last_digest(con: duckdb.DuckDBPyConnection) -> str | None:
    """The project digest the last load recorded (None before any did)."""
    return next(iter(recorded_digests(con, 1)), None)


def pending_work(settings: Settings) -> str | None:
    """Why tonight's load has work to do, or None when it would change nothing."""
    live = settings.warehouse
    if not live.exists():
        return "there is no warehouse yet"
    try:
        con = duckdb.connect(str(live), read_only=True)
    except duckdb.Error as error:  # a load reports this properly
        return f"the live warehouse could not be opened ({error})"
    with con:
        try:
            built_digest = _last_digest(con)
            built_as_of = con.execute("select max(as_of) from publication.embargo").fetchone()[0]
        except duckdb.CatalogException:
            return "the warehouse was built before loads recorded their settings"
        if built_digest is None or built_as_of is None:
            return "no load has recorded its settings yet"
        if built_digest != project_digest(settings.seeds_dir):
            return "the dbt project or the reference seeds changed since the last build"
        new = count_new_files(con, settings.raw_dir)
        if new:
            return f"{new:,} new or changed file{'s' if new != 1 else ''} under the raw folder"
        tonight = dt.date.fromisoformat(embargo_date(settings.publish_as_of))
        low, high = sorted((built_as_of, tonight))
        passing = con.execute(
            "select count(*) from reference.publication_dates "
            "where publication_date > ? and publication_date <= ?",
            [low, high],
        ).fetchone()[0]
    if passing:
        return f"the embargo date moved from {built_as_of} to {tonight} over {passing} publication date(s)"
    return None


def record_quiet_night(settings: Settings) -> str:
    """Append tonight's `nothing_new` load to a copy of the live file and swap it in; write
    the quality report's page for it. Returns the load id."""
    from ..quality.report_page import record_quiet_night as note_in_report
    from ..quality.report_page import write_report
    from ..quality.schema import open_warnings

    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    run_id = "quiet-night"  # every run builds into the one build file (build_file.build_path)
    build = start_build(settings.warehouse, run_id)
    try:
        with duckdb.connect(str(build)) as con:
            # the project is the one the live warehouse was built from (`pending_work` found
            # the same digest), so its digest is carried over, not computed again
            digest = _last_digest(con)
            load = append_nothing_new(con, started_at)
            record_load_settings(
                con, load.load_id, load.load_seq, embargo_date(settings.publish_as_of), digest
            )
            as_of_load, warnings = open_warnings(con)
        swap_in(settings.warehouse, run_id, settings.keep_generations)
    except BaseException:
        remove_build(settings.warehouse, run_id)
        raise
    note_in_report(settings.quality_dir, load.load_id, as_of_load, warnings)
    write_report(settings.quality_dir, load.load_id)
    return load.load_id

"""Releases of the CAA publication: data files, changes, site and manifest (docs/publication.md).

A release is a folder `NIW_PUBLISH_DIR/<release_id>/` built from a checked warehouse file:

    manifest.json   release id, created, source load, embargo date and rule, tables with row
                    counts and column schemas, and the size and SHA-256 of every other file
    SHA256SUMS      the same checksums (and the manifest's) for `sha256sum -c`
    changes.csv     what differs from the previous release: new, revised, withdrawn values
    changes.parquet
    data/<table>.parquet, data/<table>.csv   the publication schema and the dimensions
    site/index.html                          the offline site

It holds publishable rows only (dbt's `publication` schema: final values whose period's
publication date has passed). Its bytes depend only on the warehouse file, the previous
release and this code: rows are written in key order, nothing reads the clock, and the
`created` time is the source load's. A release is staged in a hidden folder, verified, and
then renamed into place; `latest` is a symlink replaced atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..ingest.ledger import last_load

# Released tables: file name -> (relation in the warehouse, order of rows).
RELEASE_TABLES: dict[str, tuple[str, str]] = {
    "caa_area_performance": (
        "publication.caa_area_performance",
        "area_code, ni_code, period_id",
    ),
    "caa_flag_candidates": (
        "publication.caa_flag_candidates",
        "area_code, ni_code, period_id",
    ),
    "fct_indicator_values": ("publication.fct_indicator_values", "area_code, ni_code, period_id"),
    "fct_group_values": (
        "publication.fct_group_values",
        "group_type, group_code, ni_code, period_id",
    ),
    "fct_laa_target_progress": (
        "publication.fct_laa_target_progress",
        "area_code, ni_code, period_id",
    ),
    "embargo": ("publication.embargo", "period_id"),
    "dim_indicator": ("marts.dim_indicator", "ni_number"),
    "dim_area": ("marts.dim_area", "area_code"),
    "dim_period": ("marts.dim_period", "period_id"),
    "dim_maa": ("marts.dim_maa", "maa_code"),
    "bridge_maa_area": ("marts.bridge_maa_area", "maa_code, member_name"),
    "dim_comparator_group": ("marts.dim_comparator_group", "group_code"),
    "bridge_comparator_area": ("marts.bridge_comparator_area", "group_code, area_code"),
    # NI 153's neighbourhoods (issue 14): every LSOA's baseline and whether it qualifies, and
    # each area's count; fixed by the 2006-07 baseline, so no embargo applies to them
    "ni153_neighbourhoods": ("marts.ni153_neighbourhoods", "lsoa_code"),
    "ni153_area_neighbourhoods": ("marts.ni153_area_neighbourhoods", "area_code"),
}
VALUE_KEY = ("area_code", "ni_code", "period_id")
VALUE_FIELDS = ("value", "numerator", "denominator", "ci_lower", "ci_upper")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection");
# tab and carriage return are on the list because some spreadsheets strip them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EMBARGO_RULE = (
    "A release holds, for each area, indicator and period, the latest version of the value "
    "that was sent with status final, and only when the period's publication date "
    "(data/seeds/publication_dates.csv, table embargo) is on or before the release's as_of "
    "date. Provisional values and embargoed periods are never released; England, region and "
    "MAA values, ranks, quartiles, directions of travel and target statuses are computed "
    "from released values only."
)
FORMAT_VERSION = 1
CHANGE_KINDS = ("new", "revised", "restated", "withdrawn")
CHECKSUM_FILES = ("manifest.json", "SHA256SUMS")
DEMO_FILE = "DEMO-DATA.txt"  # at the top of a release built from demo returns
# In a release whose site the retention rule removed (retention.py): its site files may be gone.
SITE_PRUNED_FILE = "SITE-PRUNED.txt"

Progress = Callable[[str], None]


class ReleaseError(Exception):
    """A release that cannot be built or does not verify; the message says what and where."""


@dataclass
class StagedRelease:
    """A release written and verified in a hidden folder, not yet visible as a release."""

    release_id: str
    folder: Path
    publish_dir: Path
    manifest: dict
    unchanged_from: str | None  # the latest release's id when the data is byte-identical

    def commit(self) -> Path:
        """Rename the release into place and point `latest` at it (or keep an identical one)."""
        if self.unchanged_from:
            shutil.rmtree(self.folder)
            return self.publish_dir / self.unchanged_from
        final = self.publish_dir / self.release_id
        if final.exists():  # the same load released again: the newest build wins
            retired = self.publish_dir / f".retired-{self.release_id}-{os.getpid()}"
            os.rename(final, retired)
            os.rename(self.folder, final)
            shutil.rmtree(retired)
        else:
            os.rename(self.folder, final)
        point_latest(self.publish_dir, self.release_id)
        return final

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def latest_release(publish_dir: Path) -> Path | None:
    """The release `latest` points to, or None before the first release."""
    latest = publish_dir / "latest"
    return latest.resolve() if latest.exists() else None


def list_release_manifests(publish_dir: Path) -> list[tuple[Path, dict]]:
    """Every release folder under publish_dir with its manifest, by release id.

    Not `latest` (a link to one of them), nor hidden folders (releases still being staged).
    """
    found = []
    for manifest_path in sorted(publish_dir.glob("*/manifest.json")):
        folder = manifest_path.parent
        if not folder.is_symlink() and not folder.name.startswith("."):
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            found.append((folder, manifest))
    return found


def point_latest(publish_dir: Path, release_id: str) -> None:
    """Replace the `latest` symlink in one step: readers see the old or the new release."""
    latest = publish_dir / "latest"
    if latest.exists() and not latest.is_symlink():
        raise ReleaseError(f"{latest} is not a symlink; move it away so releases can point it")
    staged = publish_dir / f".latest-{os.getpid()}"
    staged.unlink(missing_ok=True)
    staged.symlink_to(release_id, target_is_directory=True)
    os.replace(staged, latest)


def safe_csv_select(con: duckdb.DuckDBPyConnection, relation: str, order_by: str) -> str:
    """A select of `relation` whose text cells cannot run as spreadsheet formulas.

    A text cell starting with = + - @ (or tab/CR) gets a leading apostrophe, which spreadsheets
    show as text and do not display. Numbers are not text and keep their sign.
    """
    starts = ", ".join(sql_literal(c) for c in FORMULA_STARTS)
    columns = []
    for name, data_type, *_ in con.execute(f"describe select * from {relation}").fetchall():  # noqa: S608
        quoted = '"' + name.replace('"', '""') + '"'
        if data_type == "VARCHAR":
            columns.append(
                f"case when left({quoted}, 1) in ({starts}) then '''' || {quoted} "
                f"else {quoted} end as {quoted}"
            )
        else:
            columns.append(quoted)
    return f"select {', '.join(columns)} from {relation} order by {order_by}"  # noqa: S608


def write_table(
    con: duckdb.DuckDBPyConnection, relation: str, order_by: str, stem: Path
) -> dict[str, object]:
    """Write a relation as Parquet and formula-safe CSV in key order; return its manifest entry."""
    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    ordered = f"select * from {relation} order by {order_by}"  # noqa: S608
    con.execute(
        f"copy ({ordered}) to {sql_literal(str(parquet))} (format parquet, compression zstd)"
    )
    con.execute(
        f"copy ({safe_csv_select(con, relation, order_by)}) to {sql_literal(str(csv))} "
        "(format csv, header true)"
    )
    schema = con.execute(f"describe {ordered}").fetchall()
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]  # noqa: S608
    return {
        "rows": rows,
        "columns": [{"name": name, "type": data_type} for name, data_type, *_ in schema],
    }


def write_changes(
    con: duckdb.DuckDBPyConnection, previous: Path | None, folder: Path
) -> dict[str, int]:
    """changes.csv/.parquet: every released value that is new, revised, restated or withdrawn.

    `revised`: the value changed. `restated`: the same value sent again with other fields
    changed (numerator, denominator, interval, version), so that a partial resend reads as
    what it is, not as "revised 54.3 -> 54.3".
    """
    new = "new_values"
    new_file = sql_literal(str(folder / "data" / "fct_indicator_values.parquet"))
    con.execute(f"create or replace temp view {new} as select * from read_parquet({new_file})")  # noqa: S608
    old_file = previous / "data" / "fct_indicator_values.parquet" if previous else None
    if old_file and old_file.exists():
        old = f"read_parquet({sql_literal(str(old_file))})"
    else:  # the first release: everything in it is new
        old = f"(select * from {new} limit 0)"  # noqa: S608
    key = " and ".join(f"n.{k} = o.{k}" for k in VALUE_KEY)
    differs = " or ".join(f"n.{f} is distinct from o.{f}" for f in VALUE_FIELDS)
    keys = ", ".join(f"coalesce(n.{k}, o.{k}) as {k}" for k in VALUE_KEY)
    con.execute(
        f"""
        create or replace temp view changes as
        select
            {keys},
            case when o.area_code is null then 'new'
                 when n.area_code is null then 'withdrawn'
                 when n.value is not distinct from o.value then 'restated'
                 else 'revised' end as change,
            o.value as old_value,
            n.value as new_value,
            o.numerator as old_numerator,
            n.numerator as new_numerator,
            o.denominator as old_denominator,
            n.denominator as new_denominator,
            o.version_number as old_version,
            n.version_number as new_version
        from {new} as n
        full outer join {old} as o on {key}
        where o.area_code is null or n.area_code is null or {differs}
        """  # noqa: S608
    )
    order = ", ".join(VALUE_KEY)
    write_table(con, "changes", order, folder / "changes")
    counts = dict(con.execute("select change, count(*) from changes group by all").fetchall())
    return {kind: counts.get(kind, 0) for kind in CHANGE_KINDS}


def file_entries(folder: Path) -> list[dict[str, object]]:
    """Path, size and SHA-256 of every file in the release but the checksum files."""
    entries = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative in CHECKSUM_FILES:
            continue
        entries.append({"path": relative, "bytes": path.stat().st_size, "sha256": sha256_of(path)})
    return entries


def write_manifest(folder: Path, manifest: dict) -> None:
    manifest["files"] = file_entries(folder)
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    sums = [(e["sha256"], e["path"]) for e in manifest["files"]]
    sums.append((sha256_of(folder / "manifest.json"), "manifest.json"))
    lines = "".join(f"{digest}  {path}\n" for digest, path in sorted(sums, key=lambda s: s[1]))
    (folder / "SHA256SUMS").write_text(lines, encoding="utf-8")


def source_load(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """The last load of the attached warehouse `wh`, as the manifest records it."""
    load = last_load(con, "wh.ingest.loads")
    if load is None:
        raise ReleaseError("the warehouse records no load: nothing to release")
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "load_id": load.load_id,
        "started_at": load.started_at.strftime(stamp),
        "finished_at": load.finished_at.strftime(stamp) if load.finished_at else None,
        "files": load.files,
        "rows_accepted": load.rows_accepted,
        "rows_rejected": load.rows_rejected,
    }


DEMO_NOTE = (
    "DEMO DATA: this release is built from invented returns written by the demo generator "
    "(niw demo). Its figures are not official statistics and describe no real area."
)


def demo_values(con: duckdb.DuckDBPyConnection) -> int:
    """How many released values of the attached warehouse `wh` came from a demo file.

    Each published version is traced to the file it was read from (audit.load_files.is_demo).
    """
    return con.execute(
        """
        select count(*)
        from wh.publication.fct_indicator_values as p
        inner join wh.marts.fct_indicator_value_history as h
            using (area_code, ni_code, period_id, version_number)
        inner join wh.audit.load_files as f
            on f.path = h.source_file and f.load_id = h.load_id
        where f.is_demo
        """
    ).fetchone()[0]


def stage_release(
    warehouse_file: Path, publish_dir: Path, *, progress: Progress | None = None
) -> StagedRelease:
    """Build and verify a release of `warehouse_file` in a hidden folder under publish_dir."""
    say = progress or (lambda _message: None)
    publish_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_leftovers(publish_dir)
    con = duckdb.connect()
    try:
        con.execute(f"attach {sql_literal(str(warehouse_file))} as wh (read_only)")
        load = source_load(con)
        as_of = con.execute("select max(as_of)::varchar from wh.publication.embargo").fetchone()[0]
        from_demo = demo_values(con)
    except BaseException:
        con.close()
        raise
    release_id = f"{load['load_id']}-asof-{as_of}"
    folder = publish_dir / f".staging-{release_id}-{os.getpid()}"
    try:  # from here on, whatever fails (a full disk) leaves no half-written folder behind
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "data").mkdir(parents=True)
        try:
            tables = {}
            for name, (relation, order_by) in RELEASE_TABLES.items():
                entry = write_table(con, f"wh.{relation}", order_by, folder / "data" / name)
                tables[name] = {
                    "parquet": f"data/{name}.parquet",
                    "csv": f"data/{name}.csv",
                    **entry,
                }
            say(f"release {release_id}: {len(tables)} tables written")
            previous = latest_release(publish_dir)
            changes = write_changes(con, previous, folder)
        finally:
            con.close()
        manifest = {
            "format_version": FORMAT_VERSION,
            "release_id": release_id,
            "created": load["finished_at"],
            "as_of": as_of,
            "embargo_rule": EMBARGO_RULE,
            "source_load": load,
            "previous_release": previous.name if previous else None,
            "tables": tables,
            "changes": {"csv": "changes.csv", "parquet": "changes.parquet", **changes},
            "site": "site/index.html",
            # true when any released value came from the demo generator's invented returns
            "demo": from_demo > 0,
        }
        if from_demo:
            manifest["demo_note"] = f"{DEMO_NOTE} ({from_demo:,} released values are invented.)"
            (folder / DEMO_FILE).write_text(manifest["demo_note"] + "\n", encoding="utf-8")
        if previous and same_data(previous, file_entries(folder)):
            # Checked before the site is drawn: a quiet night costs the data files only.
            say(f"release: nothing publishable differs from {previous.name}; it stays latest")
            return StagedRelease(release_id, folder, publish_dir, manifest, previous.name)
        build_release_site(folder, manifest, say)
        write_manifest(folder, manifest)
        problems = verify_release(folder)
        if problems:
            raise ReleaseError(f"release {release_id} does not verify: " + "; ".join(problems))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StagedRelease(release_id, folder, publish_dir, manifest, None)


def remove_stale_leftovers(publish_dir: Path) -> None:
    """Delete staging folders and half-made links that loads which died left behind.

    Each leftover's name ends in the process id that made it; it is stale when that process
    is gone. Whether a process is alive decides, not how old the folder is: a full disk must
    not have to wait hours to clear itself.
    """
    for leftover in publish_dir.glob(".*"):
        if not leftover.name.startswith((".staging-", ".retired-", ".latest-")):
            continue
        owner = leftover.name.rsplit("-", 1)[-1]
        if owner.isdigit() and int(owner) != os.getpid() and _alive(int(owner)):
            continue  # another load's, still running
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def build_release_site(folder: Path, manifest: dict, say: Progress) -> int:
    """The site, built from the release's own Parquet files so it shows exactly what they hold."""
    from .site import build_site  # Altair and vl-convert load only when a site is built

    con = duckdb.connect()
    try:
        for name, entry in manifest["tables"].items():
            path = sql_literal(str(folder / entry["parquet"]))
            con.execute(f"create view {name} as select * from read_parquet({path})")  # noqa: S608
        release = {
            "release_id": manifest["release_id"],
            "created": manifest["created"],
            "as_of": manifest["as_of"],
            "source_load": manifest["source_load"]["load_id"],
            "demo_note": manifest.get("demo_note"),
        }
        publish_dir = folder.parent
        previous = manifest.get("previous_release")
        return build_site(
            con,
            folder / "site",
            release,
            progress=say,
            previous_site=publish_dir / previous / "site" if previous else None,
            chart_cache=publish_dir / CHART_CACHE,
        )
    finally:
        con.close()


# Charts drawn for the releases, kept by their spec's digest (release/charts.py): the next
# release draws only the charts that changed. Hidden, so no listing takes it for a release.
CHART_CACHE = ".chart-cache"


def same_data(previous: Path, files: list[dict[str, object]]) -> bool:
    """True when the data files among `files` are byte-identical to `previous`'s."""
    try:
        old = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False

    def data(files: list[dict]) -> dict[str, str]:
        return {f["path"]: f["sha256"] for f in files if str(f["path"]).startswith("data/")}

    return data(old.get("files", [])) == data(files)


def verify_release(folder: Path) -> list[str]:
    """Every problem found checking a release against its manifest; empty when it verifies."""
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{manifest_path} is missing"]
    except ValueError as error:
        return [f"{manifest_path} is not valid JSON ({error})"]
    problems = []
    listed = {}
    site_pruned = (folder / SITE_PRUNED_FILE).is_file()
    for entry in manifest.get("files", []):
        relative = str(entry["path"])
        listed[relative] = entry
        path = folder / relative
        if site_pruned and relative.startswith("site/") and not path.exists():
            continue
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            problems.append(f"{relative}: a path outside the release")
        elif not path.is_file():
            problems.append(f"{relative}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(
                f"{relative}: {path.stat().st_size} bytes, manifest says {entry['bytes']}"
            )
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{relative}: SHA-256 differs from the manifest")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative not in listed and relative not in CHECKSUM_FILES:
            if site_pruned and relative == SITE_PRUNED_FILE:
                continue
            problems.append(f"{relative}: not in the manifest")
    if not problems:
        problems += verify_row_counts(folder, manifest)
    return problems


def verify_row_counts(folder: Path, manifest: dict) -> list[str]:
    problems = []
    with duckdb.connect() as con:
        for entry in manifest.get("tables", {}).values():
            for kind in ("parquet", "csv"):
                path = sql_literal(str(folder / entry[kind]))
                reader = "read_parquet" if kind == "parquet" else "read_csv"
                options = "" if kind == "parquet" else ", header = true, all_varchar = true"
                rows = con.execute(f"select count(*) from {reader}({path}{options})").fetchone()[0]  # noqa: S608
                if rows != entry["rows"]:
                    problems.append(f"{entry[kind]}: {rows} rows, manifest says {entry['rows']}")
    return problems

"""Start the nightly load when return files arrive, and at 02:00 every night."""

import hashlib
import os
from pathlib import Path

import dagster as dg

from .ingest.discover import list_return_files
from .resources import WarehouseResource


def raw_folder_fingerprint(raw_dir: Path) -> tuple[str, int]:
    """A digest of every return file's path, size and modification time, and the file count."""
    digest = hashlib.sha256()
    files = list_return_files(raw_dir)
    for candidate in files:
        try:
            stat = os.stat(candidate.location)
        except OSError:
            continue
        digest.update(f"{candidate.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest(), len(files)


def build_automation(job: dg.JobDefinition):
    schedule = dg.ScheduleDefinition(
        name="nightly_load_schedule",
        job=job,
        cron_schedule="0 2 * * *",
        execution_timezone="Europe/London",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="The nightly load at 02:00 UK time.",
    )

    @dg.sensor(
        name="new_returns_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts a load when files under NIW_RAW_DIR are added or changed.",
    )
    def new_returns_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        fingerprint, count = raw_folder_fingerprint(Path(warehouse.raw_dir))
        if count == 0:
            return dg.SkipReason(f"no return files under {warehouse.raw_dir}")
        if fingerprint == context.cursor:
            return dg.SkipReason("no file added or changed since the last check")
        context.update_cursor(fingerprint)
        # The load itself skips files it has seen, so a run here never loads anything twice.
        return dg.RunRequest(run_key=fingerprint, tags={"niw/trigger": "new_returns"})

    return schedule, new_returns_sensor

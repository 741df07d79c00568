"""What the quality gates cost a national-scale load, printed as figures (nothing asserted).

    .venv/bin/python bench/bench_quality.py

Runs the real nightly_load job in process on the demo return set (every area and live
indicator, ~260,000 rows, ~130,000 current values) and prints how long each step took, read
from Dagster's event log: the two Great Expectations check steps against ingest and dbt.
Then the import of great_expectations alone, in a fresh interpreter (paid once per process).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import dagster as dg  # noqa: E402

from pipelines.definitions import build_definitions  # noqa: E402
from pipelines.demo.generate import generate_demo_returns  # noqa: E402
from pipelines.resources import WarehouseResource  # noqa: E402
from pipelines.settings import REPO_ROOT  # noqa: E402

SEEDS = REPO_ROOT / "data" / "seeds"


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    starts, ends = {}, defaultdict(float)
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            ends[event.step_key] = entry.timestamp
    return {step: ends[step] - start for step, start in starts.items() if step in ends}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="niw-bench-quality-") as tmp:
        root = Path(tmp)
        summary = generate_demo_returns(root / "raw", SEEDS)
        resource = WarehouseResource(
            raw_dir=str(root / "raw"),
            warehouse=str(root / "warehouse" / "ni.duckdb"),
            seeds_dir=str(SEEDS),
            quality_dir=str(root / "quality"),
        )
        instance = dg.DagsterInstance.ephemeral()
        job = build_definitions(resource).resolve_job_def("nightly_load")
        started = time.perf_counter()
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        total = time.perf_counter() - started
        print(f"demo return set: {len(summary.files):,} files; load succeeded: {result.success}")
        steps = step_seconds(instance, result.run_id)
        for step, seconds in sorted(steps.items(), key=lambda item: -item[1]):
            print(f"  {step:<28} {seconds:7.2f} s")
        checks = steps.get("ingest_quality_checks", 0) + steps.get("warehouse_quality_checks", 0)
        print(f"  {'whole job':<28} {total:7.2f} s")
        print(
            f"  {'quality checks (both steps)':<28} {checks:7.2f} s ({checks / total:.0%} of the load)"
        )
    code = "import time; t = time.perf_counter(); import great_expectations; print(time.perf_counter() - t)"
    imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(
        f"  {'import great_expectations':<28} {float(imported):7.2f} s (inside the first check step)"
    )


if __name__ == "__main__":
    main()

"""Shared test set-up: the nightly-load fixtures, the dbt manifest, and the `e2e` marker.

Every test that runs the Dagster job (through the fixtures below), dbt or a browser is marked
`e2e`; `make test-fast` leaves those out. A test that asks for `nightly_load` or
`make_nightly_load`, however indirectly, is marked here; the few modules that run dbt or
Chromium without the harness carry `pytestmark = pytest.mark.e2e`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from harness import SEEDS, DemoLoad, NightlyLoad

HARNESS_FIXTURES = {"nightly_load", "make_nightly_load"}


# The files that run real loads, heaviest first (seconds of one worker, `make test
# --durations`). `make test` hands whole files to two workers in collection order
# (--dist loadfile --no-loadscope-reorder), so the long ones start first and the workers
# finish together, instead of a two-minute file starting last.
HEAVIEST_FIRST = (
    "test_quality_checks.py",  # ~230 s
    "test_feed_load.py",  # ~160 s: three feed loads, one killed, and one from empty
    "test_publication.py",  # ~155 s
    "test_cli.py",  # ~100 s
    "test_comparators.py",  # ~75 s
    "test_demo_levels.py",  # ~95 s: two real loads and the default-scale demo
    "test_hostile_e2e.py",  # ~100 s
    "test_dbt_models.py",  # ~80 s
    "test_marts_reconcile.py",  # ~80 s, and the fast-loads story: a resubmission, a quiet night
    "test_pipeline_e2e.py",  # ~75 s
    "test_operations_e2e.py",  # ~60 s
    "test_site_browser.py",  # ~50 s of Chromium
    "test_accessibility.py",  # ~20 s of Chromium
    # then the heaviest of `make test-fast`'s files, for the same reason
    "test_demo_generate.py",  # ~14 s
    "test_ingest_rules.py",  # ~11 s
    "test_site.py",  # ~10 s
    "test_build_file_faults.py",  # ~9 s
    "test_demo_back_series.py",  # ~8 s
    "test_definitions.py",  # ~7 s
    "test_cli_errors.py",  # ~7 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HARNESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)

    def weight(item: pytest.Item) -> int:
        name = item.path.name
        return HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else len(HEAVIEST_FIRST)

    items.sort(key=weight)  # stable: each file's tests keep their order


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dbt's manifest, parsed once per session if the project changed (Definitions read it)."""
    from pipelines.warehouse.dbt import prepare_dbt_manifest

    return prepare_dbt_manifest()


@pytest.fixture(scope="session")
def make_nightly_load(
    tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path
) -> Callable[..., NightlyLoad]:
    """A new deployment in a fresh temporary folder: make_nightly_load("name", as_of=...).

    For loads a whole module reads (module-scoped fixtures). A test that would change a
    shared load works on `load.copy(tmp_path / ...)` or its own `nightly_load`, unless the
    module means its tests as one story in file order (test_pipeline_e2e's later loads,
    test_publication's failed loads).
    """

    def make(name: str = "nightly", **options) -> NightlyLoad:
        return NightlyLoad(tmp_path_factory.mktemp(name), **options)

    return make


@pytest.fixture
def nightly_load(make_nightly_load: Callable[..., NightlyLoad]) -> NightlyLoad:
    """A deployment of this test's own, with nothing loaded yet."""
    return make_nightly_load("load")


DEMO_SCALE = 0.05  # every live indicator, a few areas, every planted fault
# Rows the demo may not reach, for tests/test_marts_reconcile.py, in a file that sorts after the
# demo's (so it revises them). NI 117 is a ratio x 100, lower is better. The 2009 unitaries
# (Bedford E06000055, Central Bedfordshire E06000056, Cheshire East E06000049) are always in
# the demo.
EDGE_CASES = (
    "zz_reconcile/edge_cases.csv",
    "area_code,indicator,period,value,numerator,denominator,status\n"
    # a value without numerator/denominator: in the median, not in the ratio group value
    "E06000055,NI 117,2010/11,23.3333333333,,,final\n"
    # derived 70 x 100 / 300 = 23.333333333333332: ties with Bedford's value (9 dp)
    "E06000056,NI 117,2010/11,,70,300,final\n"
    # 7.55 - 7.5 = 0.04999999999999982 in binary: a change of 0.05, so not no_change
    "E06000049,NI 117,2009/10,7.5,,,final\n"
    "E06000049,NI 117,2010/11,7.55,,,final\n",
)


@pytest.fixture(scope="session")
def demo_load(make_nightly_load: Callable[..., NightlyLoad]) -> DemoLoad:
    """The real job, run once, on the small demo set and the edge cases above. Read it only.

    Every test that reads it is in test_marts_reconcile.py (which recomputes every mart from
    its ledger, and checks the demo's planted faults, row counts and DEMO marking), so that
    `make test`, which runs a test file whole on one worker, makes this load once.
    """
    from pipelines.demo.generate import generate_demo_returns

    load = make_nightly_load("demo")
    summary = generate_demo_returns(load.raw, SEEDS, scale=DEMO_SCALE, feed=True)
    path, text = EDGE_CASES
    load.write(path, text)
    result = load.run()
    assert result.success, result.all_events
    return DemoLoad(load, summary, extra_files={path: text.count("\n") - 1})

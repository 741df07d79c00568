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
from harness import NightlyLoad

HARNESS_FIXTURES = {"nightly_load", "make_nightly_load"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HARNESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


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

    For loads a whole module reads (module-scoped fixtures); a test that changes a shared
    load's files works on `load.copy(tmp_path / ...)` or its own `nightly_load`.
    """

    def make(name: str = "nightly", **options) -> NightlyLoad:
        return NightlyLoad(tmp_path_factory.mktemp(name), **options)

    return make


@pytest.fixture
def nightly_load(make_nightly_load: Callable[..., NightlyLoad]) -> NightlyLoad:
    """A deployment of this test's own, with nothing loaded yet."""
    return make_nightly_load("load")

"""Shared test set-up: the dbt manifest is prepared once, before any test builds Definitions."""

from __future__ import annotations

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    from pipelines.warehouse.dbt import prepare_dbt_manifest

    prepare_dbt_manifest()

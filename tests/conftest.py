"""Shared fixtures of the core tests: the default engine, a small staff, fixed times."""

from __future__ import annotations

import pytest

from agency_core import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine()

"""Shared fixtures of the core tests: the default engine, a small staff, fixed times."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from agency_core import Engine

settings.register_profile(  # derandomized: a CI verdict is repeatable from the commit alone
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine()


# The core's tests decide with the bundled plugins only: department plugins installed in the same
# environment are tested in their own distributions (tests that want them ask by name).
os.environ.setdefault("AGENCY_CORE_LOAD_PLUGINS", "")

"""Settings for the testing-kit tests.

Conformance checks of the bundled plugins follow the active Hypothesis profile (``tests/conftest.py``:
``dev`` locally, ``ci`` under CI). Checks of the deliberately broken plugins are derandomized and
skip shrinking, so they are fast and give the same verdict on every run.
"""

from __future__ import annotations

import pytest
from hypothesis import Phase, settings

from agency_core.testing.conformance import Subject


@pytest.fixture(scope="session")
def bundled() -> Subject:
    """The bundled plugins under the default policy."""
    return Subject()


@pytest.fixture(scope="session")
def quick() -> settings:
    """Derandomized, no shrinking: for checks that only need a verdict."""
    return settings(
        max_examples=60,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )

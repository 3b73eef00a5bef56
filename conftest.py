"""Session-wide test settings, for the core's tests and every plugin's."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(  # derandomized: a CI verdict is repeatable from the commit alone
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Tests decide with the plugins they name: the bundled ones, plus those a test registers
# (Engine(plugins=[...]) or Engine(entry_points=["finance"])), never whatever else is installed.
os.environ.setdefault("AGENCY_CORE_LOAD_PLUGINS", "")

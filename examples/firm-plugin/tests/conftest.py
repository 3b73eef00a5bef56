"""The firm's test settings: a derandomized Hypothesis profile for CI, pytester for the kit runs."""

from __future__ import annotations

from hypothesis import settings

pytest_plugins = ["pytester"]

settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.load_profile("ci")

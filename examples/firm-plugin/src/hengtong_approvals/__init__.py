"""Hengtong Agency's own approvals plugin for agency-core, and the firm's policy file.

The plugin replaces the bundled ``agency_core.builtin.approvals``: load it with
``Engine(entry_points=["hengtong_approvals"], block=["agency_core.builtin.approvals"])`` (or
``agency --block agency_core.builtin.approvals``) and the firm's :data:`POLICY`.
"""

from importlib.resources import files
from pathlib import Path
from typing import Final

__all__ = ["POLICY"]

POLICY: Final = Path(str(files(__name__) / "policy.toml"))
"""The firm's policy file: the default policy with its own expense tiers."""

"""The reporting tree (head office > branch office > department) that routes follow."""

from __future__ import annotations

from agency_branch_office.policy import BranchOfficePolicy, Unit
from agency_core.errors import InvalidInput
from agency_core.policy import Policy

__all__ = ["SECTION", "admin_department", "branch_of", "reporting_line", "section"]

SECTION = "branch_office"


def section(policy: Policy) -> BranchOfficePolicy:
    """The plugin's section of ``policy``."""
    return policy.section(SECTION, BranchOfficePolicy)


def _units(policy: Policy) -> dict[str, Unit]:
    return {unit.id: unit for unit in section(policy).units}


def reporting_line(policy: Policy, unit: str) -> tuple[str, ...]:
    """``unit`` and every unit above it, up to the head office."""
    units = _units(policy)
    if unit not in units:
        raise InvalidInput(f"{unit!r} is not a unit of the reporting tree", path="$.department")
    line = [unit]
    while units[line[-1]].parent:
        line.append(units[line[-1]].parent)
    return tuple(line)


def branch_of(policy: Policy, department: str) -> str | None:
    """The branch office ``department`` belongs to (itself if a branch); None at head office or
    for a department the tree does not list."""
    units = _units(policy)
    if department not in units:
        return None
    return next((u for u in reporting_line(policy, department) if units[u].level == "branch"), None)


def admin_department(policy: Policy, branch: str) -> str | None:
    """The admin department of ``branch``, if the tree names one."""
    return next((u.id for u in section(policy).units if u.admin and u.parent == branch), None)

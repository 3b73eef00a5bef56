"""The ``[plugins.branch_office]`` policy section: the reporting tree and the swapped review."""

from __future__ import annotations

from typing import Any, Final

import attrs

from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = ["LEVELS", "BranchOfficePolicy", "Unit"]

LEVELS: Final = ("head_office", "branch", "department")
"""Head office > branch office > department: a unit's parent is of an earlier level."""


def _level(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in LEVELS:
        raise InvalidInput(f"{attribute.name} must be one of {', '.join(LEVELS)}, not {value!r}")


def _days(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number of days >= 0, not {value!r}")


def _at_least_one(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 1:
        raise InvalidInput(f"{attribute.name} must be at least 1 day, not {value!r}")


@attrs.frozen
class Unit:
    """A unit of the firm: the head office, a branch office (办事处) or a department.

    ``parent`` is the unit it reports to ("" for the head office, the root); ``admin`` marks a
    branch's administration department (行政部), which reviews the branch's expense claims.
    """

    id: str = attrs.field(validator=_f.code)
    level: str = attrs.field(validator=_level)
    parent: str = attrs.field(default="", validator=_f.of(str))
    admin: bool = attrs.field(default=False, validator=_f.of(bool))


def _tree(_inst: object, attribute: attrs.Attribute[Any], units: tuple[Unit, ...]) -> None:
    """One root (the head office), known parents of an earlier level, no cycles."""
    _f.each(Unit, required=True)(_inst, attribute, units)
    by_id: dict[str, Unit] = {}
    for index, unit in enumerate(units):
        if unit.id in by_id:
            raise InvalidInput(f"unit {unit.id} is listed twice", path=f"$.units[{index}].id")
        by_id[unit.id] = unit
    roots = [unit.id for unit in units if not unit.parent]
    if len(roots) != 1:
        raise InvalidInput(f"the tree needs exactly one root, not {roots}", path="$.units")
    for index, unit in enumerate(units):
        where = f"$.units[{index}]"
        if not unit.parent:
            if unit.level != "head_office":
                raise InvalidInput(f"the root {unit.id} must be the head_office", path=where)
            continue
        parent = by_id.get(unit.parent)
        if parent is None:
            raise InvalidInput(
                f"{unit.id} reports to unknown {unit.parent}", path=f"{where}.parent"
            )
        if LEVELS.index(parent.level) >= LEVELS.index(unit.level):
            raise InvalidInput(
                f"{unit.id} ({unit.level}) cannot report to {parent.id} ({parent.level})",
                path=f"{where}.parent",
            )
        if unit.admin and (unit.level != "department" or parent.level != "branch"):
            raise InvalidInput(
                f"{unit.id}: only a department of a branch is a branch admin department",
                path=f"{where}.admin",
            )
    # levels strictly rise towards the root, so no cycle is possible; check anyway (one place)
    for unit in units:
        seen = {unit.id}
        up = unit.parent
        while up:
            if up in seen:
                raise InvalidInput(f"{unit.id} reports to itself through {up}", path="$.units")
            seen.add(up)
            up = by_id[up].parent
    admins: dict[str, str] = {}
    for unit in units:
        if unit.admin:
            if unit.parent in admins:
                raise InvalidInput(
                    f"branch {unit.parent} has two admin departments: "
                    f"{admins[unit.parent]} and {unit.id}",
                    path="$.units",
                )
            admins[unit.parent] = unit.id


@attrs.frozen
class BranchOfficePolicy:
    """Branch office policy (BR-01..BR-03).

    The default tree is the head office alone: a firm lists its branches and their departments.
    ``change_notice_days`` and ``registration_days`` are the firm's choice (the source asks for a
    change's reason in advance, and registration after approval, without a number).
    """

    units: tuple[Unit, ...] = attrs.field(
        default=(Unit("head_office", "head_office"),), validator=_tree
    )
    """The reporting tree: head office > branch office > department."""
    expense_action: str = attrs.field(default="expense_reimbursement", validator=_f.code)
    """BR-01: the action whose route is swapped at a branch."""
    replaces: str = attrs.field(default="finance_reviewer", validator=_f.code)
    """BR-01: the firm-wide route's finance review role, replaced at a branch."""
    reviewer_role: str = attrs.field(default="branch_admin_reviewer", validator=_f.code)
    """BR-01: the role of the branch admin department's reviewer who takes its place."""
    approver_roles: tuple[str, ...] = attrs.field(
        default=("general_manager", "management_committee"),
        converter=_f.to_tuple,
        validator=_f.each(str, required=True),
    )
    """BR-03: management roles that approve establishing or changing a service unit."""
    change_notice_days: int = attrs.field(default=1, validator=_days)
    """BR-03: a change is applied for at least this many days before it takes effect."""
    registration_days: int = attrs.field(default=30, validator=[_days, _at_least_one])
    """BR-03: calendar days from application to registration (备案)."""

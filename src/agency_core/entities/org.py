"""The firm: departments, roles, employees and clients."""

from __future__ import annotations

import enum

import attrs

from agency_core.entities import _fields as _f
from agency_core.entities.money import Money

__all__ = ["Client", "Department", "Employee", "Role", "Scope"]


class Scope(enum.StrEnum):
    """Where a role's authority reaches (APR-04)."""

    COMPANY = "company"
    """Acts for every department (finance manager, general manager)."""
    DEPARTMENT = "department"
    """Acts only for the holder's own department (department head)."""


def scope_of(value: str) -> Scope:
    """``value`` as a :class:`Scope` (a member is kept as it is): a converter."""
    return value if isinstance(value, Scope) else Scope(value)


@attrs.frozen
class Role:
    """A role employees hold; ``inherits`` names roles it includes (counted by SOD-02)."""

    code: str = attrs.field(validator=_f.code)
    name_en: str = ""
    name_zh: str = ""
    scope: Scope = attrs.field(default=Scope.COMPANY, converter=scope_of)
    inherits: frozenset[str] = attrs.field(
        factory=frozenset, converter=_f.to_codes, validator=_f.codes
    )
    rank: int | None = attrs.field(default=None, validator=_f.of(int, optional=True))
    """How senior an approval by this role is (APR-03): higher approves more; None off routes."""


@attrs.frozen
class Department:
    """A department or a branch office (办事处)."""

    code: str = attrs.field(validator=_f.code)
    name_en: str = ""
    name_zh: str = ""
    parent: str | None = attrs.field(default=None, validator=_f.optional_code)


@attrs.frozen
class Employee:
    """A person who acts: holds roles, belongs to one department."""

    id: str = attrs.field(validator=_f.code)
    department: str = attrs.field(validator=_f.code)
    roles: frozenset[str] = attrs.field(
        factory=frozenset, converter=_f.to_codes, validator=_f.codes
    )
    name: str = ""


@attrs.frozen
class Client:
    """A client of the firm; ``credit_limit`` bounds unpaid charges (FIN-03)."""

    id: str = attrs.field(validator=_f.code)
    name: str = ""
    credit_limit: Money | None = attrs.field(default=None, validator=_f.of(Money, optional=True))

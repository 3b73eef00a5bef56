"""The shape of a policy file, as cattrs structures it from TOML; compiled by :mod:`.compiled`.

Each class is one table of the file; ``docs/policy.md`` describes every key."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import attrs

from agency_core.calendar import YearSchedule
from agency_core.entities.org import Scope

__all__ = [
    "ActionSpec",
    "ApprovalSpec",
    "Basis",
    "CalendarSpec",
    "DestructionSpec",
    "DutyConflictSpec",
    "PolicyFile",
    "PolicyMeta",
    "RetentionClassSpec",
    "RetentionSpec",
    "RoleSpec",
    "SegregationSpec",
    "StaticConflictSpec",
    "TierSpec",
]


class Basis(enum.StrEnum):
    """From when a retention period counts (RET-02)."""

    FISCAL_YEAR = "fiscal_year"
    """From the first day after the fiscal year in which the record was closed ends."""
    EVENT = "event"
    """From the day after the record's event (an asset disposed of, a case closed)."""


@attrs.frozen
class PolicyMeta:
    """[policy]: name, version, effective dates, currency, fiscal year, time zone."""

    name: str
    version: str
    effective_from: date
    effective_to: date | None = None
    currency: str = "CNY"
    fiscal_year_start_month: int = 1
    timezone: str = "Asia/Shanghai"
    """The IANA time zone in which dates that decide a rule are taken."""


@attrs.frozen
class RoleSpec:
    """[roles.NAME]: a role, how far its authority reaches, the roles it includes, its rank."""

    name_en: str = ""
    name_zh: str = ""
    scope: Scope = Scope.COMPANY
    inherits: list[str] = attrs.Factory(list)
    rank: int | None = None
    """Seniority of an approval by this role (APR-03); required for a role on a route."""


@attrs.frozen
class TierSpec:
    """One tier of an action: its upper bound (none for the last) and its route."""

    route: list[str]
    max_amount: Decimal | None = None


@attrs.frozen
class ActionSpec:
    """[approval.actions.NAME]: the tiers of one approvable action."""

    tiers: list[TierSpec]
    name_en: str = ""
    name_zh: str = ""
    control: str = "APR-01"
    bound: Literal["inclusive", "exclusive"] = "inclusive"
    """``inclusive``: an amount equal to ``max_amount`` belongs to that tier (APR-01);
    ``exclusive``: it belongs to the next one ("at or above", APR-02)."""
    departments: dict[str, list[TierSpec]] = attrs.Factory(dict)
    """Tiers that replace ``tiers`` for the named departments (a branch office, BR-01)."""
    starts_with: list[str] = attrs.Factory(list)
    """The roles every route of the action begins with, in order, in every tier and department
    (APR-01: every expense claim is first reviewed by the department head, then by finance)."""


@attrs.frozen
class ApprovalSpec:
    """[approval]: the matrix, the action that routes budget overruns (APR-08) and the action
    whose approved requests lend archived records (RET-06)."""

    actions: dict[str, ActionSpec]
    budget_action: str = "budget_adjustment"
    borrowing_action: str | None = None


@attrs.frozen
class StaticConflictSpec:
    """[[segregation.static]]: a set of roles nobody holds ``cardinality`` of."""

    name: str
    roles: list[str]
    cardinality: int = 2
    name_zh: str = ""


@attrs.frozen
class DutyConflictSpec:
    """[[segregation.dynamic]]: duties one person may not all do on one subject."""

    name: str
    duties: list[str]
    name_zh: str = ""


@attrs.frozen
class SegregationSpec:
    """[segregation]: the static and dynamic conflicts."""

    static: list[StaticConflictSpec] = attrs.Factory(list)
    dynamic: list[DutyConflictSpec] = attrs.Factory(list)


@attrs.frozen
class RetentionClassSpec:
    """[retention.classes.NAME]: a record class, its prefix and its period."""

    prefix: str
    basis: Basis = Basis.FISCAL_YEAR
    years: int | None = None
    permanent: bool = False
    name_en: str = ""
    name_zh: str = ""


@attrs.frozen
class DestructionSpec:
    """[retention.destruction]: who approves and supervises destruction (RET-04)."""

    approver_roles: list[str]
    supervisor_departments: list[str]
    min_supervisors: int = 2


@attrs.frozen
class RetentionSpec:
    """[retention]: the record classes, destruction, backups (RET-07)."""

    classes: dict[str, RetentionClassSpec]
    destruction: DestructionSpec
    min_backups: int = 1


@attrs.frozen
class CalendarSpec:
    """[calendar]: years of the working calendar added to, or replacing, the bundled schedule."""

    file: str | None = None
    """A calendar file (``[years.<year>]`` tables), relative to the policy file."""
    years: dict[str, YearSchedule] = attrs.Factory(dict)
    """[calendar.years.<year>]: a year's schedule; it wins over the file and the bundled one."""


@attrs.frozen
class PolicyFile:
    """A whole policy file."""

    policy: PolicyMeta
    roles: dict[str, RoleSpec]
    approval: ApprovalSpec
    retention: RetentionSpec
    segregation: SegregationSpec = attrs.Factory(SegregationSpec)
    delegation: dict[str, list[str]] = attrs.Factory(dict)
    """Which roles may deputise for which (APR-06): principal role -> delegate roles."""
    plugins: dict[str, dict[str, Any]] = attrs.Factory(dict)
    """[plugins.NAME]: the sections plugins declare, structured when the engine composes them."""
    calendar: CalendarSpec = attrs.Factory(CalendarSpec)

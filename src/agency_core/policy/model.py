"""The shape of a policy file, as cattrs structures it from TOML. Compiled by :mod:`.compile`."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Literal

import attrs

from agency_core.entities.org import Scope

__all__ = [
    "ActionSpec",
    "ApprovalSpec",
    "Basis",
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
    name: str
    version: str
    effective_from: date
    effective_to: date | None = None
    currency: str = "CNY"
    fiscal_year_start_month: int = 1


@attrs.frozen
class RoleSpec:
    name_en: str = ""
    name_zh: str = ""
    scope: Scope = Scope.COMPANY
    inherits: list[str] = attrs.Factory(list)


@attrs.frozen
class TierSpec:
    route: list[str]
    max_amount: Decimal | None = None


@attrs.frozen
class ActionSpec:
    tiers: list[TierSpec]
    name_en: str = ""
    name_zh: str = ""
    control: str = "APR-01"
    bound: Literal["inclusive", "exclusive"] = "inclusive"
    """``inclusive``: an amount equal to ``max_amount`` belongs to that tier (APR-01);
    ``exclusive``: it belongs to the next one ("at or above", APR-02)."""
    departments: dict[str, list[TierSpec]] = attrs.Factory(dict)
    """Tiers that replace ``tiers`` for the named departments (a branch office, BR-01)."""


@attrs.frozen
class ApprovalSpec:
    actions: dict[str, ActionSpec]
    budget_action: str = "budget_adjustment"


@attrs.frozen
class StaticConflictSpec:
    name: str
    roles: list[str]
    cardinality: int = 2
    name_zh: str = ""


@attrs.frozen
class DutyConflictSpec:
    name: str
    duties: list[str]
    name_zh: str = ""


@attrs.frozen
class SegregationSpec:
    static: list[StaticConflictSpec] = attrs.Factory(list)
    dynamic: list[DutyConflictSpec] = attrs.Factory(list)


@attrs.frozen
class RetentionClassSpec:
    prefix: str
    basis: Basis = Basis.FISCAL_YEAR
    years: int | None = None
    permanent: bool = False
    name_en: str = ""
    name_zh: str = ""


@attrs.frozen
class DestructionSpec:
    approver_roles: list[str]
    supervisor_departments: list[str]
    min_supervisors: int = 2


@attrs.frozen
class RetentionSpec:
    classes: dict[str, RetentionClassSpec]
    destruction: DestructionSpec
    min_backups: int = 1


@attrs.frozen
class PolicyFile:
    policy: PolicyMeta
    roles: dict[str, RoleSpec]
    approval: ApprovalSpec
    retention: RetentionSpec
    segregation: SegregationSpec = attrs.Factory(SegregationSpec)
    delegation: dict[str, list[str]] = attrs.Factory(dict)
    """Which roles may deputise for which (APR-06): principal role -> delegate roles."""

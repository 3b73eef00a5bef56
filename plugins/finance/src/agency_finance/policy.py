"""The finance policy section, ``[plugins.finance]``: every number is data with a shipped default.

The sources name reimbursement categories and standards (报销范围、报销标准) without figures;
the category limits below are this plugin's defaults, meant to be set by each firm.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from agency_core.policy import Policy

__all__ = ["SECTION", "Category", "FinancePolicy"]

SECTION = "finance"


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number >= 1, not {value!r}")


def _days(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number >= 0, not {value!r}")


def _roles(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, tuple)
        or not value
        or not all(isinstance(r, str) and r for r in value)
    ):
        raise ValueError(f"{attribute.name} must be a non-empty list of role names, not {value!r}")


def _name(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty name, not {value!r}")


@attrs.frozen
class Category:
    """A reimbursement category (报销范围) and its standard (报销标准): the most one claim may be.

    ``limit`` is in the policy's currency; None means the category has no per-claim limit.
    """

    name_zh: str = ""
    name_en: str = ""
    limit: Decimal | None = None

    def __attrs_post_init__(self) -> None:
        if self.limit is not None and (not self.limit.is_finite() or self.limit < 0):
            raise ValueError(f"limit must be an amount >= 0, not {self.limit}")


def _categories() -> Mapping[str, Category]:
    return MappingProxyType(
        {
            "travel": Category("差旅费", "travel", Decimal(10000)),
            "transport": Category("交通费", "local transport", Decimal(1000)),
            "meals": Category("业务招待费", "business meals", Decimal(3000)),
            "office": Category("办公费", "office supplies", Decimal(2000)),
            "communication": Category("通讯费", "communication", Decimal(500)),
            "training": Category("培训费", "training", Decimal(5000)),
        }
    )


def _freeze(value: Mapping[str, Category]) -> Mapping[str, Category]:
    return MappingProxyType(dict(value))


@attrs.frozen
class FinancePolicy:
    """What a firm sets for its finance department; every key is optional in the policy file."""

    categories: Mapping[str, Category] = attrs.field(factory=_categories, converter=_freeze)
    """FIN-07: the listed categories; a claim in any other is denied."""
    budget_approver_roles: tuple[str, ...] = attrs.field(
        default=("general_manager",), validator=_roles
    )
    """FIN-09: who approves an annual budget (management, 公司管理层)."""
    credit_action: str = attrs.field(default="credit_extension", validator=_name)
    """FIN-03: the approval-matrix action of a charge over a client's limit or while overdue."""
    no_limit_needs_approval: bool = True
    """FIN-03: a client without a recorded credit limit is charged on credit only with approval."""
    payment_terms_days: int = attrs.field(default=30, validator=_positive)
    """FIN-03: the payment term (账期) in calendar days when a client has none of its own."""
    stocktake_action: str = attrs.field(default="stocktake_difference", validator=_name)
    """FIN-05: the approval-matrix action that approves a stocktake difference."""
    cash_bank_period_months: int = attrs.field(default=1, validator=_positive)
    """FIN-08: cash and every bank account are reconciled at the end of every such period."""
    client_period_months: int = attrs.field(default=3, validator=_positive)
    """FIN-04: receivables are reconciled with each client at the end of every such period."""
    reconcile_within_days: int = attrs.field(default=10, validator=_days)
    """FIN-04, FIN-08: days after a period ends by which its reconciliation must be on record."""

    def __attrs_post_init__(self) -> None:
        for name, category in self.categories.items():
            if not isinstance(category, Category):
                raise ValueError(f"categories.{name} must be a category table")
        if 12 % self.cash_bank_period_months or 12 % self.client_period_months:
            raise ValueError("reconciliation periods must divide the year (1, 2, 3, 4, 6 or 12)")


def fiscal_year(policy: Policy, at: datetime) -> int:
    """The fiscal year ``at`` falls in, on the firm's clock: year Y starts on the first day of
    the policy's ``fiscal_year_start_month`` in Y."""
    day = policy.local_date(at)
    return day.year if day.month >= policy.fiscal_year_start_month else day.year - 1

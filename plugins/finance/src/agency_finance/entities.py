"""The requests the finance plugin decides: frozen attrs classes whose errors name the field.

A request that needs stored state (a budget's position, a client's receivables, an approval's
route and steps) carries it as a snapshot; :mod:`agency_finance.store` builds those snapshots
from the database, so a stored workflow never decides on a caller's say-so.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from agency_core.entities import ApprovalRequest, Money, StepAction
from agency_core.entities import _fields as _f
from agency_core.entities.approvals import APPROVAL_STATUSES
from agency_core.errors import InvalidInput

__all__ = [
    "AccountKind",
    "ApprovalState",
    "Attachment",
    "AttachmentKind",
    "BudgetFacts",
    "BudgetPosition",
    "BudgetSpend",
    "CreditCharge",
    "CreditPosition",
    "DifferenceKind",
    "ExpenseClaim",
    "Payment",
    "Reconciliation",
    "StocktakeDifference",
]

E = TypeVar("E", bound=enum.Enum)


class AttachmentKind(enum.StrEnum):
    """What backs a claim: an invoice (发票) or another voucher (凭证, e.g. a receipt)."""

    INVOICE = "invoice"
    VOUCHER = "voucher"


class AccountKind(enum.StrEnum):
    """The kind of account reconciled: a client's receivables (FIN-04), cash or a bank (FIN-08)."""

    CLIENT = "client"
    CASH = "cash"
    BANK = "bank"


class DifferenceKind(enum.StrEnum):
    """A stocktake difference: surplus (盘盈), shortage (盘亏) or damage (毁损)."""

    SURPLUS = "surplus"
    SHORTAGE = "shortage"
    DAMAGE = "damage"


def _convert(kind: type[E], value: object) -> object:
    """A member of ``kind`` for a member or its value; anything else is for :func:`_member`."""
    try:
        return kind(value)
    except ValueError:
        return value


def _attachment_kind(value: object) -> object:
    return _convert(AttachmentKind, value)


def _account_kind(value: object) -> object:
    return _convert(AccountKind, value)


def _difference_kind(value: object) -> object:
    return _convert(DifferenceKind, value)


def _member(kind: type[enum.Enum]) -> _f.Validator:
    def validate(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            allowed = ", ".join(str(m.value) for m in kind)
            raise InvalidInput(f"{attribute.name} must be one of {allowed}, not {value!r}")

    return validate


def _money(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _f.of(Money)(inst, attribute, value)


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: Money) -> None:
    if value.amount <= 0:
        raise InvalidInput(f"{attribute.name} must be more than zero, not {value}")


def _count(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number >= 0, not {value!r}")


def _year(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 9999:
        raise InvalidInput(f"{attribute.name} must be a year such as 2026, not {value!r}")


# -- FIN-01, FIN-07: expense claims ---------------------------------------------------------------


@attrs.frozen
class Attachment:
    """An invoice or voucher attached to a claim, with its number and amount."""

    kind: AttachmentKind = attrs.field(
        converter=_attachment_kind, validator=_member(AttachmentKind)
    )
    number: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=_money)


@attrs.frozen
class ExpenseClaim:
    """An expense claim (费用报销单): what ``claimant`` spent, in which category, and its proof."""

    id: str = attrs.field(validator=_f.code)
    claimant: str = attrs.field(validator=_f.code)
    department: str = attrs.field(validator=_f.code)
    category: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=[_money, _positive])
    incurred_on: date = attrs.field(validator=_f.day)
    attachments: tuple[Attachment, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Attachment)
    )
    claimed_before: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(str)
    )
    """Attachments (``kind:number``) another claim already used, as the store knows them."""


# -- FIN-02, FIN-09: budgets ----------------------------------------------------------------------


@attrs.frozen
class BudgetFacts:
    """What a budget's transitions are checked on (its department, year and amount)."""

    department: str = attrs.field(validator=_f.code)
    fiscal_year: int = attrs.field(validator=_year)
    amount: Money = attrs.field(validator=_money)


@attrs.frozen
class BudgetPosition:
    """A budget as the store keeps it: approved amount, approved adjustments, spent so far.

    ``state`` is the budget's state (draft, filed, approved); ``approved_at`` when management
    approved it (None before).
    """

    budget: str = attrs.field(validator=_f.code)
    department: str = attrs.field(validator=_f.code)
    fiscal_year: int = attrs.field(validator=_year)
    state: str = attrs.field(validator=_f.code)
    approved_at: datetime | None = attrs.field(validator=_f.optional_aware)
    amount: Money = attrs.field(validator=_money)
    adjustments: Money = attrs.field(validator=_money)
    spent: Money = attrs.field(validator=_money)

    @property
    def ceiling(self) -> Decimal:
        """The approved budget with its approved adjustments."""
        return self.amount.amount + self.adjustments.amount

    @property
    def remaining(self) -> Decimal:
        """What is left to spend (negative when the ledger is already over)."""
        return self.ceiling - self.spent.amount


@attrs.frozen
class BudgetSpend:
    """May ``spender`` book ``amount`` against the budget at ``at``? (FIN-02, FIN-09, APR-08)."""

    id: str = attrs.field(validator=_f.code)
    budget: BudgetPosition = attrs.field(validator=_f.of(BudgetPosition))
    amount: Money = attrs.field(validator=[_money, _positive])
    spender: str = attrs.field(validator=_f.code)
    at: datetime = attrs.field(validator=_f.aware)


# -- FIN-03: credit limits and payment terms ------------------------------------------------------


@attrs.frozen
class CreditPosition:
    """A client's credit as stored: its limit (None: none recorded) and its open receivables."""

    client: str = attrs.field(validator=_f.code)
    limit: Money | None = attrs.field(validator=_f.of(Money, optional=True))
    outstanding: Money = attrs.field(validator=_money)
    overdue: Money = attrs.field(validator=_money)
    overdue_count: int = attrs.field(validator=_count)


@attrs.frozen
class CreditCharge:
    """May a new charge of ``amount`` be put on ``client``'s account on ``on``? (FIN-03)."""

    id: str = attrs.field(validator=_f.code)
    client: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=[_money, _positive])
    on: date = attrs.field(validator=_f.day)
    position: CreditPosition = attrs.field(validator=_f.of(CreditPosition))

    def __attrs_post_init__(self) -> None:
        if self.position.client != self.client:
            raise InvalidInput(
                f"position is of client {self.position.client}, not {self.client}",
                path="$.position.client",
            )


# -- FIN-04, FIN-08: reconciliations --------------------------------------------------------------


@attrs.frozen
class Reconciliation:
    """An account reconciled at ``period_end``: the book balance against the actual one.

    ``actual`` is the client's confirmed balance (FIN-04), the cash counted or the bank
    statement's balance (FIN-08); ``keeper`` is who keeps the account (the cashier), if known.
    """

    account: str = attrs.field(validator=_f.code)
    account_kind: AccountKind = attrs.field(converter=_account_kind, validator=_member(AccountKind))
    period_end: date = attrs.field(validator=_f.day)
    book: Money = attrs.field(validator=_money)
    actual: Money = attrs.field(validator=_money)
    reconciler: str = attrs.field(validator=_f.code)
    explanation: str = attrs.field(default="", validator=_f.of(str))
    keeper: str | None = attrs.field(default=None, validator=_f.optional_code)


# -- FIN-05: stocktake differences ----------------------------------------------------------------


@attrs.frozen
class StocktakeDifference:
    """A difference found at a stocktake (盘盈、盘亏、毁损): what, how much, and why."""

    id: str = attrs.field(validator=_f.code)
    asset: str = attrs.field(validator=_f.code)
    difference: DifferenceKind = attrs.field(
        converter=_difference_kind, validator=_member(DifferenceKind)
    )
    amount: Money = attrs.field(validator=[_money, _positive])
    counted_on: date = attrs.field(validator=_f.day)
    counted_by: str = attrs.field(validator=_f.code)
    explanation: str = attrs.field(default="", validator=_f.of(str))


# -- FIN-06: payments -----------------------------------------------------------------------------


def _status(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in APPROVAL_STATUSES:
        raise InvalidInput(
            f"{attribute.name} must be one of {', '.join(APPROVAL_STATUSES)}, not {value!r}"
        )


@attrs.frozen
class ApprovalState:
    """A submitted approval as the core's store keeps it: the request, its route's length, its
    status and every step taken (``tx.approvals.get(request_id)``)."""

    request: ApprovalRequest = attrs.field(validator=_f.of(ApprovalRequest))
    steps: int = attrs.field(validator=_count)
    status: str = attrs.field(validator=_status)
    submitted_at: datetime = attrs.field(validator=_f.aware)
    history: tuple[StepAction, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(StepAction)
    )


@attrs.frozen
class Payment:
    """May ``payer`` pay (or reimburse) ``amount`` on an approved request at ``at``? (FIN-06).

    ``paid`` lists the payments already made on the same request.
    """

    id: str = attrs.field(validator=_f.code)
    approval: ApprovalState = attrs.field(validator=_f.of(ApprovalState))
    payer: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=[_money, _positive])
    at: datetime = attrs.field(validator=_f.aware)
    paid: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(str)
    )

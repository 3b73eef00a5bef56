"""The finance plugin's tables, on a MetaData of their own (Alembic branch ``finance``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agency_core.store.models import NAMING, Code
from agency_core.store.types import Amount, UTCDateTime

__all__ = [
    "AccountRow",
    "AdjustmentRow",
    "BudgetRow",
    "ClaimAttachmentRow",
    "CreditRow",
    "FinanceBase",
    "PaymentRow",
    "ReceivableRow",
    "ReconciliationRow",
    "SpendRow",
    "StocktakeRow",
    "metadata",
]

Currency = String(3)


class FinanceBase(DeclarativeBase):
    """The plugin's declarative base: the core's naming convention, never the core's metadata."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: Amount(),
        str: Code,
    }


metadata = FinanceBase.metadata


class ClaimAttachmentRow(FinanceBase):
    """An invoice or voucher that backs a filed expense claim; it backs no other (FIN-01)."""

    __tablename__ = "finance_claim_attachments"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[str] = mapped_column(primary_key=True)
    claim_id: Mapped[str] = mapped_column(index=True)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(Currency)


class BudgetRow(FinanceBase):
    """A department's annual budget; its state lives in the core's tracked item of the same id."""

    __tablename__ = "finance_budgets"

    id: Mapped[str] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(Currency)


class AdjustmentRow(FinanceBase):
    """A budget adjustment: the core approval request (action budget_adjustment) that raises it."""

    __tablename__ = "finance_budget_adjustments"

    request_id: Mapped[str] = mapped_column(primary_key=True)
    budget_id: Mapped[str] = mapped_column(ForeignKey("finance_budgets.id"), index=True)


class SpendRow(FinanceBase):
    """Spending booked against a budget."""

    __tablename__ = "finance_spends"

    id: Mapped[str] = mapped_column(primary_key=True)
    budget_id: Mapped[str] = mapped_column(ForeignKey("finance_budgets.id"), index=True)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(Currency)
    spender: Mapped[str]
    at: Mapped[datetime]


class CreditRow(FinanceBase):
    """A client's credit limit (None: none granted) and its own payment term, if any."""

    __tablename__ = "finance_credit"

    client: Mapped[str] = mapped_column(primary_key=True)
    limit_amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(Currency)
    terms_days: Mapped[int | None] = mapped_column(Integer)


class ReceivableRow(FinanceBase):
    """What a client owes for one charge, due at the end of its payment term."""

    __tablename__ = "finance_receivables"

    id: Mapped[str] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(index=True)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(Currency)
    issued_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    settled_on: Mapped[date | None]
    approval_id: Mapped[str | None] = mapped_column(unique=True)
    """The approved request (FIN-03) that allowed a charge over the limit or while overdue."""


class AccountRow(FinanceBase):
    """An account that is reconciled: a client's, cash, or a bank account."""

    __tablename__ = "finance_accounts"

    id: Mapped[str] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(Currency)
    keeper: Mapped[str | None]


class ReconciliationRow(FinanceBase):
    """One account reconciled at the end of one period."""

    __tablename__ = "finance_reconciliations"
    __table_args__ = (
        UniqueConstraint("account_id", "period_end", name="uq_finance_reconciliations_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("finance_accounts.id"))
    period_end: Mapped[date]
    book: Mapped[Decimal]
    actual: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(Currency)
    explanation: Mapped[str] = mapped_column(Text)
    reconciler: Mapped[str]
    at: Mapped[datetime]


class StocktakeRow(FinanceBase):
    """A stocktake difference and, once approved, the approval that settles it."""

    __tablename__ = "finance_stocktake_differences"

    id: Mapped[str] = mapped_column(primary_key=True)
    asset: Mapped[str]
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(Currency)
    counted_on: Mapped[date]
    counted_by: Mapped[str]
    explanation: Mapped[str] = mapped_column(Text)
    approval_id: Mapped[str | None] = mapped_column(unique=True)
    resolved_at: Mapped[datetime | None]


class PaymentRow(FinanceBase):
    """A payment or reimbursement of an approved request; one per request (FIN-06)."""

    __tablename__ = "finance_payments"

    id: Mapped[str] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(unique=True)
    payer: Mapped[str]
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(Currency)
    paid_at: Mapped[datetime]

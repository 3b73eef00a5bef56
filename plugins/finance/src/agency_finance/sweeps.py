"""Set-based sweeps of the finance ledgers, run by ``agency audit`` with the core's.

Each selects the ids of offending rows in SQL. Amounts are summed as whole 1/10000 units
(:func:`_units`), so SQLite, which keeps amounts as decimal text, adds them exactly too.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Numeric,
    String,
    and_,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, Select

from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.models import ApprovalRequestRow, StepActionRow, TrackedMoveRow
from agency_core.store.tracked import overdue_sweep
from agency_finance.budgets import APPROVED
from agency_finance.policy import SECTION, FinancePolicy
from agency_finance.tables import (
    AccountRow,
    AdjustmentRow,
    BudgetRow,
    PaymentRow,
    ReceivableRow,
    ReconciliationRow,
    SpendRow,
    StocktakeRow,
)

__all__ = ["SWEEPS", "last_period_end"]


def _units(column: Any) -> Any:
    """An amount column as an exact integer of 1/10000 units (the stored scale)."""
    return cast(func.round(cast(column, Numeric(20, 4)) * literal_column("10000")), BigInteger)


def last_period_end(on: date, months: int) -> date:
    """The last day of the latest period of ``months`` months (periods aligned on January)
    that ended before ``on``."""
    index = on.year * 12 + on.month - 1  # the current month, counted from January of year 0
    year, month = divmod(index - index % months, 12)  # the first month of the current period
    return date(year, month + 1, 1) - timedelta(days=1)


def _due_period(opts: AuditOptions, months: str) -> date:
    """The period end every account must have been reconciled for by ``opts.on``."""
    section = opts.policy.section(SECTION, FinancePolicy)
    return last_period_end(
        opts.on - timedelta(days=section.reconcile_within_days), getattr(section, months)
    )


def _over_budget(opts: AuditOptions) -> Select[Any]:
    """FIN-02: budgets whose spending passes the budget and its approved adjustments.

    Spending and adjustments are summed per budget once (GROUP BY), not per budget in a
    correlated subquery: SQLite drove that one from every approved request, per budget.
    """
    r = ApprovalRequestRow
    spent = (
        select(SpendRow.budget_id.label("budget"), func.sum(_units(SpendRow.amount)).label("n"))
        .group_by(SpendRow.budget_id)
        .subquery("spent")
    )
    adjusted = (
        select(AdjustmentRow.budget_id.label("budget"), func.sum(_units(r.amount)).label("n"))
        .join(r, r.id == AdjustmentRow.request_id)
        .where(r.status == "approved", r.action == opts.policy.budget_action)
        .group_by(AdjustmentRow.budget_id)
        .subquery("adjusted")
    )
    return (
        select(BudgetRow.id.label("id"))
        .outerjoin(spent, spent.c.budget == BudgetRow.id)
        .outerjoin(adjusted, adjusted.c.budget == BudgetRow.id)
        .where(
            func.coalesce(spent.c.n, 0) > _units(BudgetRow.amount) + func.coalesce(adjusted.c.n, 0)
        )
    )


def _spent_before_approval(_opts: AuditOptions) -> Select[Any]:
    """FIN-09: spending booked on a budget before management approved it."""
    m = TrackedMoveRow
    approved_before = exists().where(
        m.item_id == SpendRow.budget_id, m.to_state == APPROVED, m.at <= SpendRow.at
    )
    return select(SpendRow.id.label("id")).where(~approved_before)


def _overdue_receivables(opts: AuditOptions) -> Select[Any]:
    """FIN-03: receivables past their payment term and not settled."""
    r = ReceivableRow
    return select(r.id.label("id")).where(r.settled_on.is_(None), r.due_on < opts.on)


def _unreconciled(kinds: tuple[str, ...], months: str) -> Any:
    def query(opts: AuditOptions) -> Select[Any]:
        """Accounts without a reconciliation for the last period that ended."""
        end = _due_period(opts, months)
        a, rec = AccountRow, ReconciliationRow
        done = exists().where(rec.account_id == a.id, rec.period_end >= end)
        wanted: ColumnElement[bool] = a.kind.in_(kinds)
        if "client" in kinds:  # a client's account matters while it owes something
            r = ReceivableRow
            owes = exists().where(
                r.client == a.id,
                r.issued_on <= end,
                or_(r.settled_on.is_(None), r.settled_on > end),
            )
            wanted = and_(wanted, owes)
        return select(a.id.label("id")).where(wanted, ~done)

    return query


def _differences(kinds: tuple[str, ...], months: str) -> Any:
    def query(opts: AuditOptions) -> Select[Any]:
        """Reconciliations of the last period whose book and actual balances differ."""
        end = _due_period(opts, months)
        a, rec = AccountRow, ReconciliationRow
        return (
            select((rec.account_id + ":" + cast(rec.period_end, String)).label("id"))
            .join(a, a.id == rec.account_id)
            .where(a.kind.in_(kinds), rec.period_end >= end, _units(rec.book) != _units(rec.actual))
        )

    return query


def _unapproved_stocktake(_opts: AuditOptions) -> Select[Any]:
    """FIN-05: stocktake differences not (yet) settled by an approved request."""
    s, r = StocktakeRow, ApprovalRequestRow
    approved = exists().where(r.id == s.approval_id, r.status == "approved")
    return select(s.id.label("id")).where(~approved)


def _bad_payments(_opts: AuditOptions) -> Select[Any]:
    """FIN-06: payments of a request not approved (or of another amount), made before its last
    step, or by an approver."""
    p, r, s = PaymentRow, ApprovalRequestRow, StepActionRow
    approved = exists().where(
        r.id == p.request_id,
        r.status == "approved",
        r.currency == p.currency,
        _units(r.amount) == _units(p.amount),
    )
    later_step = exists().where(s.request_id == p.request_id, s.at > p.paid_at)
    by_approver = exists().where(
        s.request_id == p.request_id, or_(s.actor == p.payer, s.on_behalf_of == p.payer)
    )
    return select(p.id.label("id")).where(or_(~approved, later_step, by_approver))


SWEEPS: Final[tuple[Sweep, ...]] = (
    Sweep("FIN-02", "budgets spent beyond their approved amount and adjustments", _over_budget),
    Sweep("FIN-03", "receivables past their payment term", _overdue_receivables),
    Sweep(
        "FIN-04",
        "clients owing money whose receivables were not reconciled for the last period",
        _unreconciled(("client",), "client_period_months"),
    ),
    Sweep(
        "FIN-04",
        "client reconciliations of the last period with a difference",
        _differences(("client",), "client_period_months"),
    ),
    Sweep("FIN-05", "stocktake differences not approved", _unapproved_stocktake),
    Sweep(
        "FIN-06",
        "payments unapproved, of another amount, before the last step, or by an approver",
        _bad_payments,
    ),
    Sweep(
        "FIN-08",
        "cash and bank accounts not reconciled for the last period",
        _unreconciled(("cash", "bank"), "cash_bank_period_months"),
    ),
    Sweep(
        "FIN-08",
        "cash and bank reconciliations of the last period with a difference",
        _differences(("cash", "bank"), "cash_bank_period_months"),
    ),
    overdue_sweep("FIN-09", "budgets not approved before their fiscal year starts"),
    Sweep("FIN-09", "spending booked before its budget was approved", _spent_before_approval),
)
"""Every finance sweep, in the order ``agency audit`` runs them."""

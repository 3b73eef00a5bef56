"""Repositories over a core :class:`~agency_core.store.Transaction`: they never commit.

Every write asks the engine with a snapshot built here from stored rows (a budget's position,
a client's receivables, the core's stored approval) and is refused with
:class:`~agency_core.store.Refused` unless the decision allows it. An approval that a write
relies on is read from the core's store (``tx.approvals.get``), never taken from the caller.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select

from agency_core.decision import Decision, Outcome
from agency_core.entities import ApprovalRequest, Money
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.errors import Refused
from agency_core.store.models import ApprovalRequestRow
from agency_core.store.ports import Status, Submission
from agency_core.store.session import translated
from agency_finance.budgets import APPROVED, BUDGET
from agency_finance.credit import due_on
from agency_finance.entities import (
    AccountKind,
    ApprovalState,
    BudgetFacts,
    BudgetPosition,
    BudgetSpend,
    CreditCharge,
    CreditPosition,
    ExpenseClaim,
    Payment,
    Reconciliation,
    StocktakeDifference,
)
from agency_finance.policy import SECTION, FinancePolicy
from agency_finance.tables import (
    AccountRow,
    AdjustmentRow,
    BudgetRow,
    ClaimAttachmentRow,
    CreditRow,
    FinanceBase,
    PaymentRow,
    ReceivableRow,
    ReconciliationRow,
    SpendRow,
    StocktakeRow,
)

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["Budgets", "Claims", "Credit", "Finance", "Payments", "Reconciliations", "Stocktakes"]


class _Repository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    @property
    def _policy(self) -> FinancePolicy:
        return self._tx.engine.policy.section(SECTION, FinancePolicy)

    def _decide(self, request: object, what: str, *, allow_approval: bool = False) -> Decision:
        decision = self._tx.engine.decide(request)
        if decision.outcome is Outcome.DENY or (
            decision.outcome is Outcome.NEEDS_APPROVAL and not allow_approval
        ):
            raise Refused(what, decision)
        return decision

    def _approved(self, request_id: str, action: str, amount: Money, what: str) -> Submission:
        """The stored approval ``request_id``: approved, of ``action``, for exactly ``amount``."""
        submission = self._tx.approvals.get(request_id)
        request = submission.request
        if submission.status is not Status.APPROVED:
            raise StateError(f"{what}: request {request_id} is {submission.status}, not approved")
        if request.action != action:
            raise StateError(f"{what}: request {request_id} is a {request.action}, not {action}")
        if request.amount != amount:
            raise StateError(
                f"{what}: request {request_id} approves {request.amount}, not {amount}"
            )
        return submission

    def _add(self, row: object) -> None:
        self._tx.session.add(row)
        with translated():
            self._tx.session.flush()

    def _fresh(self, table: type[FinanceBase], key: str, what: str) -> None:
        """Refuse (:class:`StateError`) a new ``what`` whose id is already stored."""
        if self._tx.session.get(table, key) is not None:
            raise StateError(f"{what} is already recorded")


# -- FIN-01, FIN-07 -------------------------------------------------------------------------------


class Claims(_Repository):
    """Expense claims filed with their invoices and vouchers; an attachment backs one claim."""

    def file(self, claim: ExpenseClaim) -> Decision:
        """File ``claim`` if FIN-01 and FIN-07 allow it (a claim above its standard needs the
        approval its route gives); its attachments then back no other claim."""
        row = ClaimAttachmentRow
        if self._tx.session.scalars(select(row.kind).where(row.claim_id == claim.id)).first():
            raise StateError(f"claim {claim.id} is already recorded")
        keys = {(a.kind.value, a.number) for a in claim.attachments}
        used = self._tx.session.execute(
            select(row.kind, row.number).where(row.number.in_({n for _k, n in keys}))
        ).all()
        before = tuple(sorted(f"{k}:{n}" for k, n in used if (k, n) in keys))
        check = attrs.evolve(claim, claimed_before=before)
        decision = self._decide(check, f"claim {claim.id}", allow_approval=True)
        for attachment in claim.attachments:
            self._tx.session.add(
                row(
                    kind=attachment.kind.value,
                    number=attachment.number,
                    claim_id=claim.id,
                    amount=attachment.amount.amount,
                    currency=attachment.amount.currency,
                )
            )
        with translated():
            self._tx.session.flush()
        return decision


# -- FIN-02, FIN-09, APR-08 -----------------------------------------------------------------------


class Budgets(_Repository):
    """Annual budgets: filed and approved as tracked items, spending booked within them."""

    def create(
        self, budget_id: str, department: str, fiscal_year: int, amount: Money, owner: str
    ) -> BudgetPosition:
        """A draft budget; it must be approved before its fiscal year starts (FIN-09)."""
        facts = BudgetFacts(department, fiscal_year, amount)
        policy = self._tx.engine.policy
        starts = date(fiscal_year, policy.fiscal_year_start_month, 1)
        self._fresh(BudgetRow, budget_id, f"budget {budget_id}")
        self._add(
            BudgetRow(
                id=budget_id,
                department=department,
                fiscal_year=fiscal_year,
                amount=facts.amount.amount,
                currency=facts.amount.currency,
            )
        )
        self._tx.tracked.open(
            budget_id,
            BUDGET,
            control="FIN-09",
            owner=owner,
            due_on=starts - timedelta(days=1),
            key=f"finance:budget:{budget_id}",
        )
        return self.position(budget_id)

    def move(self, budget_id: str, to_state: str, actor: str, *, key: str, note: str = "") -> None:
        """File (``filed``), approve (``approved``) or return (``draft``) a budget, if allowed."""
        row = self._row(budget_id)
        facts = BudgetFacts(row.department, row.fiscal_year, Money(row.amount, row.currency))
        self._tx.tracked.move(budget_id, to_state, actor, key=key, data=facts, note=note)

    def _row(self, budget_id: str, *, lock: bool = False) -> BudgetRow:
        query = select(BudgetRow).where(BudgetRow.id == budget_id)
        if lock:
            query = query.with_for_update()
        row = self._tx.session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"no budget {budget_id!r}")
        return row

    def position(self, budget_id: str) -> BudgetPosition:
        """The budget as stored: state, approval time, approved adjustments, spending so far."""
        row = self._row(budget_id)
        item = self._tx.tracked.get(budget_id)
        approved_at = next(
            (move.at for move in reversed(item.history) if move.to_state == APPROVED), None
        )
        session, r = self._tx.session, ApprovalRequestRow
        adjusted = session.scalars(
            select(r.amount)
            .join(AdjustmentRow, AdjustmentRow.request_id == r.id)
            .where(
                AdjustmentRow.budget_id == budget_id,
                r.status == Status.APPROVED.value,
                r.action == self._tx.engine.policy.budget_action,
            )
        ).all()
        spent = session.scalars(select(SpendRow.amount).where(SpendRow.budget_id == budget_id))
        return BudgetPosition(
            budget_id,
            row.department,
            row.fiscal_year,
            item.state,
            approved_at,
            Money(row.amount, row.currency),
            Money(sum(adjusted, Decimal(0)), row.currency),
            Money(sum(spent, Decimal(0)), row.currency),
        )

    def adjustment_request(
        self, budget_id: str, request_id: str, amount: Money, requester: str
    ) -> ApprovalRequest:
        """The approval request of an adjustment of ``amount``: routed by the core's matrix for
        the policy's budget action (APR-08), in the budget's department."""
        row = self._row(budget_id)
        action = self._tx.engine.policy.budget_action
        return ApprovalRequest(request_id, action, amount, row.department, requester)

    def adjust(self, budget_id: str, request_id: str) -> None:
        """Tie a submitted budget-adjustment request to the budget; it counts once approved."""
        row = self._row(budget_id)
        request = self._tx.approvals.get(request_id).request
        action = self._tx.engine.policy.budget_action
        if request.action != action or request.department != row.department:
            raise InvalidInput(
                f"request {request_id} is a {request.action} of {request.department}, not a "
                f"{action} of {row.department}",
                path="$.request_id",
            )
        if request.amount.currency != row.currency:
            raise InvalidInput(f"request {request_id} is not in {row.currency}", path="$.amount")
        self._fresh(AdjustmentRow, request_id, f"adjustment {request_id}")
        self._add(AdjustmentRow(request_id=request_id, budget_id=budget_id))

    def spend(
        self,
        spend_id: str,
        budget_id: str,
        amount: Money,
        spender: str,
        *,
        at: datetime | None = None,
    ) -> Decision:
        """Book spending against the budget if the engine allows it (FIN-02, FIN-09, APR-08).

        Over what is left it needs an approved adjustment first: the decision needs approval,
        and the spending is refused until :meth:`adjust` ties an approved one to the budget.
        """
        self._fresh(SpendRow, spend_id, f"spending {spend_id}")
        self._row(budget_id, lock=True)  # one spender at a time per budget
        check = BudgetSpend(
            spend_id, self.position(budget_id), amount, spender, at or self._tx.now()
        )
        decision = self._decide(check, f"spending {spend_id} on budget {budget_id}")
        self._add(
            SpendRow(
                id=spend_id,
                budget_id=budget_id,
                amount=amount.amount,
                currency=amount.currency,
                spender=spender,
                at=check.at,
            )
        )
        return decision


# -- FIN-03 ---------------------------------------------------------------------------------------


class Credit(_Repository):
    """Client credit limits, payment terms and receivables."""

    def set_limit(self, client: str, limit: Money | None, *, terms_days: int | None = None) -> None:
        """Grant (or, with None, withdraw) a client's credit limit; ``terms_days`` its own term."""
        if terms_days is not None and (isinstance(terms_days, bool) or terms_days < 1):
            raise InvalidInput(f"terms_days must be >= 1, not {terms_days!r}", path="$.terms_days")
        currency = limit.currency if limit is not None else self._tx.engine.policy.currency
        row = self._tx.session.get(CreditRow, client) or CreditRow(client=client)
        row.limit_amount = limit.amount if limit is not None else None
        row.currency = currency
        row.terms_days = terms_days
        self._add(row)

    def position(self, client: str, on: date) -> CreditPosition:
        """What ``client`` owes on ``on``, what of it is past its term, and its limit."""
        credit = self._tx.session.get(CreditRow, client)
        currency = credit.currency if credit else self._tx.engine.policy.currency
        r = ReceivableRow
        open_ = (r.client == client, r.settled_on.is_(None))
        outstanding = self._tx.session.scalars(select(r.amount).where(*open_)).all()
        overdue = self._tx.session.scalars(select(r.amount).where(*open_, r.due_on < on)).all()
        limit = credit.limit_amount if credit else None
        return CreditPosition(
            client,
            Money(limit, currency) if limit is not None else None,
            Money(sum(outstanding, Decimal(0)), currency),
            Money(sum(overdue, Decimal(0)), currency),
            len(overdue),
        )

    def charge(
        self,
        receivable_id: str,
        client: str,
        amount: Money,
        issued_on: date,
        *,
        approval: str | None = None,
    ) -> Decision:
        """Put a charge on the client's account, due after its payment term (FIN-03).

        When the decision needs approval, ``approval`` must name a stored, approved request of
        the policy's credit action for exactly this amount; otherwise the charge is refused.
        """
        self._fresh(ReceivableRow, receivable_id, f"receivable {receivable_id}")
        credit = self._tx.session.scalars(
            select(CreditRow).where(CreditRow.client == client).with_for_update()
        ).one_or_none()
        check = CreditCharge(
            receivable_id, client, amount, issued_on, self.position(client, issued_on)
        )
        what = f"charge {receivable_id} to {client}"
        decision = self._decide(check, what, allow_approval=True)
        if decision.outcome is Outcome.NEEDS_APPROVAL:
            if approval is None:
                raise Refused(what, decision)
            self._approved(approval, self._policy.credit_action, amount, what)
        elif approval is not None:
            raise InvalidInput(f"{what} needs no approval; none is recorded", path="$.approval")
        days = (
            credit.terms_days if credit and credit.terms_days else self._policy.payment_terms_days
        )
        self._add(
            ReceivableRow(
                id=receivable_id,
                client=client,
                amount=amount.amount,
                currency=amount.currency,
                issued_on=issued_on,
                due_on=due_on(self._tx.engine.policy, issued_on, days),
                settled_on=None,
                approval_id=approval,
            )
        )
        return decision

    def settle(self, receivable_id: str, on: date) -> None:
        """Record that the client paid the receivable on ``on``."""
        row = self._tx.session.get(ReceivableRow, receivable_id)
        if row is None:
            raise NotFound(f"no receivable {receivable_id!r}")
        if row.settled_on is not None:
            raise StateError(f"receivable {receivable_id} was settled on {row.settled_on}")
        row.settled_on = on
        self._add(row)


# -- FIN-04, FIN-08 -------------------------------------------------------------------------------


class Reconciliations(_Repository):
    """Accounts and their reconciliation at the end of each period."""

    def open_account(
        self, account_id: str, kind: AccountKind | str, currency: str, *, keeper: str | None = None
    ) -> None:
        """An account to reconcile; a client's account has the client's id."""
        try:
            kind = AccountKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in AccountKind)
            raise InvalidInput(
                f"kind must be one of {allowed}, not {kind!r}", path="$.kind"
            ) from None
        Money(0, currency)  # refuses an unknown currency (FEE-06)
        self._fresh(AccountRow, account_id, f"account {account_id}")
        self._add(AccountRow(id=account_id, kind=kind.value, currency=currency, keeper=keeper))

    def book_balance(self, client: str, period_end: date) -> Decimal:
        """A client's receivables outstanding at the end of ``period_end`` (the book side)."""
        r = ReceivableRow
        amounts = self._tx.session.scalars(
            select(r.amount).where(
                r.client == client,
                r.issued_on <= period_end,
                (r.settled_on.is_(None)) | (r.settled_on > period_end),
            )
        )
        return sum(amounts, Decimal(0))

    def reconcile(
        self,
        account_id: str,
        period_end: date,
        actual: Money,
        reconciler: str,
        *,
        book: Money | None = None,
        explanation: str = "",
    ) -> Decision:
        """Record the reconciliation of an account at ``period_end`` (FIN-04, FIN-08).

        A client's book balance is computed from its stored receivables (``book`` must be None);
        cash and bank accounts take the ledger's balance as ``book``.
        """
        account = self._tx.session.get(AccountRow, account_id)
        if account is None:
            raise NotFound(f"no account {account_id!r}")
        done = self._tx.session.scalars(
            select(ReconciliationRow.id).where(
                ReconciliationRow.account_id == account_id,
                ReconciliationRow.period_end == period_end,
            )
        ).first()
        if done is not None:
            raise StateError(
                f"the reconciliation of {account_id} at {period_end} is already recorded"
            )
        kind = AccountKind(account.kind)
        if kind is AccountKind.CLIENT:
            if book is not None:
                raise InvalidInput(
                    "a client's book balance comes from its receivables", path="$.book"
                )
            book = Money(self.book_balance(account_id, period_end), account.currency)
        elif book is None:
            raise InvalidInput(
                f"the {kind} account {account_id} needs its book balance", path="$.book"
            )
        check = Reconciliation(
            account_id, kind, period_end, book, actual, reconciler, explanation, account.keeper
        )
        decision = self._decide(check, f"reconciliation of {account_id} at {period_end}")
        self._add(
            ReconciliationRow(
                account_id=account_id,
                period_end=period_end,
                book=book.amount,
                actual=actual.amount,
                currency=actual.currency,
                explanation=explanation,
                reconciler=reconciler,
                at=self._tx.now(),
            )
        )
        return decision


# -- FIN-05 ---------------------------------------------------------------------------------------


class Stocktakes(_Repository):
    """Stocktake differences, explained when recorded, settled by an approved request."""

    def record(self, difference: StocktakeDifference) -> Decision:
        """Record a difference; refused without an explanation; it then awaits approval."""
        what = f"stocktake difference {difference.id}"
        self._fresh(StocktakeRow, difference.id, what)
        decision = self._decide(difference, what, allow_approval=True)
        d = difference
        self._add(
            StocktakeRow(
                id=d.id,
                asset=d.asset,
                kind=d.difference.value,
                amount=d.amount.amount,
                currency=d.amount.currency,
                counted_on=d.counted_on,
                counted_by=d.counted_by,
                explanation=d.explanation,
                approval_id=None,
                resolved_at=None,
            )
        )
        return decision

    def resolve(self, difference_id: str, request_id: str) -> None:
        """Settle a difference with its stored, approved request (the policy's stocktake action)."""
        row = self._tx.session.get(StocktakeRow, difference_id)
        if row is None:
            raise NotFound(f"no stocktake difference {difference_id!r}")
        if row.approval_id is not None:
            raise StateError(f"stocktake difference {difference_id} is already approved")
        what = f"stocktake difference {difference_id}"
        amount = Money(row.amount, row.currency)
        self._approved(request_id, self._policy.stocktake_action, amount, what)
        row.approval_id = request_id
        row.resolved_at = self._tx.now()
        self._add(row)


# -- FIN-06 ---------------------------------------------------------------------------------------


class Payments(_Repository):
    """Payments and reimbursements of approved requests."""

    def approval(self, request_id: str) -> ApprovalState:
        """The stored approval of ``request_id`` as the payment check sees it."""
        submission = self._tx.approvals.get(request_id)
        return ApprovalState(
            submission.request,
            len(submission.route.steps),
            submission.status.value,
            submission.submitted_at,
            submission.history,
        )

    def pay(
        self,
        payment_id: str,
        request_id: str,
        payer: str,
        *,
        amount: Money | None = None,
        at: datetime | None = None,
    ) -> Decision:
        """Pay ``request_id`` (its approved amount unless ``amount``), if FIN-06 allows it."""
        self._fresh(PaymentRow, payment_id, f"payment {payment_id}")
        state = self.approval(request_id)
        paid = self._tx.session.scalars(
            select(PaymentRow.id).where(PaymentRow.request_id == request_id)
        ).all()
        check = Payment(
            payment_id, state, payer, amount or state.request.amount, at or self._tx.now(), paid
        )
        decision = self._decide(check, f"payment {payment_id} of {request_id}")
        self._add(
            PaymentRow(
                id=payment_id,
                request_id=request_id,
                payer=payer,
                amount=check.amount.amount,
                currency=check.amount.currency,
                paid_at=check.at,
            )
        )
        return decision


class Finance:
    """Every finance repository over one transaction: ``Finance(tx).payments.pay(...)``."""

    def __init__(self, tx: Transaction) -> None:
        self.claims = Claims(tx)
        self.budgets = Budgets(tx)
        self.credit = Credit(tx)
        self.reconciliations = Reconciliations(tx)
        self.stocktakes = Stocktakes(tx)
        self.payments = Payments(tx)

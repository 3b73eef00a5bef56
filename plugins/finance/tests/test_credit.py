"""FIN-03: charges past a client's credit limit, or to a client with overdue receivables, need
an approved request; receivables fall due at the end of their payment term."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from agency_finance import CreditCharge, CreditPosition, Finance
from agency_finance.credit import due_on
from hypothesis import given
from hypothesis import strategies as st_

import agency_core.store as st
from agency_core import ApprovalRequest, Engine, Money
from agency_core.decision import Outcome
from agency_core.errors import InvalidInput, StateError
from agency_core.policy import default_policy
from agency_core.store import Refused, run_audit

DAY = date(2026, 3, 2)


def credit(limit: str | None = "10000", outstanding: str = "0", overdue: int = 0) -> CreditPosition:
    return CreditPosition(
        "ACME",
        Money(limit, "CNY") if limit is not None else None,
        Money(outstanding, "CNY"),
        Money(str(100 * overdue), "CNY"),
        overdue,
    )


def charge(position: CreditPosition, amount: str) -> CreditCharge:
    return CreditCharge("AR-1", "ACME", Money(amount, "CNY"), DAY, position)


def test_a_charge_within_the_limit_is_allowed(engine: Engine) -> None:
    assert engine.decide(charge(credit(outstanding="9000"), "1000")).outcome is Outcome.ALLOW


def test_a_charge_past_the_limit_needs_approval(engine: Engine) -> None:
    decision = engine.decide(charge(credit(outstanding="9000"), "1000.01"))
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    assert decision.controls == {"FIN-03"}
    assert decision.findings[0].facts["action"] == "credit_extension"


def test_overdue_receivables_need_approval_for_more_credit(engine: Engine) -> None:
    decision = engine.decide(charge(credit(overdue=1, outstanding="100"), "1"))
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    assert decision.findings[0].facts["count"] == 1


def test_a_client_without_a_limit_needs_approval_unless_the_policy_says(
    engine: Engine, make_policy: object
) -> None:
    import agency_finance.plugin

    assert engine.decide(charge(credit(None), "1")).outcome is Outcome.NEEDS_APPROVAL
    policy = make_policy("\n[plugins.finance]\nno_limit_needs_approval = false\n")  # type: ignore[operator]
    lenient = Engine(policy, plugins=[agency_finance.plugin])
    assert lenient.decide(charge(credit(None), "1")).outcome is Outcome.ALLOW


def test_a_charge_in_another_currency_is_denied(engine: Engine) -> None:
    usd = CreditCharge("AR-1", "ACME", Money("1", "USD"), DAY, credit())
    assert engine.decide(usd).controls == {"FEE-06"}


@given(
    limit=st_.integers(0, 10**7),
    outstanding=st_.integers(0, 10**7),
    amount=st_.integers(1, 10**7),
    overdue=st_.integers(0, 3),
)
def test_credit_needs_approval_exactly_past_the_limit_or_when_overdue(
    engine: Engine, limit: int, outstanding: int, amount: int, overdue: int
) -> None:
    cents = [str(Decimal(v).scaleb(-2)) for v in (limit, outstanding, amount)]
    decision = engine.decide(charge(credit(cents[0], cents[1], overdue), cents[2]))
    over = outstanding + amount > limit
    assert (decision.outcome is Outcome.NEEDS_APPROVAL) == (over or overdue > 0)
    assert decision.outcome is not Outcome.DENY


def test_a_position_of_another_client_is_refused() -> None:
    other = CreditPosition("OTHER", None, Money(0, "CNY"), Money(0, "CNY"), 0)
    with pytest.raises(InvalidInput, match="client"):
        charge(other, "1")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("client", ""),
        ("limit", "10000"),
        ("outstanding", None),
        ("overdue_count", -1),
        ("overdue_count", True),
    ],
)
def test_bad_positions_are_refused_naming_the_field(field: str, value: object) -> None:
    fields = {
        "client": "ACME",
        "limit": None,
        "outstanding": Money(0, "CNY"),
        "overdue": Money(0, "CNY"),
        "overdue_count": 0,
    }
    with pytest.raises(InvalidInput, match=field):
        CreditPosition(**{**fields, field: value})  # type: ignore[arg-type]


def test_a_term_counts_calendar_days_from_the_issue_day() -> None:
    assert due_on(default_policy(), date(2026, 3, 2), 30) == date(2026, 4, 1)


def test_a_term_ending_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 30 days from 2026-09-01 end on 2026-10-01, National Day (国庆节, 10-01..10-07 in 2026):
    # 民法典 §203 moves the last day to the first working day after the holiday, 2026-10-08.
    assert due_on(default_policy(), date(2026, 9, 1), 30) == date(2026, 10, 8)


# -- the stored ledger -----------------------------------------------------------------------------


def approve_credit(store: st.Store, request_id: str, amount: str) -> None:
    request = ApprovalRequest(request_id, "credit_extension", Money(amount, "CNY"), "sales", "E1")
    with store.transaction() as tx:
        route = tx.approvals.submit(request, key=request_id).route
        assert route.roles == ("finance_manager",)
        tx.approvals.approve(request_id, 0, "F1", key=f"{request_id}-0")


def test_the_store_charges_over_the_limit_only_with_an_approved_request(store: st.Store) -> None:
    with store.transaction() as tx:
        fin = Finance(tx)
        fin.credit.set_limit("ACME", Money("10000", "CNY"), terms_days=15)
        fin.credit.charge("AR-1", "ACME", Money("8000", "CNY"), DAY)
    with pytest.raises(Refused) as caught, store.transaction() as tx:
        Finance(tx).credit.charge("AR-2", "ACME", Money("2000.01", "CNY"), DAY)
    assert caught.value.controls == {"FIN-03"}
    with pytest.raises(InvalidInput), store.transaction() as tx:  # it must not carry one
        Finance(tx).credit.charge("AR-2", "ACME", Money("2000", "CNY"), DAY, approval="X")
    request = ApprovalRequest("CR-1", "credit_extension", Money("2000.01", "CNY"), "sales", "E1")
    with store.transaction() as tx:
        tx.approvals.submit(request, key="CR-1")
    with pytest.raises(StateError, match="pending"), store.transaction() as tx:
        Finance(tx).credit.charge("AR-2", "ACME", Money("2000.01", "CNY"), DAY, approval="CR-1")
    with store.transaction() as tx:
        tx.approvals.approve("CR-1", 0, "F1", key="CR-1-0")
    with pytest.raises(StateError, match="approves"), store.transaction() as tx:
        Finance(tx).credit.charge("AR-2", "ACME", Money("2000.02", "CNY"), DAY, approval="CR-1")
    with store.transaction() as tx:
        fin = Finance(tx)
        fin.credit.charge("AR-2", "ACME", Money("2000.01", "CNY"), DAY, approval="CR-1")
        position = fin.credit.position("ACME", date(2026, 3, 18))
    assert position.outstanding == Money("10000.01", "CNY")
    assert (position.overdue_count, position.overdue) == (2, Money("10000.01", "CNY"))


def test_an_approval_of_another_action_does_not_extend_credit(store: st.Store) -> None:
    claim = ApprovalRequest("R1", "expense_reimbursement", Money("10", "CNY"), "sales", "E1")
    with store.transaction() as tx:
        Finance(tx).credit.set_limit("ACME", Money("0", "CNY"))
        tx.approvals.submit(claim, key="r1")
        tx.approvals.approve("R1", 0, "H1", key="r1-0")
        tx.approvals.approve("R1", 1, "V1", key="r1-1")
    with pytest.raises(StateError, match="expense_reimbursement"), store.transaction() as tx:
        Finance(tx).credit.charge("AR-1", "ACME", Money("10", "CNY"), DAY, approval="R1")


def test_the_sweep_reports_receivables_past_their_term(store: st.Store) -> None:
    approve_credit(store, "CR-1", "500")
    with store.transaction() as tx:
        fin = Finance(tx)
        fin.credit.charge("AR-1", "ACME", Money("500", "CNY"), DAY, approval="CR-1")  # no limit
        fin.credit.set_limit("BETA", Money("1000", "CNY"))
        fin.credit.charge("AR-2", "BETA", Money("100", "CNY"), DAY)
        fin.credit.charge("AR-3", "BETA", Money("100", "CNY"), DAY)
        fin.credit.settle("AR-3", date(2026, 3, 20))

    def overdue(on: date) -> tuple[str, ...]:
        (found,) = [f for f in run_audit(store, on=on) if f.control == "FIN-03"]
        return found.sample

    assert overdue(date(2026, 4, 1)) == ()  # the last day of the 30-day term
    assert overdue(date(2026, 4, 2)) == ("AR-1", "AR-2")

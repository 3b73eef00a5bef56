"""FIN-06: paid only once the route is complete, never by an approver, once, for the amount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from agency_finance import ApprovalState, Finance, Payment
from hypothesis import given
from hypothesis import strategies as st_

import agency_core.store as st
from agency_core import ApprovalRequest, Engine, Money, StepAction
from agency_core.decision import Outcome
from agency_core.errors import InvalidInput, NotFound
from agency_core.hookspecs import hookimpl
from agency_core.store import Refused, run_audit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REQUEST = ApprovalRequest("R1", "expense_reimbursement", Money("12000", "CNY"), "sales", "E1")


def state(
    steps: int = 2, approved: int = 2, *, reject: bool = False, status: str | None = None
) -> ApprovalState:
    history = [
        StepAction(i, f"A{i}", "approve", T0 + timedelta(hours=i + 1)) for i in range(approved)
    ]
    if reject:
        history.append(StepAction(approved, "AX", "reject", T0 + timedelta(hours=9), "no"))
    if status is None:
        status = "rejected" if reject else "approved" if approved == steps else "pending"
    return ApprovalState(REQUEST, steps, status, T0, tuple(history))


def pay(approval_state: ApprovalState, **changes: object) -> Payment:
    fields: dict[str, object] = {
        "id": "P1",
        "approval": approval_state,
        "payer": "C1",
        "amount": Money("12000", "CNY"),
        "at": T0 + timedelta(days=1),
        "paid": (),
    }
    return Payment(**{**fields, **changes})  # type: ignore[arg-type]


def denied(engine: Engine, payment: Payment) -> bool:
    decision = engine.decide(payment)
    return decision.outcome is Outcome.DENY and decision.controls == {"FIN-06"}


def test_a_complete_route_is_paid(engine: Engine) -> None:
    assert engine.decide(pay(state())).outcome is Outcome.ALLOW


def test_a_request_without_steps_is_paid_after_its_submission(engine: Engine) -> None:
    assert engine.decide(pay(state(0, 0))).outcome is Outcome.ALLOW
    assert denied(engine, pay(state(0, 0), at=T0 - timedelta(seconds=1)))


@pytest.mark.parametrize(
    "approval",
    [
        state(2, 1),
        state(2, 1, reject=True),
        state(2, 1, status="approved"),  # a status that the steps do not bear out
        state(2, 2, status="pending"),  # steps that the stored status does not bear out
    ],
)
def test_an_incomplete_route_is_not_paid(engine: Engine, approval: ApprovalState) -> None:
    assert denied(engine, pay(approval))


def test_nothing_is_paid_before_the_last_step(engine: Engine) -> None:
    last = T0 + timedelta(hours=2)
    assert denied(engine, pay(state(), at=last - timedelta(microseconds=1)))
    assert engine.decide(pay(state(), at=last)).outcome is Outcome.ALLOW


def test_an_approver_does_not_pay(engine: Engine) -> None:
    assert denied(engine, pay(state(), payer="A1"))


def test_a_delegate_principal_does_not_pay(engine: Engine) -> None:
    step = StepAction(0, "D1", "approve", T0 + timedelta(hours=1), on_behalf_of="H1")
    approval = ApprovalState(REQUEST, 1, "approved", T0, (step,))
    assert denied(engine, pay(approval, payer="H1"))


def test_a_request_is_paid_once(engine: Engine) -> None:
    assert denied(engine, pay(state(), paid=("P0",)))


def test_the_approved_amount_is_paid(engine: Engine) -> None:
    assert denied(engine, pay(state(), amount=Money("12000.01", "CNY")))
    assert denied(engine, pay(state(), amount=Money("12000", "USD")))


histories = st_.builds(
    lambda steps, done, reject, gaps, payer, at, paid: (steps, done, reject, gaps, payer, at, paid),
    st_.integers(0, 4),
    st_.integers(0, 4),
    st_.booleans(),
    st_.lists(st_.integers(1, 10_000), min_size=5, max_size=5),
    st_.sampled_from(["C1", "A0", "A1", "A2", "A3"]),
    st_.integers(-10_000, 60_000),
    st_.booleans(),
)


@given(histories)
def test_no_payment_precedes_completion_or_goes_to_an_approver_or_twice(
    engine: Engine, drawn: tuple[int, int, bool, list[int], str, int, bool]
) -> None:
    steps, done, reject, gaps, payer, offset, paid = drawn
    done = min(done, steps)
    reject = reject and done < steps
    at = T0
    history = []
    for step in range(done):
        at += timedelta(seconds=gaps[step])
        history.append(StepAction(step, f"A{step}", "approve", at))
    if reject:
        history.append(StepAction(done, "AX", "reject", at + timedelta(seconds=gaps[4]), "no"))
    status = "rejected" if reject else "approved" if done == steps else "pending"
    approval = ApprovalState(REQUEST, steps, status, T0, tuple(history))
    payment = pay(
        approval, payer=payer, at=T0 + timedelta(seconds=offset), paid=("P0",) if paid else ()
    )
    allowed = engine.decide(payment).outcome is Outcome.ALLOW
    completed = status == "approved" and not reject
    last = max((a.at for a in history), default=T0)
    approvers = {a.actor for a in history}
    assert allowed == (completed and payment.at >= last and payer not in approvers and not paid)


@pytest.mark.parametrize(
    ("field", "value"),
    [("approval", REQUEST), ("payer", ""), ("amount", "12000"), ("at", T0.replace(tzinfo=None))],
)
def test_bad_payments_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInput, match=field):
        pay(state(), **{field: value})


def test_a_bad_approval_state_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="status"):
        ApprovalState(REQUEST, 1, "done", T0, ())
    with pytest.raises(InvalidInput, match="steps"):
        ApprovalState(REQUEST, -1, "pending", T0, ())


# -- the stored workflow ---------------------------------------------------------------------------


def submit_and_approve(store: st.Store, request_id: str = "R1", *, approve: int = 3) -> None:
    request = ApprovalRequest(
        request_id, "expense_reimbursement", Money("12000", "CNY"), "sales", "E1"
    )
    with store.transaction() as tx:
        tx.approvals.submit(request, key=f"submit-{request_id}")
        for step, actor in list(enumerate(["H1", "V1", "F1"]))[:approve]:
            tx.approvals.approve(request_id, step, actor, key=f"{request_id}-{step}")


def test_the_store_pays_only_a_complete_route_once_by_a_non_approver(
    store: st.Store, clock: object
) -> None:
    submit_and_approve(store, approve=1)
    with pytest.raises(Refused) as caught, store.transaction() as tx:
        Finance(tx).payments.pay("P1", "R1", "C1")
    assert caught.value.controls == {"FIN-06"}
    with store.transaction() as tx:
        tx.approvals.approve("R1", 1, "V1", key="R1-1")
        tx.approvals.approve("R1", 2, "F1", key="R1-2")
    with pytest.raises(Refused), store.transaction() as tx:
        Finance(tx).payments.pay("P1", "R1", "F1")  # F1 approved step 2
    with store.transaction() as tx:
        decision = Finance(tx).payments.pay("P1", "R1", "C1")
    assert decision.outcome is Outcome.ALLOW
    with pytest.raises(Refused) as twice, store.transaction() as tx:
        Finance(tx).payments.pay("P2", "R1", "C1")
    assert "paid once" in str(twice.value)


def test_the_store_reads_the_approval_never_the_caller(store: st.Store) -> None:
    with pytest.raises(NotFound), store.transaction() as tx:
        Finance(tx).payments.pay("P1", "R-unknown", "C1")


def test_the_sweep_finds_payments_made_around_the_workflow(store: st.Store) -> None:
    from agency_finance.tables import PaymentRow

    submit_and_approve(store, "R1")
    submit_and_approve(store, "R2", approve=1)
    submit_and_approve(store, "R3")
    submit_and_approve(store, "R4")
    submit_and_approve(store, "R5")
    with store.transaction() as tx:
        Finance(tx).payments.pay("P-ok", "R4", "C1")
        # rows another system wrote straight into the ledger, past the checks
        tx.session.add_all(
            [
                PaymentRow(
                    id="P-early",
                    request_id="R1",
                    payer="C1",
                    amount=Decimal(12000),
                    currency="CNY",
                    paid_at=T0 - timedelta(days=1),
                ),
                PaymentRow(
                    id="P-pending",
                    request_id="R2",
                    payer="C1",
                    amount=Decimal(12000),
                    currency="CNY",
                    paid_at=T0 + timedelta(days=1),
                ),
                PaymentRow(
                    id="P-approver",
                    request_id="R3",
                    payer="H1",
                    amount=Decimal(12000),
                    currency="CNY",
                    paid_at=T0 + timedelta(days=1),
                ),
                PaymentRow(
                    id="P-more",
                    request_id="R5",
                    payer="C1",
                    amount=Decimal("12000.01"),
                    currency="CNY",
                    paid_at=T0 + timedelta(days=1),
                ),
            ]
        )
    found = [f for f in run_audit(store) if f.control == "FIN-06"]
    expected = ("P-approver", "P-early", "P-more", "P-pending")
    assert [(f.count, f.sample) for f in found] == [(4, expected)]


def test_decide_many_decides_payments_as_decide_does_in_any_order(engine: Engine) -> None:
    requests = [
        pay(state()),
        pay(state(2, 1)),
        pay(state(), payer="A0"),
        pay(state(), paid=("P0",)),
        pay(state(0, 0)),
    ]
    single = [engine.decide(r) for r in requests]
    assert engine.decide_many(requests) == single
    assert engine.decide_many(requests[::-1]) == single[::-1]


class Broken:
    """A firm's own payment rule that fails."""

    __name__ = "broken_payment_rule"

    @hookimpl
    def agency_check_payment(self, check: Payment, policy: object) -> None:
        raise RuntimeError("ledger unreachable")


def test_a_failing_payment_rule_denies_naming_the_plugin(policy: object) -> None:
    import agency_finance.plugin

    from agency_core.hookspecs import hookimpl

    Broken.agency_check_payment = hookimpl(Broken.agency_check_payment)  # type: ignore[method-assign]
    engine = Engine(policy, plugins=[agency_finance.plugin, Broken()])  # type: ignore[arg-type]
    decision = engine.decide(pay(state()))
    assert decision.outcome is Outcome.DENY
    assert [f.plugin for f in decision.violations] == ["broken_payment_rule"]


def test_the_database_holds_a_request_to_one_payment(store: st.Store) -> None:
    """Two payers deciding at the same moment both see no earlier payment; the unique
    request_id lets only the first commit."""
    from agency_finance.tables import PaymentRow

    from agency_core.store import Conflict

    submit_and_approve(store, "R1")
    with store.transaction() as tx:
        Finance(tx).payments.pay("P1", "R1", "C1")
    with pytest.raises(Conflict), store.transaction() as tx:
        tx.session.add(
            PaymentRow(
                id="P2",
                request_id="R1",
                payer="C1",
                amount=Decimal(12000),
                currency="CNY",
                paid_at=T0 + timedelta(days=2),
            )
        )


def test_the_decision_log_keeps_a_payment_and_its_payer(store: st.Store, policy: object) -> None:
    import agency_finance.plugin
    from sqlalchemy import select

    from agency_core.store import DecisionLog, verify_log
    from agency_core.store.models import LogEntryRow, LogPersonRow

    submit_and_approve(store, "R1")
    log = DecisionLog(store)
    store.use(Engine(policy, plugins=[agency_finance.plugin, log]))  # type: ignore[arg-type]
    with store.transaction() as tx:
        Finance(tx).payments.pay("P1", "R1", "C1")
    with pytest.raises(Refused), store.transaction() as tx:
        Finance(tx).payments.pay("P2", "R1", "C1")
    log.flush()
    with store.transaction() as tx:
        row, person = LogEntryRow, LogPersonRow  # the log keeps the payer as a pseudonym
        entries = tx.session.execute(
            select(row.kind, row.outcome, person.person)
            .join(person, person.pseudonym == row.actor)
            .order_by(row.seq)
        )
    assert [tuple(e) for e in entries] == [
        ("payment", "allow", "C1"),
        ("payment", "deny", "C1"),
    ]
    assert verify_log(store).ok

"""The approval workflow: routes from the engine, steps in order, segregation, delegation,
idempotency (APR-05..08, SOD-01, SOD-03, SOD-04)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import agency_core.store as st
from agency_core import ApprovalRequest, Delegation, Engine, Money, Verdict
from agency_core.errors import InvalidInput, NotFound, StateError
from tests.store.helpers import T0, claim


def _submit(store: st.Store, request_id: str = "R1", **kw: str) -> st.Submission:
    with store.transaction() as tx:
        return tx.approvals.submit(claim(request_id, **kw), key=f"submit-{request_id}")


def test_a_request_goes_through_its_route_in_order(staffed):
    submitted = _submit(staffed)
    assert submitted.route.roles == ("dept_head", "finance_reviewer", "finance_manager")
    assert (submitted.status, submitted.next_step) == (st.Status.PENDING, 0)
    with staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "H1", key="a0")
        assert tx.approvals.get("R1").next_step == 1
        tx.approvals.approve("R1", 1, "V1", key="a1")
        tx.approvals.approve("R1", 2, "F1", key="a2")
    with staffed.transaction() as tx:
        done = tx.approvals.get("R1")
    assert done.status is st.Status.APPROVED
    assert done.next_step is None
    assert [(a.step, a.actor) for a in done.history] == [(0, "H1"), (1, "V1"), (2, "F1")]
    assert done.request.amount == Money("12000", "CNY")


def test_submit_takes_the_engines_decision_and_refuses_a_denied_one(staffed, engine):
    odd = ApprovalRequest("R9", "no_such_action", Money("1", "CNY"), "sales", "E1")
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.submit(odd, engine.route_approval(odd), key="k9")
    assert "APR-01" in refused.value.controls
    with staffed.transaction() as tx:
        decision = engine.route_approval(claim("R2", "60000"))
        submitted = tx.approvals.submit(claim("R2", "60000"), decision, key="k2")
    assert submitted.route.roles == (
        "dept_head",
        "finance_reviewer",
        "finance_manager",
        "general_manager",
    )
    assert submitted.policy_sha256 == engine.policy.sha256


def test_over_budget_adds_the_budget_adjustment_route(staffed):
    request = ApprovalRequest(
        "B1", "supplies_requisition", Money("3000", "CNY"), "sales", "E1", Money("1000", "CNY")
    )
    with staffed.transaction() as tx:
        submitted = tx.approvals.submit(request, key="b1")
    assert submitted.route.roles == ("dept_head", "finance_manager")  # APR-08


def test_the_same_submission_twice_has_one_effect(staffed):
    first = _submit(staffed)
    again = _submit(staffed)
    assert again == first
    with pytest.raises(InvalidInput, match="different submission"), staffed.transaction() as tx:
        tx.approvals.submit(claim("R1", "99"), key="submit-R1")
    with pytest.raises(StateError, match="already submitted"), staffed.transaction() as tx:
        tx.approvals.submit(claim("R1"), key="another-key")


def test_the_same_approval_twice_has_one_effect(staffed):
    _submit(staffed)
    with staffed.transaction() as tx:
        first = tx.approvals.approve("R1", 0, "H1", key="a0")
    with staffed.transaction() as tx:
        again = tx.approvals.approve("R1", 0, "H1", key="a0")
        assert again == first
        assert len(tx.approvals.get("R1").history) == 1
        with pytest.raises(InvalidInput, match="different step action"):
            tx.approvals.approve("R1", 1, "F1", key="a0")


def test_a_rejection_needs_a_reason_and_ends_the_route(staffed):
    _submit(staffed)
    with pytest.raises(InvalidInput, match="APR-05"), staffed.transaction() as tx:
        tx.approvals.reject("R1", 0, "H1", key="r0", reason="  ")
    with staffed.transaction() as tx:
        tx.approvals.reject("R1", 0, "H1", key="r0", reason="no receipts attached")
    with staffed.transaction() as tx:
        rejected = tx.approvals.get("R1")
    assert rejected.status is st.Status.REJECTED
    assert rejected.history[0].reason == "no receipts attached"
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R1", 1, "V1", key="a1")
    assert refused.value.controls == {"APR-07"}


def test_a_decided_request_cannot_be_decided_again(staffed):
    _submit(staffed)
    with staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "H1", key="a0")
        tx.approvals.approve("R1", 1, "V1", key="a1")
        tx.approvals.approve("R1", 2, "F1", key="a2")
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.decide("R1", 2, Verdict.APPROVE, "F1", key="a2-again")
    assert isinstance(refused.value, StateError)
    assert "APR-07" in refused.value.controls


def test_steps_go_in_order(staffed):
    _submit(staffed)
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R1", 1, "V1", key="early")
    assert refused.value.controls == {"APR-07"}
    assert "not approved yet" in str(refused.value)


def test_the_store_keeps_its_order_even_without_the_approval_plugin(staffed):
    _submit(staffed)
    lax = Engine(block=["agency_core.builtin.approvals"])
    with pytest.raises(StateError, match="waits for step 0"), staffed.transaction(lax) as tx:
        tx.approvals.approve("R1", 1, "F1", key="early")


def test_nobody_approves_their_own_request(staffed):
    _submit(staffed, requester="H1")
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "H1", key="self")
    assert refused.value.controls == {"SOD-01"}
    with staffed.transaction() as tx:
        assert tx.approvals.get("R1").history == ()


def test_one_person_takes_one_step_of_a_route(staffed):
    _submit(staffed)
    with staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "M1", key="m0")
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R1", 1, "M1", key="m1")
    assert refused.value.controls == {"SOD-04"}


def test_a_department_head_approves_only_for_their_department(staffed):
    _submit(staffed)
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "HX", key="x0")
    assert refused.value.controls == {"APR-04"}
    assert refused.value.findings[0].facts["their"] == "ops"


def test_a_delegate_acts_while_the_principal_is_away_and_both_names_are_kept(staffed, clock):
    _submit(staffed)
    with staffed.transaction() as tx:
        tx.delegations.add(Delegation("H1", "D1", T0, T0 + timedelta(days=3), "H1 on leave"))
        action = tx.approvals.approve("R1", 0, "D1", key="d0", on_behalf_of="H1")
    with staffed.transaction() as tx:
        taken = tx.approvals.get("R1").history[0]
    assert (taken.actor, taken.on_behalf_of) == ("D1", "H1")
    assert taken == action


def test_a_delegation_ends_with_its_period(staffed, clock):
    _submit(staffed)
    with staffed.transaction() as tx:
        tx.delegations.add(Delegation("H1", "D1", T0, T0 + timedelta(days=3)))
    clock.advance(days=4)
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "D1", key="late", on_behalf_of="H1")
    assert refused.value.controls == {"APR-06"}


def test_delegations_cannot_be_chained(staffed):
    _submit(staffed)
    with staffed.transaction() as tx:
        tx.delegations.add(Delegation("H1", "H2", T0, T0 + timedelta(days=3)))
        tx.delegations.add(Delegation("H2", "D1", T0, T0 + timedelta(days=3)))
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "D1", key="chain", on_behalf_of="H1")
    assert any("chained" in f.message() for f in refused.value.findings)


def test_unknown_things_are_not_found(staffed):
    with pytest.raises(NotFound), staffed.transaction() as tx:
        tx.approvals.get("nope")
    _submit(staffed)
    with pytest.raises(NotFound, match="ZZ"), staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "ZZ", key="zz")
    with pytest.raises(InvalidInput), staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "H1", key="")


def test_incompatible_duties_on_one_subject_are_refused(staffed):
    with staffed.transaction() as tx:
        tx.duties.perform("PAY-1", "approve_payment", "F1", key="d1")
        tx.duties.perform("PAY-1", "approve_payment", "F1", key="d1")  # idempotent
        tx.duties.perform("PAY-1", "pay", "S2", key="d2")
    with pytest.raises(st.Refused) as refused, staffed.transaction() as tx:
        tx.duties.perform("PAY-1", "pay", "F1", key="d3")
    assert refused.value.controls == {"SOD-03"}


def test_an_error_inside_the_transaction_leaves_nothing_half_written(staffed):
    _submit(staffed)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), staffed.transaction() as tx:  # noqa: PT012
        tx.approvals.approve("R1", 0, "H1", key="a0")
        raise Boom
    with staffed.transaction() as tx:
        state = tx.approvals.get("R1")
    assert (state.history, state.next_step) == ((), 0)

"""The approval workflow: routes from the engine, steps in order, segregation, delegation,
idempotency (APR-05..08, SOD-01, SOD-03, SOD-04)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import agency_core.store as st
from agency_core import (
    ApprovalRequest,
    Delegation,
    Engine,
    Money,
    Route,
    RouteStep,
    Verdict,
    parse_policy,
)
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.policy import Policy
from tests.store.helpers import T0, RouteOnly, claim
from tests.test_policy import DEFAULT, UNPINNED, with_branch


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
    lax = Engine(block=["agency_core.builtin.approvals"], plugins=[RouteOnly()])
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


# --------------------------------------------------------------------------------------------------
# APR-01: a route is never taken from the caller (issue 8)
# --------------------------------------------------------------------------------------------------

OLD_TIERS = """tiers = [
  { max_amount = "5000", route = ["dept_head"] },
  { max_amount = "50000", route = ["dept_head", "finance_manager"] },
  { route = ["dept_head", "finance_manager", "general_manager"] },
]"""


def _policy(version: str, *, old_tiers: bool = False) -> Policy:
    text = DEFAULT.replace('version = "2026.11"', f'version = "{version}"', 1)
    if old_tiers:  # before the correction of APR-01: the head alone up to 5,000
        text = UNPINNED.replace('version = "2026.11"', f'version = "{version}"', 1)
        start = text.index("tiers = [", text.index("[approval.actions.expense_reimbursement]"))
        text = (
            text[:start] + OLD_TIERS + text[text.index("]\n", text.index("{ route", start)) + 1 :]
        )
    return parse_policy(text.encode(), f"{version}.toml")


def _nothing_stored(store: st.Store, request_id: str) -> None:
    with pytest.raises(NotFound), store.transaction() as tx:
        tx.approvals.get(request_id)


def test_a_forged_one_step_route_for_60000_is_refused(staffed):
    big = claim("R60", "60000")
    forged = Route("expense_reimbursement", (RouteStep("dept_head", "department"),))
    with (
        pytest.raises(InvalidInput, match=r"APR-01: .*\(dept_head\) is not the one"),
        staffed.transaction() as tx,
    ):
        tx.approvals.submit(big, forged, key="forged")
    _nothing_stored(staffed, "R60")
    with staffed.transaction() as tx:
        stored = tx.approvals.submit(big, key="honest")
    assert stored.route.roles[-1] == "general_manager"
    with pytest.raises(st.Refused), staffed.transaction() as tx:
        tx.approvals.approve("R60", 1, "H2", key="head-again")  # not the head's step


def test_the_decision_of_a_100_cny_claim_is_not_reused_for_60000(staffed, engine):
    small = engine.route_approval(claim("R100", "100"))
    with pytest.raises(InvalidInput, match="APR-01"), staffed.transaction() as tx:
        tx.approvals.submit(claim("R60", "60000"), small, key="reused")
    _nothing_stored(staffed, "R60")


def test_a_route_from_an_older_policy_is_refused(staffed):
    old = Engine(_policy("2026.10", old_tiers=True))
    request = claim("R12", "12000")
    decision = old.route_approval(request)
    assert decision.route is not None
    assert decision.route.roles == ("dept_head", "finance_manager")
    with (
        pytest.raises(InvalidInput, match=r"policy 2026\.10 .* not the policy in force 2026\.11"),
        staffed.transaction() as tx,
    ):
        tx.approvals.submit(request, decision, key="old-decision")
    with pytest.raises(InvalidInput, match="is not the one"), staffed.transaction() as tx:
        tx.approvals.submit(request, decision.route, key="old-route")
    _nothing_stored(staffed, "R12")


def test_a_route_for_another_action_or_department_is_refused(staffed, engine):
    request = claim("R12", "12000")
    other_action = ApprovalRequest("X", "fund_disbursement", Money("12000", "CNY"), "sales", "E1")
    route = engine.route_approval(other_action).route
    assert route is not None
    with (
        pytest.raises(InvalidInput, match="is for action fund_disbursement"),
        staffed.transaction() as tx,
    ):
        tx.approvals.submit(request, route, key="other-action")
    branch = Engine(
        parse_policy(
            with_branch(
                '{ max_amount = "1000", route = ["branch_director", "finance_reviewer"] }',
                '{ route = ["branch_director", "finance_reviewer", "finance_manager", "general_manager"] }',
                base=UNPINNED,
            ).encode()
        )
    )
    theirs = branch.route_approval(
        ApprovalRequest("B", "expense_reimbursement", Money("12000", "CNY"), "branch", "E1")
    ).route
    assert theirs is not None
    with pytest.raises(InvalidInput, match="is not the one"), staffed.transaction(branch) as tx:
        tx.approvals.submit(request, theirs, key="other-department")
    _nothing_stored(staffed, "R12")


def test_a_request_is_decided_only_on_the_route_of_the_policy_in_force(staffed):
    with staffed.transaction(Engine(_policy("2026.10", old_tiers=True))) as tx:
        tx.approvals.submit(claim("R-old"), key="R-old")  # dept_head, finance_manager
    with staffed.transaction(Engine(_policy("2026.10b"))) as tx:
        tx.approvals.submit(claim("R-same"), key="R-same")  # another version, the same route
    stale = r"APR-01: the route given with request R-old \(dept_head → finance_manager\) is not"
    with pytest.raises(st.Refused, match=stale) as refused, staffed.transaction() as tx:
        tx.approvals.approve("R-old", 0, "H1", key="old-0")
    assert refused.value.controls == {"APR-01"}
    with staffed.transaction() as tx:
        assert tx.approvals.get("R-old").history == ()
        tx.approvals.approve("R-same", 0, "H1", key="same-0")  # its route is still the one


def test_the_facts_of_a_stored_approval_are_what_the_store_holds(staffed):
    submitted = _submit(staffed)
    assert (submitted.facts().status, submitted.facts().approvers) == ("pending", ())
    with staffed.transaction() as tx:
        tx.approvals.approve("R1", 0, "H1", key="facts-0")
        facts = tx.approvals.get("R1").facts()
    assert (facts.id, facts.action, facts.requester) == ("R1", "expense_reimbursement", "E1")
    assert (facts.status, facts.approvers) == ("pending", ("H1",))

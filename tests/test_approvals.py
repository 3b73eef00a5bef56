"""APR: routing by the approval matrix, and the rules of taking a step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency_core import (
    ApprovalRequest,
    Delegation,
    Employee,
    Engine,
    InvalidInput,
    Outcome,
    Route,
    RouteStep,
    StepAction,
    StepCheck,
    default_policy,
)
from tests.factories import NOON, STAFF, claim, cny


def roles(engine: Engine, request: ApprovalRequest) -> tuple[str, ...]:
    decision = engine.route_approval(request)
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    assert decision.route is not None
    return decision.route.roles


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", ("dept_head", "finance_reviewer")),
        ("5000", ("dept_head", "finance_reviewer")),  # exactly on the bound: the lower tier
        ("5000.01", ("dept_head", "finance_reviewer", "finance_manager")),
        ("50000", ("dept_head", "finance_reviewer", "finance_manager")),
        ("50000.01", ("dept_head", "finance_reviewer", "finance_manager", "general_manager")),
    ],
)
def test_apr_01_expense_tiers_with_inclusive_upper_bounds(
    engine: Engine, amount: str, expected: tuple[str, ...]
) -> None:
    assert roles(engine, claim(amount)) == expected


def test_apr_01_the_finding_names_the_tier(engine: Engine) -> None:
    (finding,) = engine.route_approval(claim("5000")).findings
    assert finding.control == "APR-01"
    assert finding.facts["tier"] == "amount <= 5000 CNY"
    assert finding.plugin == "agency_core.builtin.approvals"
    assert "金额档位 amount <= 5000 CNY" in finding.message("zh-CN")


@pytest.mark.parametrize(
    ("action", "amount", "top"),
    [
        ("fund_disbursement", "99999.99", "finance_manager"),
        ("fund_disbursement", "100000", "general_manager"),  # at or above (APR-02)
        ("major_cost", "199999.99", "general_manager"),
        ("major_cost", "200000", "management_committee"),  # special approval (专项审批)
    ],
)
def test_apr_02_large_disbursements_and_major_costs(
    engine: Engine, action: str, amount: str, top: str
) -> None:
    request = ApprovalRequest("R-2", action, cny(amount), "sales", "clerk")
    assert roles(engine, request)[-1] == top
    assert engine.route_approval(request).findings[0].control == "APR-02"


def test_apr_08_spending_beyond_the_budget_adds_the_budget_route(engine: Engine) -> None:
    request = ApprovalRequest(
        "R-3", "expense_reimbursement", cny(3000), "sales", "clerk", budget_remaining=cny(1000)
    )
    decision = engine.route_approval(request)
    assert decision.route is not None
    assert decision.route.roles == ("dept_head", "finance_reviewer", "finance_manager")
    assert {f.control for f in decision.findings} == {"APR-01", "APR-08"}
    within = ApprovalRequest(
        "R-4", "expense_reimbursement", cny(3000), "sales", "clerk", budget_remaining=cny(3000)
    )
    assert roles(engine, within) == ("dept_head", "finance_reviewer")


def test_apr_08_budget_adjustment_is_routed_through_the_matrix(engine: Engine) -> None:
    request = ApprovalRequest("R-5", "budget_adjustment", cny(80000), "sales", "clerk")
    assert roles(engine, request) == ("dept_head", "finance_manager", "general_manager")


def test_an_unknown_action_is_denied_as_a_policy_gap(engine: Engine) -> None:
    decision = engine.route_approval(ApprovalRequest("R", "teleport", cny(1), "sales", "clerk"))
    assert decision.outcome is Outcome.DENY
    assert decision.findings[0].control == "APR-01"
    assert decision.findings[0].plugin == "agency_core.engine"


def test_an_amount_in_another_currency_is_not_routed(engine: Engine) -> None:
    request = ApprovalRequest("R", "expense_reimbursement", cny(1).__class__("1", "USD"), "s", "c")
    decision = engine.route_approval(request)
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"FEE-06"}


amounts = st.decimals(min_value=0, max_value=10**9, places=2)
actions = st.sampled_from(sorted({a for a, _ in default_policy().matrices}))


@given(actions, amounts, amounts)
def test_apr_03_a_larger_amount_never_needs_fewer_or_lower_approvals(
    action: str, a: Decimal, b: Decimal
) -> None:
    engine = Engine()
    low, high = sorted((a, b))
    small = roles(engine, ApprovalRequest("R", action, cny(low), "sales", "clerk"))
    large = roles(engine, ApprovalRequest("R", action, cny(high), "sales", "clerk"))
    assert set(small) <= set(large)
    assert len(small) <= len(large)


# --------------------------------------------------------------------------------------------------
# Taking a step: APR-04..07
# --------------------------------------------------------------------------------------------------

REQUEST = claim("12000")  # route: dept_head (sales) -> finance_reviewer -> finance_manager
ON_LEAVE = Delegation("head", "deputy", NOON - timedelta(days=1), NOON + timedelta(days=1))


def step(
    engine: Engine,
    index: int,
    actor: Employee,
    *,
    principal: Employee | None = None,
    history: tuple[StepAction, ...] = (),
    delegations: tuple[Delegation, ...] = (),
    request: ApprovalRequest = REQUEST,
    verdict: str = "approve",
    at: timedelta = timedelta(0),
) -> set[str]:
    route = engine.route_approval(request).route
    assert route is not None
    action = StepAction(
        index,
        actor.id,
        verdict,
        NOON + at,
        reason="missing receipt" if verdict == "reject" else "",
        on_behalf_of=principal.id if principal else None,
    )
    check = StepCheck(request, route, action, actor, principal, history, delegations)
    decision = engine.check_step(check)
    assert (decision.outcome is Outcome.DENY) == bool(decision.violations)
    return {f.control for f in decision.violations}


def approved(index: int, actor: str) -> StepAction:
    return StepAction(index, actor, "approve", NOON - timedelta(hours=1))


def test_steps_in_order_by_the_right_people_are_allowed(engine: Engine) -> None:
    assert step(engine, 0, STAFF["head"]) == set()
    assert step(engine, 1, STAFF["reviewer"], history=(approved(0, "head"),)) == set()
    history = (approved(0, "head"), approved(1, "reviewer"))
    assert step(engine, 2, STAFF["fm"], history=history) == set()


def test_apr_04_a_step_needs_its_role(engine: Engine) -> None:
    assert step(engine, 0, STAFF["fm"]) == {"APR-04"}


def test_apr_04_a_department_head_approves_only_for_their_own_department(engine: Engine) -> None:
    assert step(engine, 0, STAFF["other_head"]) == {"APR-04"}


def test_apr_04_company_roles_approve_for_any_department(engine: Engine) -> None:
    legal = claim("12000", department="legal")
    history = (approved(0, "other_head"),)
    assert step(engine, 1, STAFF["reviewer"], history=history, request=legal) == set()
    history = (*history, approved(1, "reviewer"))
    assert step(engine, 2, STAFF["fm"], history=history, request=legal) == set()


def test_apr_04_an_inherited_role_counts(engine: Engine) -> None:
    director = Employee("dir", "sales", {"branch_director"})  # inherits dept_head
    assert step(engine, 0, director) == set()


def test_apr_05_a_rejection_without_a_reason_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="APR-05"):
        StepAction(0, "head", "reject", NOON, reason="  ")
    assert StepAction(0, "head", "reject", NOON, reason="no receipt").reason == "no receipt"


def test_apr_06_a_deputy_acts_for_an_absent_principal(engine: Engine) -> None:
    assert (
        step(engine, 0, STAFF["deputy"], principal=STAFF["head"], delegations=(ON_LEAVE,)) == set()
    )


def test_apr_06_a_deputy_without_a_delegation_is_refused(engine: Engine) -> None:
    assert step(engine, 0, STAFF["deputy"], principal=STAFF["head"]) == {"APR-06"}


def test_apr_06_a_delegation_ends_with_its_period(engine: Engine) -> None:
    late = step(
        engine,
        0,
        STAFF["deputy"],
        principal=STAFF["head"],
        delegations=(ON_LEAVE,),
        at=timedelta(days=1),  # exactly at ON_LEAVE.ends: no longer in force
    )
    assert late == {"APR-06"}


def test_apr_06_a_chained_delegation_is_refused(engine: Engine) -> None:
    other_deputy = Employee("deputy2", "sales", {"deputy_dept_head"})
    chain = (ON_LEAVE, Delegation("deputy", "deputy2", ON_LEAVE.starts, ON_LEAVE.ends))
    route = engine.route_approval(REQUEST).route
    assert route is not None
    action = StepAction(0, "deputy2", "approve", NOON, on_behalf_of="head")
    decision = engine.check_step(
        StepCheck(REQUEST, route, action, other_deputy, STAFF["head"], delegations=chain)
    )
    assert decision.controls == {"APR-06"}
    assert "head → deputy → deputy2" in decision.findings[0].message()


def test_apr_06_only_a_deputy_role_may_stand_in(engine: Engine) -> None:
    stand_in = Delegation("head", "clerk2", ON_LEAVE.starts, ON_LEAVE.ends)
    clerk2 = Employee("clerk2", "sales")
    assert step(engine, 0, clerk2, principal=STAFF["head"], delegations=(stand_in,)) == {"APR-06"}


def test_apr_07_steps_go_in_order(engine: Engine) -> None:
    assert step(engine, 1, STAFF["reviewer"]) == {"APR-07"}
    assert step(engine, 2, STAFF["fm"], history=(approved(0, "head"),)) == {"APR-07"}


def test_apr_07_an_approved_step_is_not_decided_again(engine: Engine) -> None:
    other_head = Employee("head2", "sales", {"dept_head"})
    assert step(engine, 0, other_head, history=(approved(0, "head"),)) == {"APR-07"}


def test_apr_07_an_approved_request_cannot_be_approved_again(engine: Engine) -> None:
    history = (approved(0, "head"), approved(1, "reviewer"), approved(2, "fm"))
    gm_fm = Employee("fm2", "finance", {"finance_manager"})
    assert step(engine, 2, gm_fm, history=history) == {"APR-07"}


def test_apr_07_a_rejection_ends_the_route(engine: Engine) -> None:
    rejected = StepAction(0, "head", "reject", NOON, reason="no receipt")
    assert step(engine, 1, STAFF["reviewer"], history=(rejected,)) == {"APR-07"}


def test_apr_07_a_step_beyond_the_route_is_refused(engine: Engine) -> None:
    assert step(engine, 5, STAFF["gm"]) == {"APR-07"}


def test_a_rejection_by_the_right_person_is_allowed(engine: Engine) -> None:
    assert step(engine, 0, STAFF["head"], verdict="reject") == set()


def test_apr_01_check_step_denies_a_route_the_policy_does_not_give(engine: Engine) -> None:
    big = claim("60000")
    forged = Route("expense_reimbursement", (RouteStep("dept_head", "department"),))
    action = StepAction(0, "head", "approve", NOON)
    decision = engine.check_step(StepCheck(big, forged, action, STAFF["head"]))
    assert decision.outcome is Outcome.DENY
    assert "APR-01" in decision.controls

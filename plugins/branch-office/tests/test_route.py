"""BR-01: at a branch, the branch admin department reviews expense claims instead of finance.

The worked example of swapping a bundled rule: a tryfirst route lookup that answers for branch
departments only, its own step guard, and the conformance kit run on the composition.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import agency_branch_office.plugin
from agency_branch_office.policy import BranchOfficePolicy
from agency_branch_office.tree import SECTION
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agency_core import ApprovalRequest, Employee, Engine, Money, StepBatch
from agency_core.decision import Outcome, Route
from agency_core.entities import Delegation, StepAction, Verdict
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Registrar, Section
from agency_core.policy import Policy
from agency_core.requests import StepCheck
from agency_core.testing import conformance

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def claim(
    department: str, amount: str = "20000", action: str = "expense_reimbursement"
) -> ApprovalRequest:
    return ApprovalRequest("Q1", action, Money(amount, "CNY"), department, "C1")


def route(engine: Engine, request: ApprovalRequest) -> Route:
    decision = engine.decide(request)
    assert decision.route is not None, decision
    return decision.route


def test_br01_branch_claim_goes_to_branch_admin(engine: Engine) -> None:
    small = route(engine, claim("sh-sales", "3000"))
    assert small.roles == ("dept_head", "branch_admin_reviewer")
    assert route(engine, claim("sh-sales")).roles == (
        "dept_head",
        "branch_admin_reviewer",
        "finance_manager",
    )
    big = route(engine, claim("sh-sales", "80000"))
    assert big.roles == ("dept_head", "branch_admin_reviewer", "finance_manager", "general_manager")
    assert any(f.control == "BR-01" for f in big.findings)
    routed = [f for f in big.findings if f.control == "APR-01"]
    assert "finance_reviewer" not in routed[0].message()


def test_br01_head_office_and_other_actions_keep_the_bundled_route(engine: Engine) -> None:
    bundled = Engine()  # the default policy: the same matrix, no branch office plugin
    for request in (
        claim("finance"),
        claim("unlisted"),
        claim("sh-sales", action="fund_disbursement"),
    ):
        assert route(engine, request).roles == route(bundled, request).roles
    assert "finance_reviewer" in route(bundled, claim("sh-sales")).roles


def test_br01_branch_without_admin_department_is_denied(engine: Engine) -> None:
    decision = engine.decide(claim("bj-sales"))
    assert decision.outcome is Outcome.DENY
    assert {f.control for f in decision.violations} == {"BR-01"}


def step(engine: Engine, actor: Employee, request: ApprovalRequest, index: int = 1) -> StepCheck:
    steps = route(engine, request)
    history = tuple(StepAction(i, f"X{i}", Verdict.APPROVE, AT) for i in range(index))
    action = StepAction(index, actor.id, Verdict.APPROVE, AT + timedelta(hours=1))
    return StepCheck(request, steps, action, actor, history=history)


def test_br01_only_the_branch_admin_department_reviews(engine: Engine) -> None:
    request = claim("sh-sales")
    own = Employee("R1", "sh-admin", {"branch_admin_reviewer"})
    assert engine.decide(step(engine, own, request)).outcome is Outcome.ALLOW
    for other in (
        Employee("R2", "bj-admin", {"branch_admin_reviewer"}),
        Employee("R3", "sh-sales", {"branch_admin_reviewer"}),
    ):
        decision = engine.decide(step(engine, other, request))
        assert decision.outcome is Outcome.DENY
        assert {f.control for f in decision.violations} == {"BR-01"}
    finance = Employee("F1", "finance", {"finance_manager"})
    assert engine.decide(step(engine, finance, request)).outcome is Outcome.DENY


def test_apr06_deputy_acts_for_the_director_while_unavailable(engine: Engine) -> None:
    request = ApprovalRequest("Q2", "expense_reimbursement", Money("20000", "CNY"), "sh", "C1")
    director = Employee("BD", "sh", {"branch_director"})
    deputy = Employee("BV", "sh", {"branch_deputy"})
    away = Delegation("BD", "BV", AT, AT + timedelta(days=3), "director travelling")
    steps = route(engine, request)
    assert steps.roles[0] == "dept_head"

    def first_step(delegations: tuple[Delegation, ...], at: datetime) -> StepCheck:
        action = StepAction(0, "BV", Verdict.APPROVE, at, on_behalf_of="BD")
        return StepCheck(request, steps, action, deputy, director, delegations=delegations)

    assert engine.decide(first_step((away,), AT + timedelta(days=1))).outcome is Outcome.ALLOW
    for delegations, at in (((), AT + timedelta(days=1)), ((away,), AT + timedelta(days=4))):
        decision = engine.decide(first_step(delegations, at))
        assert decision.outcome is Outcome.DENY
        assert {f.control for f in decision.violations} == {"APR-06"}


def test_br01_conformance_of_the_swap(policy_with: Callable[[str], Policy]) -> None:
    """The composed engine keeps the approval properties with branch departments in play."""
    policy = policy_with(
        'units = [{ id = "hq", level = "head_office" },'
        ' { id = "finance", level = "department", parent = "hq" },'
        ' { id = "sh", level = "branch", parent = "hq" },'
        ' { id = "sales", level = "department", parent = "sh" },'
        ' { id = "admin", level = "department", parent = "sh", admin = true }]'
    )
    report = conformance.check(
        plugins=[agency_branch_office.plugin],
        policy=policy,
        only=["SOD-01", "SOD-04", "APR-03", "ENG-01"],
        settings=settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck)),
    )
    assert report.ok, str(report)
    assert {r.prop.id for r in report.results} == {"SOD-01", "SOD-04", "APR-03", "ENG-01"}


@given(
    st.sampled_from(["sh-sales", "sh-admin", "sh", "finance", "hq", "elsewhere"]),
    st.decimals(0, 10**7, places=2),
    st.sampled_from(["expense_reimbursement", "fund_disbursement", "major_cost"]),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_br01_swap_changes_exactly_the_finance_step_at_branches(
    engine: Engine, department: str, amount: Decimal, action: str
) -> None:
    request = claim(department, str(amount), action)
    bundled = route(Engine(), request).roles
    swapped = route(engine, request).roles
    if action == "expense_reimbursement" and department.startswith("sh"):
        expected = tuple(
            dict.fromkeys(
                "branch_admin_reviewer" if role == "finance_reviewer" else role for role in bundled
            )
        )
        assert swapped == expected
        assert "finance_reviewer" not in swapped
    else:
        assert swapped == bundled


BRANCH_TREE = (
    'units = [{ id = "hq", level = "head_office" },'
    ' { id = "finance", level = "department", parent = "hq" },'
    ' { id = "sh", level = "branch", parent = "hq" },'
    ' { id = "sales", level = "department", parent = "sh" },'
    ' { id = "admin", level = "department", parent = "sh", admin = true }]'
)


def test_br01_the_plugin_declares_its_property_and_keeps_it(
    policy_with: Callable[[str], Policy],
) -> None:
    """The kit runs the plugin's own BR-01 property, drawing branch departments from its tree."""
    report = conformance.check(
        plugins=[agency_branch_office.plugin],
        policy=policy_with(BRANCH_TREE),
        only=["BR-01"],
        settings=settings(max_examples=40, deadline=None, database=None),
    )
    assert [r.prop.key for r in report.results] == ["BR-01[branch-review]"]
    assert not report.failed, str(report)


class _SwapsOnlyAtTheBranchItself:
    """A firm's copy of the plugin with one bug: it swaps for the branch unit itself but not for
    the branch's departments (the kit used to pass it: it never generated a branch department)."""

    __name__ = "firm_branch_office"

    @hookimpl
    def agency_register_policy(self, register: Registrar[Section]) -> None:
        register(Section(SECTION, BranchOfficePolicy))

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        if request.department != "sh":
            return None
        return agency_branch_office.plugin.agency_approval_route(request=request, policy=policy)


def test_br01_a_broken_replacement_is_caught_under_br01(
    policy_with: Callable[[str], Policy],
) -> None:
    from agency_branch_office.conformance import PROPERTIES

    report = conformance.check(
        plugins=[_SwapsOnlyAtTheBranchItself()],
        policy=policy_with(BRANCH_TREE),
        block=["agency_branch_office.plugin"],
        only=["BR-01"],
        settings=settings(max_examples=40, deadline=None, database=None),
        properties=PROPERTIES,
    )
    assert report.failed == ("BR-01",), str(report)
    assert "must be" in str(report)


def test_br01_in_a_step_batch_is_what_check_step_says(
    policy_with: Callable[[str], Policy],
) -> None:
    """The batch form (``agency_check_steps``) refuses exactly the rows the single form does."""
    policy = policy_with(
        'units = [{ id = "hq", level = "head_office" },'
        ' { id = "finance", level = "department", parent = "hq" },'
        ' { id = "sh", level = "branch", parent = "hq" },'
        ' { id = "sales", level = "department", parent = "sh" },'
        ' { id = "admin", level = "department", parent = "sh", admin = true }]'
    )
    engine = Engine(policy, entry_points=False, plugins=[agency_branch_office.plugin])
    at = datetime(2026, 11, 30, 10, tzinfo=UTC)
    head = ("H1", at)
    rows = [  # a sales claim of branch sh: dept_head, then the branch admin review
        ("R1", "expense_reimbursement", Decimal(1200), "sales", "E1", "A1", "admin", ("branch_admin_reviewer",), (head,)),
        ("R2", "expense_reimbursement", Decimal(1200), "sales", "E1", "F1", "finance", ("branch_admin_reviewer",), (head,)),
        ("R3", "expense_reimbursement", Decimal(1200), "finance", "E1", "F1", "finance", ("finance_reviewer",), (head,)),
    ]  # fmt: skip
    steps = StepBatch(*zip(*rows, strict=True), at=at)
    decisions = engine.check_steps(steps)
    expected = []
    for row in range(len(steps)):
        route = engine.route_approval(steps.request(row)).route
        assert route is not None
        expected.append(engine.check_step(steps.check(row, route)))
    assert decisions == expected
    assert "BR-01" not in decisions[0].controls
    assert "BR-01" in decisions[1].violations[0].control
    assert decisions[2].outcome is Outcome.ALLOW
    report = conformance.check(
        plugins=[agency_branch_office.plugin],
        policy=policy,
        only=["batch-equals-single"],
        settings=settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck)),
    )
    assert report.ok, str(report)

"""SOD: no self-approval, static conflicts, dynamic conflicts, one step per person."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from agency_core import (
    DutyCheck,
    Employee,
    Engine,
    Outcome,
    PerformedDuty,
    RoleGrant,
    Severity,
    StepAction,
    StepCheck,
    default_policy,
    parse_policy,
)
from agency_core.builtin.segregation import static_conflicts
from tests.factories import NOON, STAFF, claim
from tests.test_approvals import ON_LEAVE, approved, step
from tests.test_policy import DEFAULT


def test_sod_01_nobody_approves_their_own_request(engine: Engine) -> None:
    own = claim("3000", requester="head")
    assert step(engine, 0, STAFF["head"], request=own) == {"SOD-01"}


def test_sod_01_a_delegate_approving_their_own_request_is_refused(engine: Engine) -> None:
    own = claim("3000", requester="deputy")
    decision_controls = step(
        engine, 0, STAFF["deputy"], principal=STAFF["head"], delegations=(ON_LEAVE,), request=own
    )
    assert decision_controls == {"SOD-01"}


def test_sod_01_a_deputy_approving_for_the_requester_is_refused(engine: Engine) -> None:
    theirs = claim("3000", requester="head")  # the principal asked; the deputy may not approve it
    controls = step(
        engine, 0, STAFF["deputy"], principal=STAFF["head"], delegations=(ON_LEAVE,), request=theirs
    )
    assert controls == {"SOD-01"}


@given(st.sampled_from(sorted(STAFF)), st.integers(min_value=0, max_value=2), st.booleans())
def test_sod_01_property_the_requester_never_approves(
    requester: str, index: int, delegated: bool
) -> None:
    engine = Engine()
    request = claim("60000", requester=requester)  # three steps
    route = engine.route_approval(request).route
    assert route is not None
    history = tuple(approved(i, f"past-{i}") for i in range(index))
    actor, principal = STAFF[requester], None
    if delegated:
        actor, principal = Employee("stand-in", "sales", {"deputy_dept_head"}), STAFF[requester]
    action = StepAction(index, actor.id, "approve", NOON, on_behalf_of=principal and principal.id)
    delegations = (ON_LEAVE.__class__(requester, "stand-in", ON_LEAVE.starts, ON_LEAVE.ends),)
    check = StepCheck(request, route, action, actor, principal, history, delegations)
    decision = engine.check_step(check)
    assert decision.outcome is Outcome.DENY
    assert "SOD-01" in decision.controls


def test_sod_04_one_person_takes_one_step_of_a_route(engine: Engine) -> None:
    both = Employee("both", "sales", {"dept_head", "finance_reviewer"})
    assert step(engine, 1, both, history=(approved(0, "both"),)) == {"SOD-04"}


def test_sod_04_acting_as_a_deputy_counts_as_the_principal_too(engine: Engine) -> None:
    as_deputy = StepAction(0, "deputy", "approve", NOON, on_behalf_of="head")
    head_as_reviewer = Employee("head", "sales", {"dept_head", "finance_reviewer"})
    assert step(engine, 1, head_as_reviewer, history=(as_deputy,)) == {"SOD-04"}


def test_sod_03_the_approver_of_a_payment_does_not_pay_it(engine: Engine) -> None:
    done = (PerformedDuty("approve_payment", "fm"),)
    decision = engine.check_duty(DutyCheck("PAY-1", "pay", "fm", done))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"SOD-03"}
    assert "（审批与付款）" in decision.findings[0].message("zh-CN")
    other = engine.check_duty(DutyCheck("PAY-1", "pay", "cashier", done))
    assert other.outcome is Outcome.ALLOW


def test_sod_03_unrelated_duties_do_not_conflict(engine: Engine) -> None:
    done = (PerformedDuty("record_entry", "fm"),)
    assert engine.check_duty(DutyCheck("PAY-1", "pay", "fm", done)).outcome is Outcome.ALLOW


def test_sod_02_granting_a_conflicting_role_is_refused(engine: Engine) -> None:
    decision = engine.check_role_grant(RoleGrant(STAFF["cashier"], "bookkeeper_revenue"))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"SOD-02"}
    assert "出纳与收入账目登记" in decision.findings[0].message("zh-CN")
    fine = engine.check_role_grant(RoleGrant(STAFF["cashier"], "purchaser"))
    assert fine.outcome is Outcome.ALLOW


def test_sod_02_an_existing_conflict_is_reported_not_refused(engine: Engine) -> None:
    conflicted = Employee("x", "finance", {"cashier", "auditor"})
    decision = engine.check_role_grant(RoleGrant(conflicted, "purchaser"))
    assert decision.outcome is Outcome.ALLOW
    assert [f.severity for f in decision.findings] == [Severity.WARNING]


POLICY_3 = DEFAULT.replace(
    '[[segregation.static]]\nname = "purchase/acceptance"',
    '[[segregation.static]]\nname = "three"\nroles = ["purchaser", "goods_receiver", "auditor"]\n'
    'cardinality = 3\n[[segregation.static]]\nname = "purchase/acceptance"',
).replace(
    'roles = ["purchaser", "goods_receiver"]\n', 'roles = ["contract_drafter", "goods_receiver"]\n'
)
INHERITING = POLICY_3.replace(
    '[roles.auditor]\nname_en = "Auditor"',
    '[roles.auditor]\ninherits = ["bookkeeper_revenue"]\nname_en = "Auditor"',
)


def test_sod_02_cardinality_three_allows_two_roles_of_the_set() -> None:
    engine = Engine(parse_policy(POLICY_3.encode()))
    two = Employee("y", "ops", {"purchaser"})
    assert engine.check_role_grant(RoleGrant(two, "goods_receiver")).outcome is Outcome.ALLOW
    three = Employee("y", "ops", {"purchaser", "goods_receiver"})
    assert engine.check_role_grant(RoleGrant(three, "auditor")).controls == {"SOD-02"}


def test_sod_02_inherited_roles_count() -> None:
    engine = Engine(parse_policy(INHERITING.encode()))
    # auditor inherits bookkeeper_revenue, which conflicts with cashier
    decision = engine.check_role_grant(RoleGrant(STAFF["cashier"], "auditor"))
    assert decision.outcome is Outcome.DENY
    conflicts = {f.facts["conflict"] for f in decision.findings}
    assert conflicts == {"cashier/audit", "cashier/revenue bookkeeping"}


def test_sod_02_report_of_existing_conflicts() -> None:
    policy = default_policy()
    staff = [
        Employee("ok", "finance", {"cashier", "purchaser"}),
        Employee("bad", "finance", {"cashier", "auditor", "bookkeeper_payable"}),
    ]
    found = [(e.id, c.name, sorted(r)) for e, c, r in static_conflicts(policy, staff)]
    assert found == [
        ("bad", "cashier/audit", ["auditor", "cashier"]),
        ("bad", "cashier/payables bookkeeping", ["bookkeeper_payable", "cashier"]),
    ]

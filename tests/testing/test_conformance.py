"""The conformance suite: the bundled plugins pass it, broken plugins are caught by control."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from agency_core import (
    ApprovalRequest,
    ChargeCheck,
    Employee,
    Engine,
    Money,
    Outcome,
    Record,
    RecordCheck,
    RoleGrant,
    StepAction,
    StepCheck,
)
from agency_core.codec import request_from_json
from agency_core.errors import InvalidInput
from agency_core.policy import default_policy
from agency_core.testing import conformance
from agency_core.testing import strategies as S
from agency_core.testing._apr import edge_requests, expected_route
from agency_core.testing._ret import expected_due
from agency_core.testing._sod import conflicting_grant, variant_policy
from agency_core.testing.conformance import (
    PROFILES,
    PROPERTIES,
    Property,
    Subject,
    Violation,
    check,
    verify,
)
from tests.testing import broken_plugins as broken


def _odd_history_step() -> StepCheck:
    """Found by this suite: a history approving every step of the route and one beyond it.

    ``_order`` once raised StopIteration here (ENG-01); now it is an APR-07 finding.
    """
    request = ApprovalRequest("R1", "leave_request", Money("0", "CNY"), "sales", "E1")
    route = Engine().route_approval(request).route
    assert route is not None
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    history = [StepAction(0, "H0", "approve", at), StepAction(1, "H1", "approve", at)]
    actor = Employee("E2", "sales", {"dept_head"})
    return StepCheck(request, route, StepAction(0, "E2", "approve", at), actor, None, history)


def _known(prop: Property) -> list[object]:
    return [_odd_history_step()] if prop.name == "no-crash-step" else []


@pytest.mark.parametrize("prop", PROPERTIES, ids=[f"{p.id}[{p.name}]" for p in PROPERTIES])
def test_bundled_plugins_conform(prop: Property, bundled: Subject) -> None:
    verify(prop, bundled, examples=_known(prop))


def test_a_history_beyond_the_route_is_an_apr_07_finding() -> None:
    decision = Engine().check_step(_odd_history_step())
    assert decision.controls == {"APR-07"}


CONTROLS = [f"FEE-0{n}" for n in range(1, 9)] + [f"APR-0{n}" for n in range(1, 9)]
CONTROLS += [f"SOD-0{n}" for n in range(1, 5)] + [f"RET-0{n}" for n in range(1, 8)]
"""Every control ID of the core (CONTROLS.md, section 1)."""


def test_every_property_is_named_once() -> None:
    keys = [p.key for p in PROPERTIES]
    assert len(keys) == len(set(keys))


def test_every_control_of_the_core_has_a_property() -> None:
    contract = {"ENG-01", "order-independence", "determinism", "batch-equals-single"}
    assert {p.id for p in PROPERTIES} == set(CONTROLS) | contract


DEFAULT = settings(
    max_examples=PROFILES["default"].max_examples,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
"""The default profile's number of examples, derandomized and without shrinking: a verdict."""
FEWER = settings(DEFAULT, max_examples=15)

B = broken
BROKEN = [
    pytest.param(B.FeeComparedInWholeUnits(), [B.FEES], "FEE-01", set(), id="FEE-01"),
    pytest.param(B.ScheduleLastDayInclusive(), [B.FEES], "FEE-02", set(), id="FEE-02"),
    pytest.param(B.PriceComparedInWholeUnits(), [B.FEES], "FEE-03", set(), id="FEE-03"),
    # reading wall clocks also refuses disclosures made in time in another offset
    pytest.param(B.DisclosureWallClock(), [B.FEES], "FEE-04", {"FEE-01"}, id="FEE-04"),
    pytest.param(B.SecondInvoiceAllowed(), [B.FEES], "FEE-05", set(), id="FEE-05"),
    pytest.param(B.CurrencyIgnored(), [B.FEES], "FEE-06", set(), id="FEE-06"),
    pytest.param(B.StatementSameDay(), [B.FEES], "FEE-07", set(), id="FEE-07"),
    pytest.param(B.InvoiceMarkUnchecked(), [B.FEES], "FEE-08", set(), id="FEE-08"),
    # over the budget, the wrong tier's extra role may be the adjustment's: APR-08 sees it too
    pytest.param(B.TierBoundExclusive(), [], "APR-01", {"APR-08"}, id="APR-01"),
    pytest.param(B.DisbursementBoundInclusive(), [], "APR-02", {"APR-08"}, id="APR-02"),
    # fewer approvals for more money is also the wrong route for those amounts
    pytest.param(B.FewerApprovals(), [], "APR-03", {"APR-01", "APR-02", "APR-08"}, id="APR-03"),
    pytest.param(B.DepartmentScopeIgnored(), [B.APPROVALS], "APR-04", set(), id="APR-04"),
    pytest.param(B.ReasonNeedsWords(), [], "APR-05", set(), id="APR-05"),
    pytest.param(B.DelegationOneDayTooLong(), [B.APPROVALS], "APR-06", set(), id="APR-06"),
    pytest.param(B.RejectionCountedAsDone(), [B.APPROVALS], "APR-07", set(), id="APR-07"),
    pytest.param(B.BudgetEdgeOver(), [], "APR-08", set(), id="APR-08"),
    pytest.param(B.SelfApproval(), [B.SEGREGATION], "SOD-01", set(), id="SOD-01"),
    pytest.param(B.CardinalityReadAsTwo(), [B.SEGREGATION], "SOD-02", set(), id="SOD-02"),
    pytest.param(B.DutiesOneWay(), [B.SEGREGATION], "SOD-03", set(), id="SOD-03"),
    pytest.param(B.DeputyStepsNotCounted(), [B.SEGREGATION], "SOD-04", set(), id="SOD-04"),
    # a rule below the law fails closed: records of the class are unknown (RET-01) and the
    # destruction procedure refuses them (RET-04); their due date is not the schedule's
    pytest.param(
        B.ShortRetention(), [], "RET-01", {"RET-02", "RET-04"}, id="RET-01-short-retention"
    ),
    pytest.param(B.UnknownClassIgnored(), [B.RETENTION], "RET-01", set(), id="RET-01-unknown"),
    # counting from the closing day also destroys statutory records early (RET-01)
    pytest.param(B.CountedFromClosingDay(), [B.RETENTION], "RET-02", {"RET-01"}, id="RET-02"),
    pytest.param(B.HoldFromNextDay(), [B.RETENTION], "RET-03", set(), id="RET-03"),
    pytest.param(B.SupervisorDepartmentsUnchecked(), [B.RETENTION], "RET-04", set(), id="RET-04"),
    pytest.param(B.PrefixOnly(), [B.RETENTION], "RET-05", set(), id="RET-05"),
    pytest.param(B.OverdueLoanNotOut(), [B.RETENTION], "RET-06", set(), id="RET-06"),
    pytest.param(B.OriginalCountsAsBackup(), [B.RETENTION], "RET-07", set(), id="RET-07"),
    # its deputies also lose the department scope of the roles they replace (APR-04)
    pytest.param(
        B.LowerApprovals(),
        [],
        "APR-03",
        {"APR-01", "APR-02", "APR-04", "APR-08"},
        id="APR-03-lower",
    ),
]


def test_every_control_has_a_broken_variant() -> None:
    assert {p.values[2] for p in BROKEN} == set(CONTROLS)


@pytest.mark.parametrize(("plugin", "block", "control", "also"), BROKEN)
def test_broken_variant_is_caught_under_its_control(
    plugin: object, block: list[str], control: str, also: set[str]
) -> None:
    """Caught by the control's properties at the default profile; and across the family (at
    fewer examples, for time) the failures land on the control, not on a neighbour."""
    report = check([plugin], block=block, only=[control], settings=DEFAULT)
    assert control in report.failed, str(report)
    caught = next(r for r in report.results if not r.passed and r.control == control)
    assert isinstance(caught.error, Violation), str(caught)
    assert "request (JSON): " in caught.error.describe()
    family = check([plugin], block=block, only=[control[:3]], settings=FEWER)
    assert set(family.failed) <= {control} | also, str(family)


ENGINE_BROKEN = [
    # a crash denies (fail closed), so the agreed charge no longer passes: FEE-01 fails too
    pytest.param(B.Crashing(), "ENG-01", {"FEE-01"}, id="crashing"),
]


@pytest.mark.parametrize(("plugin", "control", "also"), ENGINE_BROKEN)
def test_a_crashing_plugin_is_caught(plugin: object, control: str, also: set[str]) -> None:
    report = check([plugin], only=["FEE-01", "ENG-01"], settings=DEFAULT)
    assert control in report.failed
    assert set(report.failed) <= {control} | also, str(report)


def test_a_higher_ranked_role_in_place_of_a_lower_one_keeps_apr_03(quick: settings) -> None:
    report = check([B.PromotedApprovals()], only=["APR-03"], settings=quick)
    assert not report.failed, str(report)
    assert "PASS APR-03[monotonic]" in str(report)


def test_a_plugin_keeping_state_is_reported_as_such_naming_it() -> None:
    determinism = next(p for p in PROPERTIES if p.id == "determinism")
    subject = Subject([B.RouteCache()])
    with pytest.raises(Violation) as caught:
        verify(determinism, subject, DEFAULT)
    assert caught.value.control == "determinism"
    assert "plugin broken.route_cache keeps state between calls" in caught.value.problem


def test_a_plugin_reading_the_clock_is_reported_as_such_naming_it() -> None:
    """Three calls microseconds apart agree; the same calls under a moved clock do not."""
    determinism = next(p for p in PROPERTIES if p.id == "determinism")
    with pytest.raises(Violation) as caught:
        verify(determinism, Subject([B.StampsToday()]), DEFAULT)
    assert caught.value.control == "determinism"
    assert caught.value.problem.startswith("plugin broken.stamps_today reads the clock")


def test_a_failure_that_does_not_replay_is_a_determinism_violation() -> None:
    """Hypothesis's FlakyFailure never escapes: the failure is reported as determinism, naming
    the plugin under test."""
    route = next(p for p in PROPERTIES if p.key == "APR-01[route-oracle]")
    sampled_only = Property(route.id, route.name, route.title, route.examples, route.holds)
    with pytest.raises(Violation) as caught:
        verify(sampled_only, Subject([B.WrongOnce()]), settings(max_examples=20, database=None))
    assert caught.value.control == "determinism"
    assert caught.value.problem.startswith("plugin broken.wrong_once keeps state between calls")
    assert caught.value.__suppress_context__


def test_violation_shows_the_shrunk_request_as_json() -> None:
    subject = Subject([B.SelfApproval()], block=[B.SEGREGATION])
    sod01 = next(p for p in PROPERTIES if p.id == "SOD-01")
    with pytest.raises(Violation) as caught:
        verify(sod01, subject, settings(max_examples=100, database=None, derandomize=True))
    text = caught.value.describe()
    assert text.startswith("SOD-01 must deny with SOD-01, got allow")
    assert "counterexample: StepCheck(request=ApprovalRequest(" in text
    shown = json.loads(text.split("request (JSON): ", 1)[1].split("\n", 1)[0])
    assert shown["kind"] == "step"
    assert request_from_json(shown) == caught.value.example
    assert caught.value.example.actor.id == caught.value.example.request.requester


def test_report_lists_each_property(quick: settings) -> None:
    report = check(only=["APR-03", "SOD-04"], settings=quick)
    assert report.ok
    assert [r.prop.id for r in report.results] == ["APR-03", "SOD-04"]
    assert "PASS APR-03[monotonic]" in str(report)


def test_a_plugin_declares_its_own_property(quick: settings) -> None:
    """A department plugin's property runs beside the core's, under its own control ID."""

    def splits_add_up(subject: Subject, parts: list[int]) -> None:
        if sum(parts) != sum(sorted(parts)):
            raise Violation("BR-02", "splits must add up", parts)

    mine = Property(
        "BR-02", "splits", "splits add up", lambda s: st.lists(st.integers()), splits_add_up
    )
    report = check(properties=[*PROPERTIES[:1], mine], settings=quick)
    assert [r.prop.key for r in report.results] == [PROPERTIES[0].key, "BR-02[splits]"]
    assert report.ok


def test_the_route_oracle_enumerates_every_action_department_and_edge() -> None:
    policy = default_policy()
    requests = list(edge_requests(policy, thorough=False))
    pairs = {(r.action, r.department) for r in requests}
    actions = {a for a, _d in policy.matrices}
    departments = set(S.DEPARTMENTS) | {d for _a, d in policy.matrices if d is not None}
    assert pairs == {(a, d) for a in actions for d in departments}
    amounts = {r.amount.amount for r in requests if r.action == "expense_reimbursement"}
    assert {Decimal("4999.99"), Decimal("5000"), Decimal("5000.01")} <= amounts
    assert any(r.budget_remaining == r.amount for r in requests)


def test_the_route_oracle_keeps_an_amount_on_a_bound_in_the_lower_tier() -> None:
    policy = default_policy()
    on = ApprovalRequest("R1", "expense_reimbursement", Money("5000", "CNY"), "sales", "E1")
    above = attrs.evolve(on, amount=Money("5000.01", "CNY"))
    assert len(expected_route(policy, above) or []) == len(expected_route(policy, on) or []) + 1


def test_the_due_date_oracle_counts_from_the_end_of_the_fiscal_year() -> None:
    policy = default_policy()
    voucher = Record("PZ-2024-000001", {"voucher"}, date(2024, 6, 30))
    assert expected_due(policy, voucher) == date(2055, 1, 1)
    card = Record(
        "GK-2024-000001", {"fixed_asset_card"}, date(2024, 1, 2), event_on=date(2028, 2, 28)
    )
    assert expected_due(policy, card) == date(2033, 3, 1)  # from 29 Feb 2028: ends 28 Feb 2033


def test_the_sod_variant_has_a_cardinality_3_set_and_inherited_roles() -> None:
    policy = variant_policy(default_policy())
    (triple,) = [c for c in policy.static_conflicts if c.cardinality == 3]
    first, second, third = sorted(triple.roles)
    two = RoleGrant(Employee("E1", "sales", {first}), second)
    three = RoleGrant(Employee("E1", "sales", {first, second}), third)
    assert not conflicting_grant(policy, two)
    assert conflicting_grant(policy, three)
    inherited = RoleGrant(Employee("E1", "sales", {f"kit_senior_{first}", second}), third)
    assert conflicting_grant(policy, inherited)


def test_bundled_numbering_refuses_non_ascii_digits() -> None:
    full_width = "PZ-\uff12\uff10\uff12\uff14-000001"
    check_ = RecordCheck(Record(full_width, {"voucher"}, date(2024, 1, 1)), date(2024, 2, 1))
    assert "RET-05" in Engine().check_record(check_).controls


def test_a_record_number_with_a_newline_is_refused_where_it_enters() -> None:
    with pytest.raises(InvalidInput):
        Record("PZ-2024-000001\n", {"voucher"}, date(2024, 1, 1))


@given(request=S.charge_checks())
def test_a_faulty_twin_raises_where_the_plugin_answers_and_denies(request: ChargeCheck) -> None:
    from agency_core.builtin import fees

    twin = conformance._faulty_twin(fees)
    engine = Engine(plugins=[twin], block=["agency_core.builtin.fees"])
    decision = engine.check_charge(request)
    assert twin.calls == ["agency_check_charge"]
    assert decision.outcome is Outcome.DENY
    assert {(f.control, f.plugin) for f in decision.findings} == {
        ("ENG-01", "agency_core.builtin.fees[faulty]")
    }


def test_a_plugin_bringing_its_own_hooks_and_kinds_is_faulted_only_where_it_decides() -> None:
    """The kit's fault injection keeps a plugin's registrations, so its own kinds still exist
    and its checks' faults are what ENG-01 judges."""
    from tests.toy import plugin as toy

    report = check([toy], only=["ENG-01"], settings=settings(max_examples=30, database=None))
    assert not report.failed, str(report)

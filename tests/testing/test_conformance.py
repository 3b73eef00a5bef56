"""The conformance suite: the bundled plugins pass it, broken plugins are caught by control."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings

from agency_core import (
    ApprovalRequest,
    ChargeCheck,
    Employee,
    Engine,
    Money,
    Outcome,
    StepAction,
    StepCheck,
)
from agency_core.testing import conformance
from agency_core.testing import strategies as S
from agency_core.testing.conformance import PROPERTIES, Property, Subject, Violation, check, verify
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


def test_every_property_is_named_once() -> None:
    keys = [(p.id, p.name) for p in PROPERTIES]
    assert len(keys) == len(set(keys))
    required = {"SOD-01", "SOD-04", "APR-03", "FEE-01", "FEE-02", "FEE-03", "RET-01", "RET-03"}
    required |= {"RET-06", "ENG-01", "order-independence", "determinism", "batch-equals-single"}
    assert required <= {p.id for p in PROPERTIES}


BROKEN = [
    pytest.param(broken.SelfApproval(), [broken.SEGREGATION], "SOD-01", set(), id="self-approval"),
    pytest.param(broken.FewerApprovals(), [], "APR-03", set(), id="fewer-approvals"),
    pytest.param(broken.LowerApprovals(), [], "APR-03", set(), id="lower-approvals"),
    # the engine also refuses a rule below the law, failing closed: ENG-01 no-crash fails too
    pytest.param(broken.ShortRetention(), [], "RET-01", {"ENG-01"}, id="short-retention"),
    # a crash denies (fail closed), so the agreed charge no longer passes: FEE-01 fails too
    pytest.param(broken.Crashing(), [], "ENG-01", {"FEE-01"}, id="crashing"),
]


@pytest.mark.parametrize(("plugin", "block", "control", "also"), BROKEN)
def test_broken_plugin_is_caught_by_its_control(
    plugin: object, block: list[str], control: str, also: set[str], quick: settings
) -> None:
    report = check([plugin], block=block, settings=quick)
    assert control in report.failed
    assert set(report.failed) <= {control} | also, str(report)
    for result in report.results:
        if not result.passed:
            assert isinstance(result.error, Violation), str(result)
            assert result.error.control == result.prop.id


def test_a_higher_ranked_role_in_place_of_a_lower_one_keeps_apr_03(quick: settings) -> None:
    report = check([broken.PromotedApprovals()], only=["APR-03"], settings=quick)
    assert not report.failed, str(report)
    assert "PASS APR-03[monotonic]" in str(report)


def test_violation_shows_the_shrunk_request() -> None:
    subject = Subject([broken.SelfApproval()], block=[broken.SEGREGATION])
    sod01 = next(p for p in PROPERTIES if p.id == "SOD-01")
    with pytest.raises(Violation) as caught:
        verify(sod01, subject, settings(max_examples=100, database=None, derandomize=True))
    text = caught.value.describe()
    assert text.startswith("SOD-01 must deny with SOD-01, got allow")
    assert "counterexample: StepCheck(request=ApprovalRequest(" in text
    assert caught.value.example.actor.id == caught.value.example.request.requester


def test_report_lists_each_property(quick: settings) -> None:
    report = check(only=["APR-03", "SOD-04"], settings=quick)
    assert report.ok
    assert [r.prop.id for r in report.results] == ["SOD-04", "APR-03"]
    assert "PASS APR-03[monotonic]" in str(report)


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

"""CS-01..CS-06 decided by the engine: each test goes red when its rule is broken."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import agency_customer_service.plugin
import attrs
import pytest
from agency_customer_service import (
    ClientResponse,
    Complaint,
    ComplaintFacts,
    CustomerServicePolicy,
    FollowUp,
    Inquiry,
    InquiryFacts,
    VisitFacts,
)
from hypothesis import given
from hypothesis import strategies as st

from agency_core import Engine
from agency_core.decision import Outcome, Severity
from agency_core.errors import InvalidInput, PolicyError

Decide = Callable[..., Any]
RECEIVED = datetime.fromisoformat("2025-09-30T10:00:00+08:00")
# 5 working days from Tuesday 2025-09-30 across National Day (Oct 1-8 off, Saturday Oct 11 on)
DUE = date(2025, 10, 14)


ENGINE = Engine(plugins=[agency_customer_service.plugin])


def facts(**changes: Any) -> ComplaintFacts:
    base = ComplaintFacts(RECEIVED, "business", DUE, "refund the fee", None, date(2025, 10, 10))
    return attrs.evolve(base, **changes)


def controls(decision: Any, severity: Severity = Severity.DENY) -> set[str]:
    return {f.control for f in decision.findings if f.severity is severity}


# -- CS-01 ------------------------------------------------------------------------------------


def test_cs01_complete_complaint_recorded_at_once_is_allowed(
    engine: Engine, complaint: Complaint
) -> None:
    assert engine.decide(complaint).outcome is Outcome.ALLOW


@pytest.mark.parametrize("field", ["content", "demand", "contact"])
def test_cs01_complaint_without_content_demand_or_contact_is_denied(
    engine: Engine, complaint: Complaint, field: str
) -> None:
    decision = engine.decide(attrs.evolve(complaint, **{field: "  "}))
    assert decision.outcome is Outcome.DENY
    (finding,) = decision.violations
    assert finding.control == "CS-01"
    assert finding.facts["missing"] == field
    assert "customer_service" in finding.plugin


def test_cs01_complaint_recorded_late_is_denied(engine: Engine, complaint: Complaint) -> None:
    late = attrs.evolve(complaint, recorded_at=complaint.received_at + timedelta(minutes=61))
    assert controls(engine.decide(late)) == {"CS-01"}
    in_time = attrs.evolve(complaint, recorded_at=complaint.received_at + timedelta(minutes=60))
    assert engine.decide(in_time).outcome is Outcome.ALLOW


def test_cs01_record_limit_is_policy(
    engine_with: Callable[[str], Engine], complaint: Complaint
) -> None:
    late = attrs.evolve(complaint, recorded_at=complaint.received_at + timedelta(hours=3))
    assert engine_with("record_within_hours = 4").decide(late).outcome is Outcome.ALLOW
    assert engine_with("record_within_hours = 2").decide(late).outcome is Outcome.DENY


# -- CS-02 ------------------------------------------------------------------------------------


def test_cs02_assignment_with_department_and_policy_deadline_is_allowed(
    transition: Decide,
) -> None:
    assert transition("assigned", facts()).outcome is Outcome.ALLOW


def test_cs02_assignment_without_department_is_denied(transition: Decide) -> None:
    assert controls(transition("assigned", facts(department=None))) == {"CS-02"}


def test_cs02_assignment_without_deadline_is_denied(transition: Decide) -> None:
    assert controls(transition("assigned", facts(due_on=None))) == {"CS-02"}


def test_cs02_deadline_later_than_the_working_days_is_denied(transition: Decide) -> None:
    decision = transition("assigned", facts(due_on=DUE + timedelta(days=1)))
    assert controls(decision) == {"CS-02"}
    assert decision.violations[0].facts["limit"] == "2025-10-14"


def test_cs02_handling_days_are_policy(engine_with: Callable[[str], Engine]) -> None:
    from agency_core.entities import Employee
    from agency_core.transitions import TransitionCheck

    def decide(engine: Engine, due: date) -> Outcome:
        check = TransitionCheck(
            "complaint",
            "S-1",
            "received",
            "assigned",
            Employee("K1", "cs"),
            RECEIVED,
            facts(due_on=due),
            [],
        )
        return engine.decide(check).outcome

    assert decide(engine_with("handling_days = 6"), DUE + timedelta(days=1)) is Outcome.ALLOW
    assert decide(engine_with("handling_days = 4"), DUE) is Outcome.DENY


# -- CS-03 ------------------------------------------------------------------------------------


def test_cs03_escalating_an_overdue_complaint_is_allowed(transition: Decide) -> None:
    decision = transition(
        "escalated", facts(), from_state="assigned", at=RECEIVED + timedelta(days=15)
    )
    assert decision.outcome is Outcome.ALLOW


def test_cs03_escalating_before_the_deadline_is_denied(transition: Decide) -> None:
    # the last day itself is still in time (民法典 §203: a period ends at the end of its last day)
    on_last_day = datetime.fromisoformat("2025-10-14T23:00:00+08:00")
    decision = transition("escalated", facts(), from_state="assigned", at=on_last_day)
    assert controls(decision) == {"CS-03"}


def test_cs03_an_overdue_complaint_is_escalated_before_it_is_planned(transition: Decide) -> None:
    late = datetime.fromisoformat("2025-10-15T09:00:00+08:00")
    assert controls(transition("planned", facts(), from_state="assigned", at=late)) == {"CS-03"}
    assert transition("planned", facts(), from_state="escalated", at=late).outcome is Outcome.ALLOW


# -- CS-04 ------------------------------------------------------------------------------------


def test_cs04_close_with_plan_and_satisfied_client_is_allowed(transition: Decide) -> None:
    decision = transition("closed", facts(response="satisfied"), from_state="informed")
    assert decision.outcome is Outcome.ALLOW


@pytest.mark.parametrize(
    ("plan", "response"), [("", "satisfied"), ("fix it", None), ("fix it", "unsatisfied")]
)
def test_cs04_close_without_plan_or_satisfied_response_is_denied(
    transition: Decide, plan: str, response: str | None
) -> None:
    decision = transition("closed", facts(plan=plan, response=response), from_state="informed")
    assert controls(decision) == {"CS-04"}


def test_cs04_planning_needs_a_plan(transition: Decide) -> None:
    assert controls(transition("planned", facts(plan=" "), from_state="assigned")) == {"CS-04"}


@pytest.mark.parametrize("from_state", ["informed", "closed"])
def test_cs04_an_unsatisfied_client_reopens_it(transition: Decide, from_state: str) -> None:
    reopen = facts(response="unsatisfied", due_on=date(2025, 10, 15))
    assert transition("assigned", reopen, from_state=from_state).outcome is Outcome.ALLOW
    satisfied = facts(response="satisfied", due_on=date(2025, 10, 15))
    assert controls(transition("assigned", satisfied, from_state=from_state)) == {"CS-04"}


@given(
    plan=st.one_of(st.sampled_from(["", " ", "\t\n", "refund"]), st.text(max_size=8)),
    response=st.sampled_from([None, *ClientResponse]),
)
def test_cs04_property_never_closed_without_plan_and_response(
    plan: str, response: ClientResponse | None
) -> None:
    engine = ENGINE
    from agency_core.entities import Employee
    from agency_core.transitions import Move, TransitionCheck

    path = ("received", "assigned", "planned", "informed")
    history = [Move(a, b, "K1", RECEIVED) for a, b in itertools.pairwise(path)]
    check = TransitionCheck(
        "complaint",
        "S-1",
        "informed",
        "closed",
        Employee("K1", "cs"),
        RECEIVED,
        facts(plan=plan, response=response),
        history,
    )
    allowed = engine.decide(check).outcome is not Outcome.DENY
    assert allowed == (bool(plan.strip()) and response is ClientResponse.SATISFIED)


def test_cs04_a_move_without_facts_is_denied(transition: Decide) -> None:
    assert controls(transition("closed", None, from_state="informed")) == {"CS-04"}


# -- CS-05 ------------------------------------------------------------------------------------


def test_cs05_visit_with_what_the_client_said_is_allowed(transition: Decide) -> None:
    data = VisitFacts(RECEIVED, "satisfied, asks about renewals")
    assert transition("visited", data, kind="follow_up").outcome is Outcome.ALLOW


def test_cs05_visit_without_outcome_or_before_delivery_is_denied(transition: Decide) -> None:
    assert controls(transition("visited", VisitFacts(RECEIVED, ""), kind="follow_up")) == {"CS-05"}
    early = VisitFacts(RECEIVED + timedelta(days=30), "fine")
    assert controls(transition("visited", early, kind="follow_up")) == {"CS-05"}


# -- CS-06 ------------------------------------------------------------------------------------


def test_cs06_inquiry_answered_in_time(transition: Decide) -> None:
    data = InquiryFacts("bring the original ID card", date(2025, 10, 9))
    assert transition("answered", data, kind="inquiry").findings == ()


def test_cs06_inquiry_without_answer_is_denied(transition: Decide) -> None:
    assert controls(transition("answered", InquiryFacts(" "), kind="inquiry")) == {"CS-06"}


def test_cs06_late_answer_or_late_feedback_is_reported(transition: Decide) -> None:
    late = InquiryFacts("yes", date(2025, 10, 8))
    assert controls(transition("answered", late, kind="inquiry"), Severity.WARNING) == {"CS-06"}
    told = transition("informed", facts(feedback_due_on=date(2025, 10, 8)), from_state="planned")
    assert controls(told, Severity.WARNING) == {"CS-06"}
    assert transition("informed", facts(), from_state="planned").findings == ()


# -- the machine and bad input ------------------------------------------------------------------


def test_unknown_transition_is_refused_with_the_allowed_states(transition: Decide) -> None:
    with pytest.raises(InvalidInput, match="from received it may go to: assigned"):
        transition("closed", facts())


def test_other_subjects_are_left_alone(engine: Engine) -> None:
    from agency_customer_service.rules import check_move

    from agency_core.entities import Employee
    from agency_core.transitions import TransitionCheck

    check = TransitionCheck("case", "C-1", "open", "closed", Employee("K1", "cs"), RECEIVED)
    assert list(check_move(check, engine.policy)) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("client", None),
        ("content", 3),
        ("received_at", datetime(2025, 9, 30)),
        ("recorded_at", RECEIVED - timedelta(seconds=1)),
        ("recorded_by", " "),
        ("case", ""),
    ],
)
def test_bad_complaint_is_invalid_input_naming_the_field(
    complaint: Complaint, field: str, value: object
) -> None:
    with pytest.raises(InvalidInput, match=field):
        attrs.evolve(complaint, **{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [("response", "meh"), ("due_on", "2025-10-14"), ("department", ""), ("plan", None)],
)
def test_bad_facts_are_invalid_input_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInput, match=field if field != "response" else "response"):
        facts(**{field: value})


@pytest.mark.parametrize(
    "body",
    [
        "handling_days = 0",
        "reply_days = -1",
        'follow_up_days = "5"',
        "record_within_hours = 100",
        "handling_days = true",
        "speed = 3",
    ],
)
def test_bad_policy_is_a_policy_error_naming_the_key(
    engine_with: Callable[[str], Engine], body: str
) -> None:
    with pytest.raises(PolicyError, match=r"plugins\.customer_service"):
        engine_with(body)


def test_policy_defaults_are_the_sources() -> None:
    assert CustomerServicePolicy() == CustomerServicePolicy(
        handling_days=5, reply_days=1, follow_up_days=5, record_within_hours=1
    )


def test_complaint_from_json(engine: Engine) -> None:
    from agency_core.codec import request_from_json

    body = {
        "kind": "complaint",
        "id": "CP-9",
        "client": "c",
        "content": "late",
        "demand": "hurry",
        "contact": "mail",
        "received_at": "2025-09-30T10:00:00+08:00",
        "recorded_at": "2025-09-30T10:05:00+08:00",
        "recorded_by": "K1",
    }
    request = request_from_json(body, engine)
    assert isinstance(request, Complaint)
    assert engine.decide(request).outcome is Outcome.ALLOW
    with pytest.raises(InvalidInput, match="contact"):
        request_from_json({**body, "contact": 5}, engine)


def test_complaint_transition_from_json_carries_its_facts(engine: Engine) -> None:
    from agency_core.codec import request_from_json

    body = {
        "kind": "transition",
        "subject_kind": "complaint",
        "subject": "CP-9",
        "from_state": "received",
        "to_state": "assigned",
        "actor": {"id": "K1", "department": "customer_service"},
        "at": "2025-09-30T11:00:00+08:00",
        "data": {
            "received_at": "2025-09-30T10:00:00+08:00",
            "department": "business",
            "due_on": "2025-10-14",
        },
    }
    request = request_from_json(body, engine)
    assert isinstance(request.data, ComplaintFacts)
    assert engine.decide(request).outcome is Outcome.ALLOW
    late = {**body, "data": {**body["data"], "due_on": "2025-10-15"}}
    assert controls(engine.decide(request_from_json(late, engine))) == {"CS-02"}
    with pytest.raises(InvalidInput):
        request_from_json({**body, "data": {**body["data"], "response": "meh"}}, engine)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Inquiry("", "c", "q", "mail", RECEIVED, "K1"), "id"),
        (lambda: Inquiry("I", "c", " ", "mail", RECEIVED, "K1"), "question"),
        (lambda: Inquiry("I", "c", "q", None, RECEIVED, "K1"), "contact"),
        (lambda: Inquiry("I", "c", "q", "mail", datetime(2025, 9, 30), "K1"), "received_at"),
        (lambda: Inquiry("I", "c", "q", "mail", RECEIVED, "K1", case=""), "case"),
        (lambda: InquiryFacts(None), "answer"),  # type: ignore[arg-type]
        (lambda: InquiryFacts("a", datetime(2025, 9, 30)), "due_on"),  # type: ignore[arg-type]
        (lambda: FollowUp("F", "", "c", RECEIVED, "K1"), "case"),
        (lambda: FollowUp("F", "C", "c", "2025-09-30", "K1"), "delivered_at"),  # type: ignore[arg-type]
        (lambda: FollowUp("F", "C", "c", RECEIVED, ""), "owner"),
        (lambda: VisitFacts(RECEIVED, 5), "outcome"),  # type: ignore[arg-type]
        (lambda: VisitFacts(datetime(2025, 9, 30), "ok"), "delivered_at"),
        (lambda: facts(received_at=None), "received_at"),
        (lambda: facts(feedback_due_on="2025-10-10"), "feedback_due_on"),
    ],
)
def test_bad_records_are_invalid_input_naming_the_field(
    make: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInput, match=field):
        make()

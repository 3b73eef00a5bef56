"""HR-01, HR-02, HR-04, HR-05 decided by the engine; the policy section; bad input."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from importlib import resources

import agency_hr.plugin
import attrs
import pytest
from agency_hr import (
    Appeal,
    ApprovalFacts,
    Clearance,
    HrPolicy,
    Leave,
    LeaveCheck,
    Resignation,
    TrainingRecord,
    due_on,
)
from hypothesis import given
from hypothesis import strategies as st

from agency_core import Employee, Engine, Outcome
from agency_core.codec import request_from_json
from agency_core.errors import InvalidInput, PolicyError
from agency_core.policy import parse_policy
from agency_core.transitions import TransitionCheck

START = date(2026, 3, 10)
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
HEAD = Employee("H1", "sales", frozenset({"dept_head"}))


def leave(requested_on: date = date(2026, 3, 2), starts_on: date = START) -> Leave:
    return Leave("L1", "E1", "sales", "annual", starts_on, starts_on + timedelta(2), requested_on)


def approval(status: str = "approved", **changes: object) -> ApprovalFacts:
    facts = ApprovalFacts("L1", "leave_request", "sales", "E1", status, ("H1",))
    return attrs.evolve(facts, **changes)  # type: ignore[arg-type]


@functools.cache  # engines are immutable: one per policy table
def with_section(table: str) -> Engine:
    data = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
    return Engine(
        parse_policy(f"{data}\n[plugins.hr]\n{table}\n".encode(), "firm.toml"),
        plugins=[agency_hr.plugin],
    )


# -- HR-01 ----------------------------------------------------------------------------------------


def test_hr01_a_leave_requested_in_advance_needs_approval_then_goes_ahead(engine: Engine) -> None:
    pending = engine.decide(LeaveCheck(leave(), date(2026, 3, 2)))
    assert pending.outcome is Outcome.NEEDS_APPROVAL
    assert pending.controls == {"HR-01"}
    assert engine.decide(LeaveCheck(leave(), START, approval())).outcome is Outcome.ALLOW


def test_hr01_a_leave_requested_on_its_first_day_is_denied(engine: Engine) -> None:
    late = engine.decide(LeaveCheck(leave(requested_on=START), START, approval()))
    assert late.outcome is Outcome.DENY
    assert late.controls == {"HR-01"}
    assert "2026-03-09" in late.findings[0].message("en")


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_hr01_a_leave_does_not_begin_unapproved(engine: Engine, status: str) -> None:
    decision = engine.decide(LeaveCheck(leave(), START, approval(status)))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"HR-01"}
    assert engine.decide(LeaveCheck(leave(), START)).outcome is Outcome.DENY


@pytest.mark.parametrize(
    "change",
    [{"action": "seal_use"}, {"requester": "E2"}, {"id": "L9"}],
    ids=["other-action", "other-requester", "other-request"],
)
def test_hr01_another_requests_approval_does_not_count(engine: Engine, change: dict) -> None:
    decision = engine.decide(LeaveCheck(leave(), START, approval(**change)))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"HR-01"}


@given(
    notice=st.integers(0, 20),
    lead=st.integers(-5, 30),
)
def test_hr01_property_a_request_is_late_exactly_when_inside_the_notice(
    notice: int, lead: int
) -> None:
    engine = with_section(f"leave_notice_days = {notice}")
    requested = START - timedelta(days=lead)
    decision = engine.decide(LeaveCheck(leave(requested_on=requested), requested, approval()))
    assert (decision.outcome is Outcome.DENY) == (lead < notice)


# -- HR-05 ----------------------------------------------------------------------------------------


def resignation(submitted: date, last: date, **changes: object) -> Resignation:
    return attrs.evolve(  # type: ignore[arg-type]
        Resignation("R1", "E1", "sales", submitted, last, in_writing=True), **changes
    )


def test_hr05_a_resignation_with_thirty_days_notice_in_writing_is_allowed(engine: Engine) -> None:
    ok = resignation(date(2026, 3, 2), date(2026, 4, 1))  # 30 days from the next day: 1 April
    assert engine.decide(ok).outcome is Outcome.ALLOW
    short = engine.decide(resignation(date(2026, 3, 2), date(2026, 3, 31)))
    assert short.outcome is Outcome.DENY
    assert short.controls == {"HR-05"}


def test_hr05_a_resignation_not_in_writing_is_denied(engine: Engine) -> None:
    spoken = engine.decide(resignation(date(2026, 3, 2), date(2026, 5, 1), in_writing=False))
    assert spoken.outcome is Outcome.DENY
    assert spoken.controls == {"HR-05"}
    assert "书面" in spoken.findings[0].message("zh-CN")


def test_hr05_probation_needs_three_days(engine: Engine) -> None:
    probation = resignation(date(2026, 3, 2), date(2026, 3, 5), on_probation=True)
    assert engine.decide(probation).outcome is Outcome.ALLOW
    assert engine.decide(attrs.evolve(probation, on_probation=False)).outcome is Outcome.DENY
    too_soon = attrs.evolve(probation, last_day=date(2026, 3, 4))
    assert engine.decide(too_soon).controls == {"HR-05"}


def test_hr05_a_notice_ending_in_the_national_day_holiday_runs_to_the_next_working_day(
    engine: Engine,
) -> None:
    # 30 days after 1 September 2026 is 1 October, a holiday until 7 October (民法典 §203).
    submitted = date(2026, 9, 1)
    assert engine.decide(resignation(submitted, date(2026, 10, 7))).controls == {"HR-05"}
    assert engine.decide(resignation(submitted, date(2026, 10, 8))).outcome is Outcome.ALLOW


@given(days=st.integers(0, 60), notice=st.integers(0, 40))
def test_hr05_property_allowed_exactly_from_the_end_of_the_notice(days: int, notice: int) -> None:
    engine = with_section(f"resignation_notice_days = {notice}")
    submitted = date(2026, 3, 2)
    decision = engine.decide(resignation(submitted, submitted + timedelta(days=days)))
    earliest = due_on(engine.policy, submitted, notice)
    assert (decision.outcome is Outcome.ALLOW) == (submitted + timedelta(days=days) >= earliest)


# -- HR-02 ----------------------------------------------------------------------------------------


def complete(data: Clearance | None, to: str = "completed") -> TransitionCheck:
    return TransitionCheck("resignation", "resignation/R1", "applied", to, HEAD, NOW, data)


def test_hr02_a_resignation_completes_only_after_every_clearance_item(engine: Engine) -> None:
    bare = engine.decide(complete(Clearance(("handover", "settlement"))))
    assert bare.outcome is Outcome.DENY
    assert bare.controls == {"HR-02"}
    assert "property" in bare.findings[0].message("en")
    assert engine.decide(complete(None)).controls == {"HR-02"}
    full = Clearance(("handover", "property", "settlement"))
    assert engine.decide(complete(full)).outcome is Outcome.ALLOW
    assert engine.decide(complete(None, "withdrawn")).outcome is Outcome.ALLOW


@given(done=st.sets(st.sampled_from(["handover", "settlement", "property", "interview"])))
def test_hr02_property_completion_needs_exactly_the_policy_items(done: set[str]) -> None:
    engine = with_section("")
    decision = engine.decide(complete(Clearance(tuple(sorted(done)))))
    required = set(HrPolicy().clearance_items)
    assert (decision.outcome is Outcome.ALLOW) == (required <= done)


def test_hr02_a_firm_adds_an_exit_interview() -> None:
    engine = with_section('clearance_items = ["handover", "settlement", "property", "interview"]')
    full = Clearance(("handover", "property", "settlement"))
    assert engine.decide(complete(full)).controls == {"HR-02"}
    with_interview = Clearance((*full.done, "interview"))
    assert engine.decide(complete(with_interview)).outcome is Outcome.ALLOW


# -- HR-04 ----------------------------------------------------------------------------------------


def appeal(notified: date, filed: date) -> Appeal:
    return Appeal("A1", "E1", "2026-Q1", notified, filed, "the score ignores the March cases")


def test_hr04_an_appeal_inside_fifteen_days_is_accepted_and_after_it_refused(
    engine: Engine,
) -> None:
    notified = date(2026, 3, 2)  # day 15 is 17 March, a Tuesday
    assert engine.decide(appeal(notified, date(2026, 3, 17))).outcome is Outcome.ALLOW
    late = engine.decide(appeal(notified, date(2026, 3, 18)))
    assert late.outcome is Outcome.DENY
    assert late.controls == {"HR-04"}


def test_hr04_a_window_ending_on_a_holiday_runs_to_the_next_working_day(engine: Engine) -> None:
    notified = date(2026, 9, 16)  # day 15 is 1 October: National Day, off until 7 October
    assert engine.decide(appeal(notified, date(2026, 10, 8))).outcome is Outcome.ALLOW
    assert engine.decide(appeal(notified, date(2026, 10, 9))).controls == {"HR-04"}


@given(window=st.integers(0, 30), after=st.integers(0, 60))
def test_hr04_property_accepted_within_the_window_refused_after(window: int, after: int) -> None:
    engine = with_section(f"appeal_window_days = {window}")
    notified = date(2026, 3, 2)
    filed = notified + timedelta(days=after)
    decision = engine.decide(appeal(notified, filed))
    if after <= window:
        assert decision.outcome is Outcome.ALLOW
    assert (decision.outcome is Outcome.DENY) == (filed > due_on(engine.policy, notified, window))


def test_an_unknown_calendar_year_fails_closed(engine: Engine) -> None:
    decision = engine.decide(appeal(date(2099, 3, 2), date(2099, 3, 3)))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"ENG-01"}


# -- the policy section, JSON, bad input ----------------------------------------------------------


def test_the_defaults_are_the_sources(engine: Engine) -> None:
    spec = engine.policy.section("hr", HrPolicy)
    assert (spec.resignation_notice_days, spec.appeal_window_days) == (30, 15)
    assert spec.clearance_items == ("handover", "settlement", "property")
    assert spec.leave_action in {action for action, _department in engine.policy.matrices}


@pytest.mark.parametrize(
    ("table", "path"),
    [
        ("appeal_window_days = -1", "appeal_window_days"),
        ('resignation_notice_days = "30"', "resignation_notice_days"),
        ("probation_notice_days = true", "probation_notice_days"),
        ("leave_notice_days = 1.5", "leave_notice_days"),
        ('leave_action = ""', "leave_action"),
        ("clearance_items = []", "clearance_items"),
        ('clearance_items = ["handover", "handover"]', "clearance_items"),
        ("surprise = 1", "surprise"),
    ],
)
def test_bad_policy_values_are_refused_naming_the_key(table: str, path: str) -> None:
    with pytest.raises(PolicyError, match=r"@ \$\.plugins\.hr") as caught:
        with_section(table)
    assert path in str(caught.value)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (
            lambda: Leave("L1", "E1", "sales", "annual", START, START - timedelta(1), START),
            "ends_on",
        ),
        (lambda: Leave("L1", "", "sales", "annual", START, START, START), "employee"),
        (lambda: Leave("L1", "E1", "sales", "annual", NOW, START, START), "starts_on"),
        (lambda: LeaveCheck(leave(), "2026-03-02"), "on"),
        (lambda: ApprovalFacts("L1", "leave_request", "sales", "E1", "maybe"), "status"),
        (lambda: Resignation("R1", "E1", "sales", START, START - timedelta(1), True), "last_day"),
        (lambda: Resignation("R1", "E1", "sales", START, START, "yes"), "in_writing"),
        (lambda: TrainingRecord("T1", "E1", " ", START, "passed"), "course"),
        (lambda: TrainingRecord("T1", "E1", "Induction", START, ""), "result"),
        (lambda: Appeal("A1", "E1", "Q1", START, START - timedelta(1), "why"), "filed_on"),
        (lambda: Appeal("A1", "E1", "Q1", START, START, ""), "reason"),
        (lambda: Clearance(("handover", "")), "done"),
        (lambda: LeaveCheck(leave(), START, approval="approved"), "approval"),
        (
            lambda: ApprovalFacts("L1", "leave_request", "sales", "E1", "approved", ("",)),
            "approvers",
        ),
        (
            lambda: Resignation("R1", "E1", "sales", START, START, True, on_probation=None),
            "on_probation",
        ),
        (lambda: Appeal("A1", "E1", "", START, START, "why"), "review"),
        (lambda: TrainingRecord("T1", "E1", "Induction", NOW, "passed"), "completed_on"),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_field(make: object, field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        make()  # type: ignore[operator]


def test_a_leave_reads_from_json(engine: Engine) -> None:
    data = {
        "kind": "leave",
        "on": "2026-03-10",
        "leave": {
            "id": "L1",
            "employee": "E1",
            "department": "sales",
            "kind": "annual",
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-12",
            "requested_on": "2026-03-02",
        },
        "approval": None,
    }
    check = request_from_json(data, engine)
    assert check == LeaveCheck(leave(), START)
    assert engine.decide(check).controls == {"HR-01"}
    with pytest.raises(InvalidInput, match="requested_on"):
        request_from_json({**data, "leave": {**data["leave"], "requested_on": "soon"}}, engine)


def test_the_plugin_loads_through_its_entry_point() -> None:
    engine = Engine(entry_points=["hr"])
    assert {"leave", "resignation", "performance_appeal"} <= set(engine.kinds)
    assert engine.kinds["leave"].plugin == "hr"
    assert "resignation" in engine.machines

"""The customer-service conformance properties bite: the plugin passes them, and a replacement
with one realistic bug per control (CS-01..CS-06) is caught under exactly that control, at the
kit's default profile."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import agency_customer_service.plugin as plugin
import attrs
import pytest
from agency_customer_service import hookspecs, rules
from agency_customer_service.conformance import PROPERTIES
from agency_customer_service.entities import (
    ClientResponse,
    Complaint,
    ComplaintFacts,
    InquiryFacts,
    VisitFacts,
)
from agency_customer_service.machines import MACHINES
from agency_customer_service.policy import CustomerServicePolicy
from agency_customer_service.store import EXTENSION
from sqlalchemy import Select, select

import agency_core.store as st
from agency_core.calendar import Period
from agency_core.decision import Finding, Severity, Text
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.policy.load import parse_policy
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.extension import StoreExtension
from agency_core.store.models import TrackedItemRow
from agency_core.testing import conformance
from agency_core.transitions import StateMachine, TransitionCheck

CheckComplaint = Callable[[Complaint, Policy], Iterable[Finding]]
CheckMove = Callable[[TransitionCheck, Policy], Iterable[Finding]]


def _firm() -> Policy:
    """A firm's own limits: 3 working days to handle, 2 to reply, recorded within 4 hours."""
    default = (Path(st.__file__).parent.parent / "policy" / "default.toml").read_bytes()
    section = b"\n[plugins.customer_service]\nhandling_days = 3\nreply_days = 2\n"
    return parse_policy(default + section + b"record_within_hours = 4\n", "firm.toml")


class CustomerService:
    """The plugin as a firm's developer copies it, with its checks replaced by ``complaint`` and
    ``move`` (the bundled ones by default)."""

    def __init__(
        self,
        complaint: CheckComplaint = rules.check_complaint,
        move: CheckMove = rules.check_move,
        sweeps: tuple[Sweep, ...] = EXTENSION.sweeps,
    ) -> None:
        self.complaint = complaint
        self.move = move
        self.sweeps = sweeps

    @hookimpl
    def agency_addhooks(self, pluginmanager: HookRegistry) -> None:
        pluginmanager.add_hookspecs(hookspecs)

    @hookimpl
    def agency_register_kinds(self, register: Registrar[Kind]) -> None:
        register(Kind("complaint", Complaint, "agency_check_complaint", lambda c: c.recorded_by))

    @hookimpl
    def agency_register_machines(self, register: Registrar[StateMachine]) -> None:
        for machine in MACHINES:
            register(machine)

    @hookimpl
    def agency_register_policy(self, register: Registrar[Section]) -> None:
        register(Section(rules.SECTION, CustomerServicePolicy))

    @hookimpl
    def agency_register_store(self, register: Registrar[StoreExtension]) -> None:
        register(attrs.evolve(EXTENSION, sweeps=self.sweeps))

    @hookimpl
    def agency_check_complaint(self, check: Complaint, policy: Policy) -> Iterable[Finding]:
        return list(self.complaint(check, policy))

    @hookimpl
    def agency_check_transition(
        self, check: TransitionCheck, machine: StateMachine, policy: Policy
    ) -> Iterable[Finding]:
        return list(self.move(check, policy))


def _without(findings: Iterable[Finding], *texts: Text) -> list[Finding]:
    return [f for f in findings if not any(f.text is text for text in texts)]


_COPIED = Text(zh="复制的规则：{why}", en="the copied rule: {why}")


def _deny(control: str, why: str, severity: Severity = Severity.DENY) -> Finding:
    return Finding(control, severity, _COPIED, {"why": why})


# -- the bugs ------------------------------------------------------------------------------------


def _record_in_whole_hours(complaint: Complaint, policy: Policy) -> Iterator[Finding]:
    """CS-01: the delay counted in whole hours: 1 h 59 min passes a one-hour limit."""
    yield from _without(rules.check_complaint(complaint, policy), rules.LATE_RECORD)
    limit = rules.settings(policy).record_within_hours
    hours = int((complaint.recorded_at - complaint.received_at) / timedelta(hours=1))
    if hours > limit:
        yield _deny("CS-01", f"recorded {hours} hours late")


Limit = Callable[[Policy, datetime, int], date]


def _deadline(limit: Limit) -> CheckMove:
    """The move guards with the handling deadline of CS-02 computed by ``limit``."""

    def check_move(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
        yield from _without(rules.check_move(check, policy), rules.LATE_DEADLINE)
        facts = check.data
        if check.to_state == "assigned" and isinstance(facts, ComplaintFacts) and facts.due_on:
            start = facts.received_at if check.from_state == "received" else check.at
            last = limit(policy, start, rules.settings(policy).handling_days)
            if facts.due_on > last:
                yield _deny("CS-02", f"due after {last}")

    return check_move


def _in_calendar_days(policy: Policy, start: datetime, days: int) -> date:
    """CS-02: the handling period counted in calendar days (moved off a day off, §203)."""
    period = Period(days, "calendar_days")
    return policy.calendar.deadline(start, period, policy.timezone).last_day


def _from_the_utc_day(policy: Policy, start: datetime, days: int) -> date:
    """CS-02: the day of receipt taken in UTC: a complaint at 07:00 in Shanghai is a day early."""
    return policy.calendar.add_working_days(start.astimezone(UTC).date(), days)


def _counting_the_day_itself(policy: Policy, start: datetime, days: int) -> date:
    """CS-02: the day of receipt counted as the first day (民法典 §201 says the next day)."""
    day = policy.local_date(start) - timedelta(days=1)
    return policy.calendar.add_working_days(day, days)


def _overdue_on_the_last_day(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """CS-03: overdue on the deadline's own day (it ends at the end of that day, §203)."""
    findings = rules.check_move(check, policy)
    yield from _without(findings, rules.NOT_OVERDUE, rules.ESCALATE_FIRST)
    facts = check.data
    if not isinstance(facts, ComplaintFacts) or check.subject_kind != "complaint":
        return
    overdue = facts.due_on is not None and policy.local_date(check.at) >= facts.due_on
    if check.to_state == "escalated" and not overdue:
        yield _deny("CS-03", "not overdue")
    if check.to_state == "planned" and check.from_state == "assigned" and overdue:
        yield _deny("CS-03", "escalate first")


def _reopen_unless_satisfied(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """CS-04: reopened unless the client said "satisfied" (no answer at all reopens too)."""
    yield from _without(rules.check_move(check, policy), rules.REOPEN_SATISFIED)
    facts = check.data
    reopen = check.to_state == "assigned" and check.from_state != "received"
    satisfied = isinstance(facts, ComplaintFacts) and facts.response is ClientResponse.SATISFIED
    if reopen and satisfied:
        yield _deny("CS-04", "the client is satisfied")


def _visit_by_day(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """CS-05: the visit compared with the delivery by day: an hour before it passes."""
    yield from _without(rules.check_move(check, policy), rules.BEFORE_DELIVERY)
    facts = check.data
    if isinstance(facts, VisitFacts) and policy.local_date(check.at) < policy.local_date(
        facts.delivered_at
    ):
        yield _deny("CS-05", "before the delivery")


def _late_by_utc_day(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """CS-06: a reply's day read in UTC, not in the firm's time zone."""
    yield from _without(rules.check_move(check, policy), rules.LATE_ANSWER, rules.LATE_FEEDBACK)
    facts = check.data
    due = None
    if isinstance(facts, InquiryFacts):
        due = facts.due_on
    elif isinstance(facts, ComplaintFacts) and check.to_state == "informed":
        due = facts.feedback_due_on
    if due is not None and check.at.date() > due:
        yield _deny("CS-06", f"late after {due}", Severity.WARNING)


def _swapped(control: str, query: Callable[[AuditOptions], Select[Any]]) -> tuple[Sweep, ...]:
    """The bundled sweeps with ``control``'s query replaced."""
    return tuple(
        attrs.evolve(sweep, query=query) if sweep.control == control else sweep
        for sweep in EXTENSION.sweeps
    )


def _assigned_overdue_only(opts: AuditOptions) -> Select[Any]:
    """CS-03: only assigned complaints reported: one never assigned goes unnoticed."""
    t = TrackedItemRow
    return select(t.id.label("id")).where(
        t.subject_kind == "complaint", t.state == "assigned", t.due_on < opts.on
    )


def _visits_made_or_not(opts: AuditOptions) -> Select[Any]:
    """CS-05: the open flag forgotten: visits made are reported as missed."""
    t = TrackedItemRow
    return select(t.id.label("id")).where(t.control == "CS-05", t.due_on < opts.on)


def _inquiries_due_today(opts: AuditOptions) -> Select[Any]:
    """CS-06: an inquiry reported on its last day, while it may still be answered."""
    t = TrackedItemRow
    return select(t.id.label("id")).where(
        t.subject_kind == "inquiry", t.is_open.is_(True), t.due_on <= opts.on
    )


BROKEN = {
    "CS-01": CustomerService(complaint=_record_in_whole_hours),
    "CS-02": CustomerService(move=_deadline(_in_calendar_days)),
    "CS-03": CustomerService(move=_overdue_on_the_last_day),
    "CS-04": CustomerService(move=_reopen_unless_satisfied),
    "CS-05": CustomerService(move=_visit_by_day),
    "CS-06": CustomerService(move=_late_by_utc_day),
}
MORE_BROKEN = [
    ("CS-02", CustomerService(move=_deadline(_from_the_utc_day))),
    ("CS-02", CustomerService(move=_deadline(_counting_the_day_itself))),
    ("CS-03", CustomerService(sweeps=_swapped("CS-03", _assigned_overdue_only))),
    ("CS-05", CustomerService(sweeps=_swapped("CS-05", _visits_made_or_not))),
    ("CS-06", CustomerService(sweeps=_swapped("CS-06", _inquiries_due_today))),
]
"""More broken copies: the store's sweeps, and other ways to miscount a deadline."""


def test_every_control_has_a_property_and_a_broken_variant() -> None:
    controls = {f"CS-0{n}" for n in range(1, 7)}
    assert {p.id for p in PROPERTIES} == controls
    assert set(BROKEN) == controls


def test_the_plugin_registers_its_properties_for_the_kit() -> None:
    subject = conformance.Subject([plugin])
    keys = {p.key for p in conformance.all_properties(subject)}
    assert {p.key for p in PROPERTIES} <= keys


@pytest.mark.parametrize("policy", [None, _firm()], ids=["default", "firm"])
def test_the_plugin_keeps_every_property_in_time(policy: Policy | None) -> None:
    started = time.monotonic()
    report = conformance.check(plugins=[plugin], policy=policy, properties=PROPERTIES)
    assert report.failed == (), str(report)
    assert time.monotonic() - started < 60


def test_the_copy_without_a_bug_keeps_every_property() -> None:
    report = conformance.check(plugins=[CustomerService()], properties=PROPERTIES)
    assert report.failed == (), str(report)


@pytest.mark.parametrize(("control", "broken"), [*sorted(BROKEN.items()), *MORE_BROKEN])
def test_a_broken_replacement_is_caught_under_its_control(
    control: str, broken: CustomerService
) -> None:
    report = conformance.check(plugins=[broken], only=[control], properties=PROPERTIES)
    assert report.failed == (control,), str(report)


@pytest.mark.parametrize("control", ["CS-01", "CS-02"])
def test_a_broken_replacement_is_caught_under_a_firms_limits(control: str) -> None:
    report = conformance.check(
        plugins=[BROKEN[control]], policy=_firm(), only=[control], properties=PROPERTIES
    )
    assert report.failed == (control,), str(report)

"""The HR plugin keeps its conformance properties, and each catches a broken copy of it.

Every broken variant is the plugin with one bug a firm's developer makes when copying it; it
wraps the bundled hook (or sweep) and feeds it through the bug, so the bug is the only
difference. The kit must report each under exactly its control ID, at the default profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import agency_hr.plugin
import attrs
import pytest
from agency_hr import Appeal, Clearance, HrPolicy, LeaveCheck, Resignation
from agency_hr.conformance import PROPERTIES, period_end
from agency_hr.rules import NOT_CLEARED
from agency_hr.store import SWEEPS, TrainingRow, extension
from sqlalchemy import select
from sqlalchemy.sql import Select

from agency_core import Finding, Policy, Severity, bundled_calendar, hookimpl
from agency_core.kinds import Kind, Registrar, Section
from agency_core.plugins import HookRegistry
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.extension import StoreExtension
from agency_core.store.models import EmployeeRow
from agency_core.testing import conformance
from agency_core.testing.conformance import VERDICT
from agency_core.transitions import StateMachine, TransitionCheck

PLUGIN = agency_hr.plugin


def _spec(policy: Policy) -> HrPolicy:
    return policy.section("hr", HrPolicy)


class _Hr:
    """The bundled HR plugin, unchanged; each subclass brings one bug."""

    __name__ = "firm_hr"

    @hookimpl
    def agency_addhooks(self, pluginmanager: HookRegistry) -> None:
        PLUGIN.agency_addhooks(pluginmanager=pluginmanager)

    @hookimpl
    def agency_register_kinds(self, register: Registrar[Kind]) -> None:
        PLUGIN.agency_register_kinds(register=register)

    @hookimpl
    def agency_register_machines(self, register: Registrar[StateMachine]) -> None:
        PLUGIN.agency_register_machines(register=register)

    @hookimpl
    def agency_register_policy(self, register: Registrar[Section]) -> None:
        PLUGIN.agency_register_policy(register=register)

    @hookimpl
    def agency_register_store(self, register: Registrar[StoreExtension]) -> None:
        register(extension())

    @hookimpl
    def agency_check_leave(self, check: LeaveCheck, policy: Policy) -> Iterator[Finding]:
        return PLUGIN.agency_check_leave(check=check, policy=policy)

    @hookimpl
    def agency_check_resignation(self, check: Resignation, policy: Policy) -> Iterator[Finding]:
        return PLUGIN.agency_check_resignation(check=check, policy=policy)

    @hookimpl
    def agency_check_performance_appeal(self, check: Appeal, policy: Policy) -> Iterator[Finding]:
        return PLUGIN.agency_check_performance_appeal(check=check, policy=policy)

    @hookimpl
    def agency_check_transition(self, check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
        return PLUGIN.agency_check_transition(check=check, policy=policy)


class FirstDayUnguarded(_Hr):
    """HR-01: ``if check.on > leave.starts_on``: on its first day an unapproved leave only
    needs approval, so the employee is already away."""

    @hookimpl
    def agency_check_leave(self, check: LeaveCheck, policy: Policy) -> Iterator[Finding]:
        if check.on == check.leave.starts_on:
            check = attrs.evolve(check, on=check.on - timedelta(days=1))
        return PLUGIN.agency_check_leave(check=check, policy=policy)


class CountsClearanceItems(_Hr):
    """HR-02: ``len(done) < len(items)``: three items of any kind (a door card returned
    instead of the settlement) complete the resignation."""

    @hookimpl
    def agency_check_transition(self, check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
        items = _spec(policy).clearance_items
        if isinstance(check.data, Clearance) and len(check.data.done) >= len(items):
            check = attrs.evolve(check, data=Clearance(items))
        return PLUGIN.agency_check_transition(check=check, policy=policy)


class HardCodedClearanceItems(_Hr):
    """HR-02: the copy names the three bundled items in code instead of reading
    ``clearance_items``: a firm's own list (in Chinese, with a fourth item) is never checked."""

    @hookimpl
    def agency_check_transition(self, check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
        if check.subject_kind != "resignation" or check.to_state != "completed":
            return
        done = check.data.done if isinstance(check.data, Clearance) else ()
        missing = [item for item in ("handover", "settlement", "property") if item not in done]
        if missing:
            facts = {"resignation": check.subject, "missing": ", ".join(missing)}
            yield Finding("HR-02", Severity.DENY, NOT_CLEARED, facts)


def _anyone_trained(_opts: AuditOptions) -> Select[Any]:
    """The copied sweep lost its correlation: once anybody has a training record, nobody is
    reported."""
    return select(EmployeeRow.id.label("id")).where(~select(TrainingRow.id).exists())


class UncorrelatedTrainingSweep(_Hr):
    """HR-03: the sweep's EXISTS does not name the employee."""

    @hookimpl
    def agency_register_store(self, register: Registrar[StoreExtension]) -> None:
        sweeps = tuple(
            Sweep(s.control, s.title, _anyone_trained) if s.control == "HR-03" else s
            for s in SWEEPS
        )
        register(attrs.evolve(extension(), sweeps=sweeps))


class WindowWithoutHolidayRule(_Hr):
    """HR-04: ``last_day = notified_on + timedelta(days)``: a window ending on a holiday is not
    moved to the next working day (民法典 §203), and an unknown year is counted anyway."""

    @hookimpl
    def agency_check_performance_appeal(self, check: Appeal, policy: Policy) -> Iterator[Finding]:
        last_day = check.notified_on + timedelta(days=_spec(policy).appeal_window_days)
        if check.filed_on > last_day:
            return PLUGIN.agency_check_performance_appeal(check=check, policy=policy)
        return iter(())


class WindowFromTheNotification(_Hr):
    """HR-04: the window counts the day of the notification (§201 says: from the next day),
    so it closes a day early."""

    @hookimpl
    def agency_check_performance_appeal(self, check: Appeal, policy: Policy) -> Iterator[Finding]:
        return PLUGIN.agency_check_performance_appeal(
            check=attrs.evolve(check, notified_on=check.notified_on - timedelta(days=1)),
            policy=policy,
        )


class ProbationNoticeSwapped(_Hr):
    """HR-05: ``days = spec.resignation_notice_days if check.on_probation else
    spec.probation_notice_days``."""

    @hookimpl
    def agency_check_resignation(self, check: Resignation, policy: Policy) -> Iterator[Finding]:
        flipped = attrs.evolve(check, on_probation=not check.on_probation)
        return PLUGIN.agency_check_resignation(check=flipped, policy=policy)


BROKEN = [
    ("HR-01", FirstDayUnguarded()),
    ("HR-02", CountsClearanceItems()),
    ("HR-02", HardCodedClearanceItems()),
    ("HR-03", UncorrelatedTrainingSweep()),
    ("HR-04", WindowWithoutHolidayRule()),
    ("HR-04", WindowFromTheNotification()),
    ("HR-05", ProbationNoticeSwapped()),
]


def test_the_plugin_declares_a_property_for_every_control_and_keeps_them() -> None:
    report = conformance.check([PLUGIN], settings=VERDICT, only=["HR-"])
    assert {r.prop.id for r in report.results} == {f"HR-0{n}" for n in range(1, 6)}
    assert report.ok, str(report)


def test_the_unchanged_copy_keeps_every_property() -> None:
    report = conformance.check([_Hr()], properties=PROPERTIES, settings=VERDICT)
    assert report.ok, str(report)


def test_every_control_has_a_broken_variant() -> None:
    assert {control for control, _plugin in BROKEN} == {p.id for p in PROPERTIES}


@pytest.mark.parametrize(
    ("control", "plugin"), BROKEN, ids=[f"{c}-{type(p).__name__}" for c, p in BROKEN]
)
def test_a_broken_copy_is_caught_under_its_control(control: str, plugin: _Hr) -> None:
    report = conformance.check([plugin], properties=PROPERTIES, only=[control], settings=VERDICT)
    assert report.failed == (control,), str(report)


def test_the_period_oracle_follows_articles_201_and_203() -> None:
    calendar = bundled_calendar()
    # 15 days after 2024-09-15 is 2024-09-30, a Monday: a working day
    assert period_end(calendar, date(2024, 9, 15), 15) == date(2024, 9, 30)
    # 15 days after 2024-09-16 is National Day: the window ends on 2024-10-08, the next working day
    assert period_end(calendar, date(2024, 9, 16), 15) == date(2024, 10, 8)
    # 2024-09-29 (a Sunday) was worked in lieu: a period ending on it ends on it
    assert period_end(calendar, date(2024, 9, 14), 15) == date(2024, 9, 29)
    # a year the calendar does not know: no answer, never weekdays only
    assert period_end(calendar, date(2026, 12, 20), 15) is None

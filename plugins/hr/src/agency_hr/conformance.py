"""What a replacement of the HR plugin must keep, for the conformance kit (HR-01..HR-05).

The oracles read the plugin's own policy section (notice periods, the appeal window, the
clearance items, the leave action) and count periods themselves on the policy's working calendar
(民法典 §201: from the next day; §203: a last day off moves to the next working day); they never
ask the plugin's functions. Dates reach 29 February, year ends, the days before and after every
official holiday and adjusted working day, and years the calendar does not know (which must be
refused, never counted as weekdays). HR-03 lives only in a sweep: its property seeds a scratch
SQLite store (a temporary directory, the plugins' migrations applied) and checks that the sweep
reports exactly the employees without a training record.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from typing import Final

import attrs
from hypothesis import strategies as st

from agency_core import Decision, Employee, Outcome, Severity
from agency_core.calendar import WorkingCalendar
from agency_core.entities.approvals import APPROVAL_STATUSES
from agency_core.errors import PluginError, PolicyError
from agency_core.testing import strategies as S
from agency_core.testing.conformance import Property, Subject, Violation, also_under, expect
from agency_core.transitions import StateMachine, TransitionCheck
from agency_hr.entities import Appeal, ApprovalFacts, Clearance, Leave, LeaveCheck, Resignation
from agency_hr.policy import HrPolicy

__all__ = ["PROPERTIES"]

SECTION: Final = "hr"
RESIGNATION: Final = "resignation"
COMPLETED: Final = "completed"
"""The state a resignation completes in (HR-02)."""
DAY: Final = timedelta(days=1)
NOON: Final = datetime(2024, 2, 29, 12, tzinfo=UTC)

_CJK: Final = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6
)


def _codes(prefix: str) -> st.SearchStrategy[str]:
    """Ids: ``<prefix><n>`` or Chinese (``张三``)."""
    return st.integers(1, 999).map(lambda n: f"{prefix}{n}") | _CJK


def _spec(subject: Subject) -> HrPolicy:
    try:
        return subject.engine.policy.section(SECTION, HrPolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return HrPolicy()


def _calendar(subject: Subject) -> WorkingCalendar:
    calendar: WorkingCalendar = subject.engine.policy.calendar
    return calendar


def _known(calendar: WorkingCalendar) -> tuple[date, date]:
    """The first and last day of the years the calendar knows."""
    return date(min(calendar.years), 1, 1), date(max(calendar.years), 12, 31)


def period_end(calendar: WorkingCalendar, start: date, days: int) -> date | None:
    """The last day of ``days`` calendar days after ``start`` (§201), moved past days off (§203);
    None when a day it must look at lies in a year the calendar does not know."""
    if start.year not in calendar.years:
        return None
    day = start + timedelta(days=days)
    while day.year in calendar.years:
        if calendar.is_working_day(day):
            return day
        day += DAY
    return None


def _edges(calendar: WorkingCalendar, days: int) -> list[date]:
    """Days ``days`` before an official holiday or an adjusted working day (the last day of a
    period started then falls on it), in the known years."""
    first, last = _known(calendar)
    special = sorted(calendar.holidays | calendar.workdays)
    return [d - timedelta(days=days) for d in special if first + timedelta(days=days) <= d <= last]


def _around(*days: date | None) -> list[date]:
    return sorted({d + k * DAY for d in days if d is not None for k in (-1, 0, 1)})


def _denies_all(control: str, example: object, decision: Decision, why: str) -> None:
    if decision.outcome is not Outcome.DENY:
        raise Violation(
            control, f"must deny ({why}), got {decision.outcome.value}", example, [decision]
        )


# -- HR-01 leave -----------------------------------------------------------------------------------


def _leave_verdict(spec: HrPolicy, check: LeaveCheck) -> Severity | None:
    """The worst HR-01 finding the policy asks for: late, foreign or refused approval, or the
    first day reached unapproved deny; an unapproved leave before its first day needs approval."""
    leave, approval = check.leave, check.approval
    late = leave.requested_on > leave.starts_on - timedelta(days=spec.leave_notice_days)
    foreign = approval is not None and (
        approval.id != leave.id
        or approval.action != spec.leave_action
        or approval.requester != leave.employee
    )
    status = approval.status if approval is not None else "none"
    if late or foreign or status == "rejected":
        return Severity.DENY
    if status == "approved":
        return None
    return Severity.DENY if check.on >= leave.starts_on else Severity.APPROVAL


def _hr01(subject: Subject, check: LeaveCheck) -> None:
    expected = _leave_verdict(_spec(subject), check)
    decision = subject.engine.decide(check)
    found = {f.severity for f in decision.findings if f.control == "HR-01"}
    order = [Severity.APPROVAL, Severity.DENY]
    got = max(found & set(order), key=order.index, default=None)
    if got is not expected:
        want = expected.value if expected else "nothing"
        raise Violation(
            "HR-01",
            f"must give {want} under HR-01, got {got.value if got else 'nothing'}",
            check,
            [decision],
        )


def _approvals(leave: Leave, spec: HrPolicy) -> list[ApprovalFacts | None]:
    good = ApprovalFacts(leave.id, spec.leave_action, leave.department, leave.employee, "approved")
    return [
        None,
        *(attrs.evolve(good, status=status) for status in APPROVAL_STATUSES),
        attrs.evolve(good, id=f"{leave.id}二"),
        attrs.evolve(good, action=f"{spec.leave_action}二"),
        attrs.evolve(good, requester=f"{leave.employee}二"),
    ]


def _hr01_cases(subject: Subject, thorough: bool) -> list[LeaveCheck]:
    spec = _spec(subject)
    starts = date(2024, 3, 1)  # the day after 29 February
    latest = starts - timedelta(days=spec.leave_notice_days)
    cases = []
    for requested in _around(latest):
        leave = Leave("请假一", "张三", "销售部", "年假", starts, starts + 2 * DAY, requested)
        for on in _around(starts):
            for approval in _approvals(leave, spec):
                cases.append(LeaveCheck(leave, on, approval))
    return cases


@st.composite
def _leaves(draw: st.DrawFn, subject: Subject) -> LeaveCheck:
    spec = _spec(subject)
    starts = draw(S.edge_days(date(2001, 1, 1), date(2059, 12, 31)))
    latest = starts - timedelta(days=spec.leave_notice_days)
    requested = draw(st.sampled_from(_around(latest)) | S.days(starts - 60 * DAY, starts))
    leave = Leave(
        draw(_codes("L")),
        draw(_codes("E")),
        draw(S.departments(subject.policy)),
        draw(st.sampled_from(["annual", "sick", "年假", "事假"])),
        starts,
        starts + draw(st.integers(0, 10)) * DAY,
        requested,
    )
    on = draw(st.sampled_from(_around(starts)) | S.days(requested, starts + 30 * DAY))
    approval = draw(st.sampled_from(_approvals(leave, spec)))
    return LeaveCheck(leave, on, approval)


# -- HR-02 clearance -------------------------------------------------------------------------------


def _machine(subject: Subject) -> StateMachine:
    registration = subject.engine.machines.get(RESIGNATION)
    if registration is None:
        raise Violation("HR-02", "no state machine registered for 'resignation'", RESIGNATION)
    machine: StateMachine = registration.item
    return machine


def _resignation_move(
    to: str, done: Iterable[str] | None, who: str = "人事专员"
) -> TransitionCheck:
    data = Clearance(tuple(done)) if done is not None else None
    return TransitionCheck(
        RESIGNATION,
        f"{RESIGNATION}/辞职一",
        "applied",
        to,
        Employee(who, "人事部"),
        NOON,
        data,
    )


def _hr02_cases(subject: Subject, thorough: bool) -> list[TransitionCheck]:
    items = _spec(subject).clearance_items
    machine = _machine(subject)
    cases = []
    for to in sorted(machine.targets(machine.initial)):
        cases.append(_resignation_move(to, None))
        for size in range(len(items) + 1):
            for done in combinations(items, size):
                cases.append(_resignation_move(to, done))
                cases.append(_resignation_move(to, (*done, "门禁卡")))  # one not of the policy
    return cases


@st.composite
def _clearances(draw: st.DrawFn, subject: Subject) -> TransitionCheck:
    items = list(_spec(subject).clearance_items)
    machine = _machine(subject)
    to = draw(st.sampled_from(sorted(machine.targets(machine.initial))))
    done = draw(
        st.none() | st.lists(st.sampled_from(items) | _CJK, unique=True, max_size=len(items) + 2)
    )
    return _resignation_move(to, done, draw(_codes("HR")))


def _hr02(subject: Subject, check: TransitionCheck) -> None:
    items = _spec(subject).clearance_items
    done = check.data.done if isinstance(check.data, Clearance) else ()
    missing = [item for item in items if item not in done]
    deny = check.to_state == COMPLETED and bool(missing)
    why = f"to {check.to_state}, missing {missing}" if missing else f"to {check.to_state}, cleared"
    expect("HR-02", deny, check, subject.engine.decide(check), why)


# -- HR-03 training files: a sweep over a scratch store --------------------------------------------


@st.composite
def _training_files(draw: st.DrawFn, subject: Subject) -> tuple[tuple[str, int], ...]:
    """Employees (ids ASCII and Chinese) and how many trainings each has on file; ``""`` the
    trainings of someone who is not an employee of the store (one who left)."""
    people = draw(st.lists(_codes("E"), min_size=1, max_size=4, unique=True))
    files = tuple((person, draw(st.integers(0, 2))) for person in people)
    return files + ((("", draw(st.integers(0, 2))),) if draw(st.booleans()) else ())


def _hr03_cases(subject: Subject, thorough: bool) -> list[tuple[tuple[str, int], ...]]:
    return [
        (("张三", 0),),
        (("张三", 1),),
        (("张三", 0), ("李四", 2)),
        (("张三", 1), ("李四", 0), ("", 1)),
        (("张三", 2), ("李四", 1)),
    ]


def _hr03(subject: Subject, files: tuple[tuple[str, int], ...]) -> None:
    from sqlalchemy import delete

    from agency_core.store.audit import run_audit
    from agency_core.store.extension import extensions
    from agency_core.store.models import EmployeeRoleRow, EmployeeRow
    from agency_hr.store import TrainingRow

    store = subject.scratch_store()
    sweeps = [s for ext in extensions(subject.engine) for s in ext.sweeps if s.control == "HR-03"]
    if not sweeps:
        raise Violation("HR-03", "no sweep reports employees without a training record", files)
    with store.transaction() as tx:
        for table in (TrainingRow, EmployeeRoleRow, EmployeeRow):
            tx.session.execute(delete(table))
        serial = 0
        for person, trainings in files:
            if person:
                tx.employees.put(Employee(person, "销售部"))
            for _ in range(trainings):
                serial += 1
                tx.session.add(
                    TrainingRow(
                        id=f"培训{serial}",
                        employee=person or "已离职员工",
                        course="保密制度",
                        completed_on=date(2024, 2, 29),
                        result="合格",
                    )
                )
    expected = {person for person, trainings in files if person and not trainings}
    found = run_audit(store, sweeps=sweeps, sample=len(files) + 1)
    reported = {sample for finding in found for sample in finding.sample}
    if reported != expected:
        raise Violation(
            "HR-03",
            f"the sweep reports {sorted(reported)}, the employees without a training record "
            f"are {sorted(expected)}",
            files,
        )


# -- HR-04 appeal window, HR-05 notice: periods on the working calendar ----------------------------

PERIOD_KINDS: Final = ("holiday", "any", "unknown-year")
"""Where a period's start is drawn: its last day on a holiday or an adjusted working day (or
next to one), anywhere in the known years, or running into a year the calendar does not know."""


def _starts(subject: Subject, days: int, kind: str) -> st.SearchStrategy[date]:
    calendar = _calendar(subject)
    first, last = _known(calendar)
    if kind == "holiday":
        return st.sampled_from(_around(*_edges(calendar, days))).filter(
            lambda d: first <= d and d + timedelta(days=days + 30) <= last
        )
    if kind == "unknown-year":
        return st.sampled_from([last - k * DAY for k in range(days + 1)] + [last + DAY])
    return S.edge_days(first, last - timedelta(days=days + 30))


def _period_cases(subject: Subject, days: int, thorough: bool) -> list[date]:
    """Starts whose period ends on a holiday or an adjusted working day (of the last two known
    years; of every year when ``thorough``), a 29 February, and the calendar's last days."""
    calendar = _calendar(subject)
    first, last = _known(calendar)
    since = first if thorough else date(last.year - 1, 1, 1)
    edges = [d for d in _edges(calendar, days) if d >= since - timedelta(days=days)]
    picked = [*edges, date(2024, 2, 29), last - days * DAY, last]
    return [d for d in picked if first <= d]


def _ends(start: date, days: int, end: date | None) -> list[date]:
    """Days a filing or a last day falls on: around the period's plain end and its real end."""
    return [d for d in _around(start + timedelta(days=days), end, start) if d >= start]


def _hr04_examples(subject: Subject, kind: str) -> st.SearchStrategy[Appeal]:
    days = _spec(subject).appeal_window_days
    calendar = _calendar(subject)

    @st.composite
    def appeals(draw: st.DrawFn) -> Appeal:
        notified = draw(_starts(subject, days, kind))
        end = period_end(calendar, notified, days)
        filed = draw(st.sampled_from(_ends(notified, days, end)))
        return Appeal(
            draw(_codes("AP")), draw(_codes("E")), draw(_codes("绩效")), notified, filed, "评分有误"
        )

    return appeals()


def _hr04_cases(subject: Subject, thorough: bool) -> list[Appeal]:
    days = _spec(subject).appeal_window_days
    calendar = _calendar(subject)
    cases = []
    for notified in _period_cases(subject, days, thorough):
        end = period_end(calendar, notified, days)
        for filed in _ends(notified, days, end):
            cases.append(Appeal("申诉一", "张三", "二〇二四年度", notified, filed, "评分有误"))
    return cases


def _hr04(subject: Subject, appeal: Appeal) -> None:
    days = _spec(subject).appeal_window_days
    end = period_end(_calendar(subject), appeal.notified_on, days)
    decision = subject.engine.decide(appeal)
    if end is None:
        _denies_all("HR-04", appeal, decision, "the window runs into a year the calendar lacks")
        return
    why = f"the window of {days} days after {appeal.notified_on} ends on {end}"
    expect("HR-04", appeal.filed_on > end, appeal, decision, why)


def _notice(spec: HrPolicy, on_probation: bool) -> int:
    return spec.probation_notice_days if on_probation else spec.resignation_notice_days


def _hr05_examples(subject: Subject, kind: str) -> st.SearchStrategy[Resignation]:
    spec, calendar = _spec(subject), _calendar(subject)

    @st.composite
    def resignations(draw: st.DrawFn) -> Resignation:
        probation = draw(st.booleans())
        days = _notice(spec, probation)
        submitted = draw(_starts(subject, days, kind))
        end = period_end(calendar, submitted, days)
        return Resignation(
            draw(_codes("R")),
            draw(_codes("E")),
            draw(S.departments(subject.policy)),
            submitted,
            draw(st.sampled_from(_ends(submitted, days, end))),
            draw(st.booleans() | st.just(True)),
            draw(st.just("") | _CJK),
            probation,
        )

    return resignations()


def _hr05_cases(subject: Subject, thorough: bool) -> list[Resignation]:
    spec, calendar = _spec(subject), _calendar(subject)
    cases = []
    for probation in (False, True):
        days = _notice(spec, probation)
        for submitted in _period_cases(subject, days, thorough):
            end = period_end(calendar, submitted, days)
            for last_day in _ends(submitted, days, end):
                for writing in (True, False):
                    cases.append(
                        Resignation(
                            "辞职一", "张三", "销售部", submitted, last_day, writing, "", probation
                        )
                    )
    return cases


def _hr05(subject: Subject, resignation: Resignation) -> None:
    spec = _spec(subject)
    days = _notice(spec, resignation.on_probation)
    end = period_end(_calendar(subject), resignation.submitted_on, days)
    decision = subject.engine.decide(resignation)
    if end is None:
        _denies_all(
            "HR-05", resignation, decision, "the notice runs into a year the calendar lacks"
        )
        return
    short = resignation.last_day < end
    why = f"{days} days' notice from {resignation.submitted_on} runs to {end}"
    why += "" if resignation.in_writing else ", not in writing"
    expect("HR-05", short or not resignation.in_writing, resignation, decision, why)


# -- the section a firm writes: every section-reading property runs under it too -------------------

VARIANT: Final = {
    "leave_notice_days": 3,
    "leave_action": "请假审批",
    "resignation_notice_days": 7,
    "probation_notice_days": 1,
    "clearance_items": ["工作交接", "财务结算", "归还公司财物", "交还门禁卡"],
    "appeal_window_days": 10,
}
"""A ``[plugins.hr]`` table other than the defaults (Chinese item names, other periods): a copy
that hard-codes a default instead of reading the section passes the defaults, not this."""

_VARIANTS: weakref.WeakKeyDictionary[Subject, Subject | None] = weakref.WeakKeyDictionary()


def _variant(subject: Subject) -> Subject | None:
    """The subject's plugins under its policy with :data:`VARIANT` as the section (None when no
    plugin of the subject declares the section)."""
    if subject not in _VARIANTS:
        tables = dict(subject.policy.plugin_tables)
        tables[SECTION] = {**tables.get(SECTION, {}), **VARIANT}
        policy = attrs.evolve(subject.policy, plugin_tables=tables)
        try:
            _VARIANTS[subject] = Subject(subject.plugins, policy, subject.block)
        except PolicyError:
            _VARIANTS[subject] = None
    return _VARIANTS[subject]


_OWN: Final = (
    Property(
        "HR-01",
        "notice-and-approval",
        "a leave is requested the notice in advance and begins only approved; before its first "
        "day an unapproved leave needs approval",
        _leaves,
        _hr01,
        _hr01_cases,
    ),
    Property(
        "HR-02",
        "cleared-before-completion",
        "a resignation completes only with every clearance item of the policy done",
        _clearances,
        _hr02,
        _hr02_cases,
    ),
    Property(
        "HR-03",
        "training-files",
        "the sweep reports exactly the employees without a training record",
        _training_files,
        _hr03,
        _hr03_cases,
    ),
    Property(
        "HR-04",
        "appeal-window",
        "an appeal is accepted exactly up to the window's last day on the working calendar",
        _hr04_examples,
        _hr04,
        _hr04_cases,
        kinds=PERIOD_KINDS,
    ),
    Property(
        "HR-05",
        "written-notice",
        "a resignation is in writing and ends no earlier than the notice's last day on the "
        "working calendar (probation's notice on probation)",
        _hr05_examples,
        _hr05,
        _hr05_cases,
        kinds=PERIOD_KINDS,
    ),
)

PROPERTIES: Final = tuple(
    also_under(p, _variant, f"[plugins.{SECTION}] {VARIANT}") if p.id != "HR-03" else p
    for p in _OWN
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``); all
but HR-03 (which reads no section) under the firm's section and under :data:`VARIANT`."""

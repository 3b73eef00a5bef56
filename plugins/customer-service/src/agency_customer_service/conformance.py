"""What a replacement of the customer-service plugin must keep, for the conformance kit (CS-01..06).

The rules are decided by the engine: the complaint as recorded (kind ``complaint``) and the guards
of the ``complaint``, ``inquiry`` and ``follow_up`` machines (kind ``transition``). Each property
asks the engine under test and computes the answer itself: the limits from the plugin's section
(``[plugins.customer_service]``, the shipped defaults when a replacement has none), the handling
deadline by counting working days on the policy's calendar from the day after the event in the
firm's time zone (民法典 §201), never with the plugin's own functions. The examples reach the
edges: a record exactly at its hour limit and one microsecond either side; receipts on the eve
of a holiday, on an adjusted working day, on a year's last day and on 29 February; deadlines one
day either side; instants one microsecond either side of the firm's midnight written in other
offsets; blank texts of ideographic spaces; Chinese ids and texts. The rules kept only by the
audit (overdue complaints, missed visits, unanswered inquiries) are checked by seeding a scratch
SQLite store of the engine under test and running the sweeps the replacement registers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from sqlalchemy import delete

from agency_core.decision import Decision, Outcome, Severity
from agency_core.entities import Employee
from agency_core.errors import PluginError
from agency_core.policy import Policy
from agency_core.store.audit import all_sweeps, run_audit
from agency_core.store.models import TrackedItemRow, TrackedMoveRow
from agency_core.testing.conformance import Property, Subject, Violation, expect
from agency_core.testing.strategies import TIMEZONES
from agency_core.transitions import Move, StateMachine, TransitionCheck
from agency_customer_service.entities import (
    ClientResponse,
    Complaint,
    ComplaintFacts,
    InquiryFacts,
    VisitFacts,
)
from agency_customer_service.policy import CustomerServicePolicy

__all__ = ["PROPERTIES"]

SECTION: Final = "customer_service"
_MICRO: Final = timedelta(microseconds=1)
_DAY: Final = timedelta(days=1)
_TEXTS: Final = ("", " ", "\u3000", "地址写错了", "refund")
"""Blank (empty, a space, an ideographic space) and real texts, Chinese among them."""
_FILLED: Final = ("地址写错了", "重做", "138 0000 0000")
_RESPONSES: Final = (None, ClientResponse.SATISFIED, ClientResponse.UNSATISFIED)
_DEPARTMENTS: Final = (None, "business", "业务部")
_IDS: Final = ("CP-1", "投诉-2025-一")
_CLERK: Final = Employee("客服甲", "customer_service")


def _spec(subject: Subject) -> CustomerServicePolicy:
    try:
        return subject.engine.policy.section(SECTION, CustomerServicePolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return CustomerServicePolicy()


def _blank(text: str) -> bool:
    return not text.strip()


# -- the firm's days -----------------------------------------------------------------------------


def _zone(policy: Policy) -> ZoneInfo:
    return ZoneInfo(policy.timezone)


def _local(policy: Policy, at: datetime) -> date:
    return at.astimezone(_zone(policy)).date()


def _last_day(policy: Policy, event: datetime, days: int) -> date:
    """The ``days``-th working day after the event's day in the firm's time zone (§201)."""
    day = _local(policy, event)
    while days:
        day += _DAY
        days -= policy.calendar.is_working_day(day)
    return day


def _edge_days(policy: Policy, room: int) -> list[date]:
    """Days around the calendar's holidays and adjusted working days, year ends and 29 February,
    in the known years, leaving ``room`` days of known calendar after each."""
    calendar = policy.calendar
    years = sorted(calendar.years)
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31) - timedelta(days=room)
    marks = [*calendar.holidays, *calendar.workdays]
    marks += [date(y, 12, 31) for y in years] + [date(y, 2, 29) for y in years if y % 4 == 0]
    days = {d + timedelta(days=n) for d in marks for n in (-1, 0)}
    recent = [d for d in sorted(days) if first <= d <= last and d.year >= years[-1] - 2]
    return recent or [first]


def _room(days: int) -> int:
    """Calendar days enough for ``days`` working days (the longest holiday is under a month)."""
    return days * 2 + 40


@st.composite
def _instant_near(draw: st.DrawFn, policy: Policy, day: date) -> datetime:
    """An instant on ``day`` or at its edges: the firm's midnight starting or ending it and one
    microsecond either side, or an hour of the day, written in any of the kit's offsets."""
    start = datetime.combine(day, time(), _zone(policy))
    offset = draw(
        st.sampled_from([-_MICRO, timedelta(0), _MICRO, _DAY - _MICRO, _DAY])
        | st.integers(0, 24 * 3600 - 1).map(lambda s: timedelta(seconds=s))
    )
    return (start + offset).astimezone(draw(st.sampled_from(TIMEZONES)))


def _instants(subject: Subject, room: int) -> st.SearchStrategy[datetime]:
    policy = subject.policy
    return st.sampled_from(_edge_days(policy, room)).flatmap(lambda d: _instant_near(policy, d))


# -- building the requests -----------------------------------------------------------------------


def _machine(subject: Subject, control: str, kind: str) -> StateMachine:
    registration = subject.engine.machines.get(kind)
    if registration is None:
        raise Violation(control, f"no state machine is registered for {kind}", kind)
    machine: StateMachine = registration.item
    return machine


def _move(
    subject: Subject,
    control: str,
    kind: str,
    from_state: str,
    to_state: str,
    data: object,
    at: datetime,
    subject_id: str = "CP-1",
) -> TransitionCheck:
    """A move of ``kind`` with a history along the subject's machine to ``from_state``."""
    machine = _machine(subject, control, kind)
    previous = machine.paths(machine.initial)
    if from_state not in previous or to_state not in machine.targets(from_state):
        raise Violation(
            control, f"the {kind} machine has no way to move {from_state} -> {to_state}", kind
        )
    states = [from_state]
    while states[-1] != machine.initial:
        states.append(previous[states[-1]])
    states.reverse()
    history = [
        Move(a, b, _CLERK.id, at - timedelta(hours=len(states) - i))
        for i, (a, b) in enumerate(itertools.pairwise(states))
    ]
    return TransitionCheck(kind, subject_id, from_state, to_state, _CLERK, at, data, history)


def _warned(decision: Decision, control: str) -> bool:
    return any(f.control == control and f.severity is Severity.WARNING for f in decision.findings)


_GUARDED: Final = {
    "CS-02": (("complaint", "received", "assigned"),),
    "CS-03": (("complaint", "assigned", "escalated"),),
    "CS-04": (("complaint", "assigned", "planned"), ("complaint", "informed", "closed")),
    "CS-05": (("follow_up", "scheduled", "visited"),),
    "CS-06": (("complaint", "planned", "informed"), ("inquiry", "received", "answered")),
}
"""Guarded moves a replacement must deny without their facts (fail closed)."""


def _fails_closed(subject: Subject, control: str, move: tuple[str, str, str]) -> None:
    kind, start, to = move
    at = datetime(2025, 10, 9, 10, tzinfo=TIMEZONES[0])
    check = _move(subject, control, kind, start, to, None, at)
    decision = subject.engine.decide(check)
    if decision.outcome is not Outcome.DENY:
        raise Violation(
            control, f"a {kind} move to {to} without facts must deny", check, [decision]
        )


def _prop(
    control: str,
    name: str,
    title: str,
    examples: Any,
    holds: Any,
    cases: Any = None,
    kinds: tuple[str, ...] = (),
) -> Property:
    """A property whose cases start with the control's guarded moves without facts."""

    def all_cases(subject: Subject, thorough: bool) -> Iterable[Any]:
        closed = [("no-facts", move) for move in _GUARDED.get(control, ())]
        return [*closed, *(cases(subject, thorough) if cases else ())]

    def check(subject: Subject, example: Any) -> None:
        if isinstance(example, tuple) and example and example[0] == "no-facts":
            _fails_closed(subject, control, example[1])
        else:
            holds(subject, example)

    return Property(control, name, title, examples, check, cases=all_cases, kinds=kinds)


# -- CS-01: recorded at once, with content, demand and contact -----------------------------------


@st.composite
def _complaints(draw: st.DrawFn, subject: Subject, kind: str) -> Complaint:
    """``timing``: every text filled, recorded around the limit; ``texts``: at once, with blank
    texts among filled ones."""
    limit = timedelta(hours=_spec(subject).record_within_hours)
    received = draw(_instants(subject, 0))
    delay = timedelta(0)
    texts: tuple[str, ...] = _FILLED
    if kind == "timing":
        delay = draw(
            st.sampled_from([limit - _MICRO, limit, limit + _MICRO, timedelta(0), limit + _DAY])
            | st.integers(0, 3 * 24 * 3600).map(lambda s: timedelta(seconds=s))
        )
    else:
        texts = tuple(draw(st.sampled_from([f, *_TEXTS[:3]])) for f in _FILLED)
    recorded = (received + delay).astimezone(draw(st.sampled_from(TIMEZONES)))
    content, demand, contact = texts
    ids = st.sampled_from(_IDS)
    return Complaint(draw(ids), "客户-1", content, demand, contact, received, recorded, "客服甲")


def _complaint_cases(subject: Subject, thorough: bool) -> Iterator[Complaint]:
    limit = timedelta(hours=_spec(subject).record_within_hours)
    received = datetime(2025, 9, 30, 23, 30, tzinfo=TIMEZONES[0])
    for delay in (limit - _MICRO, limit, limit + _MICRO):
        for zone in TIMEZONES[:2]:
            recorded = (received + delay).astimezone(zone)
            yield Complaint("CP-1", "K1", *_FILLED, received, recorded, "K1")
    for blank in range(3):
        content, demand, contact = ("\u3000" if n == blank else t for n, t in enumerate(_FILLED))
        yield Complaint("CP-1", "K1", content, demand, contact, received, received, "K1")


def _recorded(subject: Subject, complaint: Complaint) -> None:
    limit = timedelta(hours=_spec(subject).record_within_hours)
    blanks = [name for name in ("content", "demand", "contact") if _blank(getattr(complaint, name))]
    late = complaint.recorded_at - complaint.received_at > limit
    why = f"blank {blanks}, recorded {complaint.recorded_at - complaint.received_at} after receipt"
    expect("CS-01", bool(blanks) or late, complaint, subject.engine.decide(complaint), why)


# -- CS-02: a department and a deadline of n working days ----------------------------------------


@st.composite
def _assignments(draw: st.DrawFn, subject: Subject, kind: str) -> tuple[Any, ...]:
    days = _spec(subject).handling_days
    event = draw(_instants(subject, _room(days)))
    limit = _last_day(subject.policy, event, days)
    due = draw(st.sampled_from([limit - _DAY, limit, limit + _DAY, None]))
    department = draw(st.sampled_from(_DEPARTMENTS))
    start = "received" if kind == "first" else draw(st.sampled_from(["informed", "closed"]))
    return start, event, department, due


def _assignment_cases(subject: Subject, thorough: bool) -> Iterator[tuple[Any, ...]]:
    days = _spec(subject).handling_days
    zone = _zone(subject.policy)
    for day in (date(2025, 9, 30), date(2025, 1, 27), date(2025, 10, 10), date(2024, 12, 31)):
        for hour in (time(0), time(23, 59, 59, 999_999)):
            event = datetime.combine(day, hour, zone)
            limit = _last_day(subject.policy, event, days)
            for start in ("received", "closed"):
                for due in (limit, limit + _DAY):
                    yield start, event.astimezone(TIMEZONES[1]), "business", due
    event = datetime(2025, 9, 30, 10, tzinfo=zone)
    yield "received", event, None, _last_day(subject.policy, event, days)


def _assigned(subject: Subject, example: tuple[Any, ...]) -> None:
    start, event, department, due = example
    days = _spec(subject).handling_days
    if start == "received":
        facts = ComplaintFacts(event, department, due)
        at = event + timedelta(minutes=5)
    else:  # reopened by an unsatisfied client: a new period from the answer
        received = event - timedelta(days=20)
        facts = ComplaintFacts(received, department, due, "重做", ClientResponse.UNSATISFIED)
        at = event
    limit = _last_day(subject.policy, event, days)
    check = _move(subject, "CS-02", "complaint", start, "assigned", facts, at)
    deny = department is None or due is None or due > limit
    why = f"department {department}, due {due}, {days} working days end {limit}"
    expect("CS-02", deny, check, subject.engine.decide(check), why)


# -- CS-03: escalated when overdue, and only then ------------------------------------------------


_OVERDUE_MOVES: Final = (
    ("assigned", "escalated"),
    ("assigned", "planned"),
    ("escalated", "planned"),
)


@st.composite
def _escalations(draw: st.DrawFn, subject: Subject) -> tuple[Any, ...]:
    due = draw(st.sampled_from(_edge_days(subject.policy, 0)))
    at = draw(_instant_near(subject.policy, due + _DAY) | _instant_near(subject.policy, due))
    move = draw(
        st.sampled_from(
            [("assigned", "escalated"), ("assigned", "planned"), ("escalated", "planned")]
        )
    )
    return *move, draw(st.none() | st.just(due)), at


def _escalation_cases(subject: Subject, thorough: bool) -> Iterator[tuple[Any, ...]]:
    due = date(2025, 10, 8)
    midnight = datetime.combine(due + _DAY, time(), _zone(subject.policy))
    for move in _OVERDUE_MOVES:
        for at in (midnight - _MICRO, midnight):
            for zone in TIMEZONES[:2]:
                yield *move, due, at.astimezone(zone)
        yield *move, None, midnight


def _escalation(subject: Subject, example: tuple[Any, ...]) -> None:
    start, to, due, at = example
    received = at - timedelta(days=30)
    facts = ComplaintFacts(received, "business", due, "重新办理")
    check = _move(subject, "CS-03", "complaint", start, to, facts, at)
    overdue = due is not None and _local(subject.policy, at) > due
    deny = not overdue if to == "escalated" else start == "assigned" and overdue
    why = f"due {due}, at {at} ({_local(subject.policy, at)} for the firm)"
    expect("CS-03", deny, check, subject.engine.decide(check), why)


# -- CS-04: closed with a plan and a satisfied client; reopened by an unsatisfied one ------------

_PLAN_MOVES: Final = (
    ("assigned", "planned"),
    ("escalated", "planned"),
    ("planned", "informed"),
    ("informed", "closed"),
    ("informed", "assigned"),
    ("closed", "assigned"),
)


def _closing_cases(subject: Subject, thorough: bool) -> Iterator[tuple[Any, ...]]:
    for start, to in _PLAN_MOVES:
        for plan in _TEXTS[1:4]:
            for response in _RESPONSES:
                yield start, to, plan, response


def _closing_examples(subject: Subject) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(
        st.sampled_from(_PLAN_MOVES), st.sampled_from(_TEXTS), st.sampled_from(_RESPONSES)
    ).map(lambda t: (*t[0], t[1], t[2]))


def _closing(subject: Subject, example: tuple[Any, ...]) -> None:
    start, to, plan, response = example
    at = datetime(2025, 10, 9, 10, tzinfo=TIMEZONES[0])
    due = date(2025, 10, 14)
    facts = ComplaintFacts(at - timedelta(days=9), "business", due, plan, response)
    check = _move(subject, "CS-04", "complaint", start, to, facts, at)
    if to == "assigned":
        deny = response is not ClientResponse.UNSATISFIED
    elif to == "closed":
        deny = _blank(plan) or response is not ClientResponse.SATISFIED
    else:
        deny = _blank(plan)
    why = f"plan {plan!r}, client {response}"
    expect("CS-04", deny, check, subject.engine.decide(check), why)


# -- CS-05: the follow-up visit, with what the client said, after the delivery -------------------


@st.composite
def _visits(draw: st.DrawFn, subject: Subject, kind: str) -> tuple[datetime, datetime, str]:
    """``timing``: with what the client said, around the delivery; ``outcome``: a day after it,
    with blank outcomes among real ones."""
    delivered = draw(_instants(subject, 0))
    if kind == "timing":
        shift = draw(
            st.sampled_from([-_MICRO, timedelta(0), _MICRO, -timedelta(hours=1), 5 * _DAY])
            | st.integers(-12 * 3600, 12 * 3600).map(lambda s: timedelta(seconds=s))
        )
        outcome = "满意"
    else:
        shift, outcome = _DAY, draw(st.sampled_from(_TEXTS))
    at = (delivered + shift).astimezone(draw(st.sampled_from(TIMEZONES)))
    return delivered, at, outcome


def _visit_cases(subject: Subject, thorough: bool) -> Iterator[tuple[datetime, datetime, str]]:
    delivered = datetime(2025, 10, 9, 10, tzinfo=TIMEZONES[0])
    for shift in (-_MICRO, timedelta(0), _MICRO):
        for zone in TIMEZONES[:3]:
            yield delivered, (delivered + shift).astimezone(zone), "满意"
    for text in _TEXTS[:3]:
        yield delivered, delivered + _DAY, text


def _visit(subject: Subject, example: tuple[datetime, datetime, str]) -> None:
    delivered, at, outcome = example
    check = _move(
        subject, "CS-05", "follow_up", "scheduled", "visited", VisitFacts(delivered, outcome), at
    )
    deny = _blank(outcome) or at < delivered
    why = f"delivered {delivered}, visited {at}, outcome {outcome!r}"
    expect("CS-05", deny, check, subject.engine.decide(check), why)


# -- CS-06: an answer within the reply time ------------------------------------------------------


@st.composite
def _replies(draw: st.DrawFn, subject: Subject, kind: str) -> tuple[Any, ...]:
    due = draw(st.sampled_from(_edge_days(subject.policy, 0)))
    at = draw(_instant_near(subject.policy, due + _DAY) | _instant_near(subject.policy, due))
    return kind, draw(st.sampled_from(_TEXTS)), draw(st.none() | st.just(due)), at


def _reply_cases(subject: Subject, thorough: bool) -> Iterator[tuple[Any, ...]]:
    due = date(2025, 9, 30)
    midnight = datetime.combine(due + _DAY, time(), _zone(subject.policy))
    for kind in ("inquiry", "feedback"):
        for at in (midnight - _MICRO, midnight):
            for zone in TIMEZONES[:2]:
                yield kind, "已答复", due, at.astimezone(zone)
        yield kind, "\u3000", None, midnight


def _reply(subject: Subject, example: tuple[Any, ...]) -> None:
    kind, text, due, at = example
    if kind == "inquiry":
        answer = InquiryFacts(text, due)
        check = _move(subject, "CS-06", "inquiry", "received", "answered", answer, at)
    else:
        received = at - timedelta(days=10)
        facts = ComplaintFacts(received, "business", None, "重新办理", None, due)
        check = _move(subject, "CS-06", "complaint", "planned", "informed", facts, at)
    decision = subject.engine.decide(check)
    if kind == "inquiry":
        expect("CS-06", _blank(text), check, decision, f"answer {text!r}")
    late = due is not None and _local(subject.policy, at) > due
    if _warned(decision, "CS-06") != late:
        problem = (
            "a reply after its day must be reported" if late else "a reply in time is not late"
        )
        raise Violation("CS-06", f"{problem} (due {due}, at {at})", check, [decision])


# -- CS-03, CS-05, CS-06: what the audit reports (the store's sweeps) ----------------------------

_ON_DAYS: Final = (date(2024, 2, 29), date(2025, 1, 1), date(2025, 10, 1), date(2026, 12, 31))
"""Audit days: 29 February, a year's first day, a holiday, a year's last day."""
_TRACKED: Final = {"complaint": "CS-03", "inquiry": "CS-06", "follow_up": "CS-05"}
"""The control each kind of tracked item is opened under."""
_UNHANDLED: Final = ("received", "assigned")
"""A complaint neither planned nor escalated yet: past its day, the audit reports it (CS-03)."""


def _reported(subject: Subject, control: str, on: date) -> None:
    """Seed every state of a complaint, an inquiry and a follow-up visit, due the day before
    ``on``, on it and after: the control's sweep reports exactly the ones it owes."""
    rows = []
    for kind in _TRACKED:
        machine = _machine(subject, control, kind)
        for state in sorted(machine.states):
            for shift in (-1, 0, 1):
                rows.append((kind, state, state not in machine.closed, on + timedelta(days=shift)))
    store = subject.scratch_store()
    opened = datetime.combine(on - timedelta(days=30), time(), TIMEZONES[0])
    with store.transaction() as tx:
        tx.session.execute(delete(TrackedMoveRow))
        tx.session.execute(delete(TrackedItemRow))
        for index, (kind, state, is_open, due) in enumerate(rows):
            tx.session.add(
                TrackedItemRow(
                    id=f"事项-{index}",
                    subject_kind=kind,
                    control=_TRACKED[kind],
                    owner="K1",
                    state=state,
                    is_open=is_open,
                    due_on=due,
                    opened_at=opened,
                    open_key=f"kit-{index}",
                )
            )
    sweeps = [sweep for sweep in all_sweeps(store) if sweep.control == control]
    if not sweeps:
        raise Violation(control, "no audit sweep reports it", on)
    found = run_audit(store, on=on, sweeps=sweeps, sample=len(rows) + 1)
    reported = {row for finding in found for row in finding.sample}
    expected = {
        f"事项-{i}"
        for i, (kind, state, is_open, due) in enumerate(rows)
        if due < on and _owed(control, kind, state, is_open)
    }
    if reported != expected:
        wrong = sorted(reported ^ expected)
        raise Violation(
            control,
            f"the audit of {on} must report {len(expected)} of {len(rows)} items, not "
            f"{len(reported)} (wrong: {wrong[:5]})",
            on,
        )


def _owed(control: str, kind: str, state: str, is_open: bool) -> bool:
    """Whether an item past its day is one the audit of ``control`` reports."""
    if control == "CS-03":
        return kind == "complaint" and state in _UNHANDLED
    return is_open and kind == {"CS-05": "follow_up", "CS-06": "inquiry"}[control]


def _sweep_property(control: str, title: str) -> Property:
    return Property(
        control,
        "sweep",
        title,
        None,
        lambda subject, on: _reported(subject, control, on),
        cases=lambda subject, thorough: _ON_DAYS,
    )


# -- the machines' order -------------------------------------------------------------------------


def _order(subject: Subject, control: str, case: tuple[str, str, str]) -> None:
    """Every path of a complaint to ``after`` passes ``before`` (``before`` → ``after``: that
    move exists from every state named)."""
    before, after, how = case
    machine = _machine(subject, control, "complaint")
    reached = machine.paths(machine.initial)
    if how == "move":
        if before not in reached or after not in machine.targets(before):
            raise Violation(control, f"a complaint must be able to go {before} -> {after}", case)
        return
    if after not in reached:
        raise Violation(control, f"a complaint never reaches {after}", case)
    if after in machine.paths(machine.initial, avoid=before):
        raise Violation(control, f"a complaint reaches {after} without passing {before}", case)


def _order_property(control: str, title: str, *constraints: tuple[str, str, str]) -> Property:
    return Property(
        control,
        "order",
        title,
        None,
        lambda subject, case: _order(subject, control, case),
        cases=lambda subject, thorough: constraints,
    )


PROPERTIES: Final = (
    _prop(
        "CS-01",
        "recorded",
        "a complaint is recorded within the hour limit with its content, demand and contact",
        _complaints,
        _recorded,
        _complaint_cases,
        kinds=("timing", "texts"),
    ),
    _prop(
        "CS-02",
        "deadline",
        "a complaint is assigned to a department, due no later than n working days after "
        "its receipt (or the client's answer, reopened), the day itself not counted",
        _assignments,
        _assigned,
        _assignment_cases,
        kinds=("first", "reopen"),
    ),
    _order_property(
        "CS-02",
        "a complaint is assigned before anyone plans its handling",
        ("assigned", "planned", "path"),
    ),
    _prop(
        "CS-03",
        "escalation",
        "a complaint is escalated only once past its day, and not planned past it unescalated",
        _escalations,
        _escalation,
        _escalation_cases,
    ),
    _sweep_property(
        "CS-03",
        "the audit reports exactly the complaints past their day, neither planned nor escalated",
    ),
    _prop(
        "CS-04",
        "close-reopen",
        "a complaint closes with a plan and a satisfied client; only an unsatisfied one reopens it",
        _closing_examples,
        _closing,
        _closing_cases,
    ),
    _order_property(
        "CS-04",
        "the plan is told before the close, and an unsatisfied client can reopen",
        ("informed", "closed", "path"),
        ("informed", "assigned", "move"),
        ("closed", "assigned", "move"),
    ),
    _prop(
        "CS-05",
        "visit",
        "a follow-up visit records what the client said and is never before the delivery",
        _visits,
        _visit,
        _visit_cases,
        kinds=("timing", "outcome"),
    ),
    _sweep_property(
        "CS-05", "the audit reports exactly the follow-up visits not made by their day"
    ),
    _prop(
        "CS-06",
        "reply",
        "an inquiry is answered with an answer; a reply after its day is reported as late",
        _replies,
        _reply,
        _reply_cases,
        kinds=("inquiry", "feedback"),
    ),
    _sweep_property("CS-06", "the audit reports exactly the inquiries not answered by their day"),
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""

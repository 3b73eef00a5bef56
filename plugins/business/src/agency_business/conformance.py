"""What a replacement of the business plugin must keep, for the conformance kit (BIZ-01..BIZ-09).

Every rule of a case is decided by the engine: the intake decision (kind ``case_intake``) and the
guards of the ``case`` machine's transitions (kind ``transition`` with :class:`CaseFacts`). The
properties below ask the engine under test and compute the expected answer themselves from the
plugin's policy section (``[plugins.business]``, the shipped defaults when a replacement has none):
the business scope, the materials of each service item, the case number scheme, the channels, the
hand-over and the file parts. The order the controls ask for (a notice once, settlement in its
order, the client notified before delivery, the result reviewed before the notice) is checked on
the machine the replacement registers, path by path. The examples reach the edges: every service
item and near misses, every missing material, numbers one digit short or long and in full-width
digits, every approval state of every approval a state needs, instants equal and one microsecond
apart written in other offsets, subjects and actors with Chinese ids. The one rule kept only by
the audit (overdue tasks and cases, BIZ-04) is checked by seeding a scratch SQLite store of the
engine under test and running the sweep the replacement registers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from itertools import chain, combinations, pairwise, permutations
from typing import Any, Final

from hypothesis import strategies as st
from sqlalchemy import delete

from agency_business.entities import APPROVAL_STATES, CaseFacts, CaseIntake
from agency_business.policy import SECTION, BusinessPolicy
from agency_core.decision import Decision, Outcome, Severity
from agency_core.entities import Employee
from agency_core.errors import PluginError
from agency_core.store.audit import all_sweeps, run_audit
from agency_core.store.models import TrackedItemRow, TrackedMoveRow
from agency_core.testing.conformance import Property, Subject, Violation, expect
from agency_core.testing.strategies import TIMEZONES, edge_days, instants_on
from agency_core.transitions import Move, StateMachine, TransitionCheck

__all__ = ["PROPERTIES"]

_CASE: Final = "case"
_APPROVALS: Final = (None, *sorted(APPROVAL_STATES))
_CASES: Final = ("C1", "案件-2026-一")
_ACTORS: Final = ("B1", "业务员甲")
_FIRST: Final = date(2024, 1, 1)
_LAST: Final = date(2026, 12, 31)
"""Days the bundled calendar knows: the guards read no calendar, but the instants are real days."""
_MICRO: Final = timedelta(microseconds=1)


def _spec(subject: Subject) -> BusinessPolicy:
    try:
        return subject.engine.policy.section(SECTION, BusinessPolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return BusinessPolicy()


def _machine(subject: Subject, control: str) -> StateMachine:
    registration = subject.engine.machines.get(_CASE)
    if registration is None:
        raise Violation(control, "no state machine is registered for a case", _CASE)
    machine: StateMachine = registration.item
    return machine


# -- building the requests -----------------------------------------------------------------------


def _move(
    subject: Subject,
    control: str,
    to_state: str,
    facts: CaseFacts | None,
    *,
    from_state: str,
    at: datetime,
    ids: tuple[str, str] = ("C1", "B1"),
) -> TransitionCheck:
    """A case's move ``from_state`` → ``to_state`` with a history along the subject's machine."""
    machine = _machine(subject, control)
    previous = machine.paths(machine.initial)
    if from_state not in previous or to_state not in machine.targets(from_state):
        raise Violation(
            control, f"the case machine has no way to move {from_state} -> {to_state}", to_state
        )
    states = [from_state]
    while states[-1] != machine.initial:
        states.append(previous[states[-1]])
    states.reverse()
    case, actor = ids
    history = [
        Move(a, b, actor, at - timedelta(hours=len(states) - i))
        for i, (a, b) in enumerate(pairwise(states))
    ]
    employee = Employee(actor, "business")
    return TransitionCheck(_CASE, case, from_state, to_state, employee, at, facts, history)


def _instants(subject: Subject) -> st.SearchStrategy[datetime]:
    return edge_days(_FIRST, _LAST).flatmap(lambda d: instants_on(d, subject.policy))


_IDS: Final = st.tuples(st.sampled_from(_CASES), st.sampled_from(_ACTORS))


def _denied(decision: Decision, control: str) -> list[str]:
    return [
        f.message("en") + " " + f.message("zh") + " " + " ".join(map(str, f.facts.values()))
        for f in decision.findings
        if f.control == control and f.severity is Severity.DENY
    ]


def _fails_closed(subject: Subject, control: str, to_state: str, from_state: str) -> None:
    """A guarded move without the case's facts is denied (fail closed)."""
    at = datetime.combine(_FIRST, datetime.min.time(), TIMEZONES[0])
    check = _move(subject, control, to_state, None, from_state=from_state, at=at)
    decision = subject.engine.decide(check)
    if decision.outcome is not Outcome.DENY:
        raise Violation(control, f"a move to {to_state} without facts must deny", check, [decision])


def _order(subject: Subject, control: str, case: tuple[str, str, str]) -> None:
    """Every path from ``start`` to ``after`` in the subject's machine passes ``before``."""
    start, before, after = case
    machine = _machine(subject, control)
    if after not in machine.paths(machine.initial):
        raise Violation(control, f"the case machine never reaches {after}", case)
    again = start == before == after  # once only: never reached again after it
    starts = sorted(machine.targets(before)) if again else [start]
    for here in starts:
        if here in machine.paths(machine.initial) and after in machine.paths(
            here, avoid=None if again else before
        ):
            raise Violation(
                control,
                f"the case machine reaches {after} from {here}"
                + ("" if again else f" without passing {before}"),
                case,
            )


def _ordered(*constraints: tuple[str, str, str]) -> Any:
    return lambda subject, thorough: constraints


def _order_property(control: str, title: str, *constraints: tuple[str, str, str]) -> Property:
    return Property(
        control,
        "order",
        title,
        None,
        lambda subject, case: _order(subject, control, case),
        cases=_ordered(*constraints),
    )


# -- BIZ-01: the business scope ------------------------------------------------------------------


def _near_misses(spec: BusinessPolicy) -> list[str]:
    codes = set(spec.services) | set(BusinessPolicy().services)
    misses = {c + "s" for c in codes} | {c[:-1] for c in codes} | {c.upper() for c in codes}
    return [*sorted(misses - set(spec.services)), "税务登记", "out_of_scope"]


def _scope_cases(subject: Subject, thorough: bool) -> Iterator[tuple[str, str]]:
    spec = _spec(subject)
    for item in [*sorted(spec.services), *_near_misses(spec)]:
        for where in ("intake", "materials_requested", "accepted"):
            yield where, item


def _scope_examples(subject: Subject) -> st.SearchStrategy[tuple[str, str]]:
    spec = _spec(subject)
    items = st.sampled_from([*sorted(spec.services), *_near_misses(spec)]) | st.text(
        st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=20
    )
    return st.tuples(st.sampled_from(("intake", "materials_requested", "accepted")), items)


def _scope(subject: Subject, example: tuple[str, str]) -> None:
    where, item = example
    spec = _spec(subject)
    outside = item not in spec.services
    required = spec.materials(item)
    request: Any
    if where == "intake":
        request = CaseIntake("C1", "K1", item, "B1", required)
    else:
        number = f"{spec.case_number_prefix}-2026-000001"
        facts = CaseFacts(item, required, notice=frozenset(), case_number=number)
        at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
        request = _move(subject, "BIZ-01", where, facts, from_state="inquiry", at=at)
    expect("BIZ-01", outside, request, subject.engine.decide(request), "the business scope")


# -- BIZ-02: one notice listing every missing material -------------------------------------------


def _missing_cases(subject: Subject, thorough: bool) -> Iterator[tuple[str, str, frozenset[str]]]:
    spec = _spec(subject)
    for item in sorted(spec.services):
        required = spec.materials(item)
        for submitted in [frozenset(), *(required - {m} for m in sorted(required)), required]:
            for where in ("intake", "accepted"):
                yield where, item, submitted
        yield "materials_requested", item, frozenset()  # the notice lists all: allowed


@st.composite
def _missing_examples(draw: st.DrawFn, subject: Subject, kind: str) -> Any:
    spec = _spec(subject)
    item = draw(st.sampled_from(sorted(spec.services)))
    required = sorted(spec.materials(item))
    others = sorted({m for s in spec.services.values() for m in s.materials} - set(required))
    submitted = draw(st.sets(st.sampled_from(required))) if required else set()
    if others:
        submitted |= draw(st.sets(st.sampled_from(others), max_size=2))
    if kind != "materials_requested":
        return kind, item, frozenset(submitted)
    missing = set(required) - submitted
    notice = draw(
        st.sampled_from([missing, set(), set(required)])
        | (st.sets(st.sampled_from(required)) if required else st.just(set()))
    )
    return kind, item, frozenset(submitted), frozenset(notice)


def _missing(subject: Subject, example: tuple[Any, ...]) -> None:
    where, item, submitted = example[:3]
    spec = _spec(subject)
    required = spec.materials(item)
    missing = required - submitted
    if where == "intake":
        request: Any = CaseIntake("C1", "K1", item, "B1", submitted)
        decision = subject.engine.decide(request)
        expect("BIZ-02", bool(missing), request, decision, f"missing {sorted(missing)}")
        for text in _denied(decision, "BIZ-02"):
            listed = set(re.findall(r"[a-z][a-z0-9_]*", text)) & required
            if listed != missing:
                raise Violation(
                    "BIZ-02",
                    f"the notice must list every missing material at once: {sorted(missing)}, "
                    f"not {sorted(listed)}",
                    request,
                    [decision],
                )
        return
    at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
    number = f"{spec.case_number_prefix}-2026-000001"
    if where == "accepted":
        facts = CaseFacts(item, submitted, case_number=number)
        deny = bool(missing)
    else:
        notice = example[3] if len(example) > 3 else missing
        facts = CaseFacts(item, submitted, notice=notice)
        deny = not missing or notice != missing
    request = _move(subject, "BIZ-02", where, facts, from_state="inquiry", at=at)
    expect("BIZ-02", deny, request, subject.engine.decide(request), f"missing {sorted(missing)}")


# -- BIZ-03: the case number ---------------------------------------------------------------------

_FULL_WIDTH: Final = str.maketrans("0123456789", "０１２３４５６７８９")
_ARABIC_INDIC: Final = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@st.composite
def _numbers(draw: st.DrawFn, subject: Subject) -> str | None:
    year = draw(st.sampled_from([1000, 2024, 2026, 9999]) | st.integers(1000, 9999))
    serial = draw(st.sampled_from([0, 1, 999_999]) | st.integers(0, 999_999))
    return draw(st.sampled_from(_variants(_spec(subject).case_number_prefix, year, serial)))


def _number_cases(subject: Subject, thorough: bool) -> Iterator[Any]:
    spec = _spec(subject)
    item = sorted(spec.services)[0]
    for year, serial in ((2026, 1), (9999, 999_999)):
        for number in _variants(spec.case_number_prefix, year, serial):
            yield item, number, (_CASES[1], _ACTORS[1])


def _variants(prefix: str, year: int, serial: int) -> list[str | None]:
    """A valid number and its near misses: a digit more or less, another or lower-case prefix,
    full-width or Arabic-Indic digits, other separators, text around it, none."""
    valid = f"{prefix}-{year:04d}-{serial:06d}"
    other = "BIZ" if prefix != "BIZ" else "BIZX"
    variants: list[str | None] = [
        valid,
        valid + str(serial % 10),
        valid[:-1],
        f"{prefix}-{year % 1000:03d}-{serial:06d}",
        f"{prefix}-{year:04d}{serial % 10}-{serial:06d}",
        f"{prefix.lower()}-{year:04d}-{serial:06d}",
        f"{other}-{year:04d}-{serial:06d}",
        f"{prefix}-{year:04d}-{serial:06d}".translate(_FULL_WIDTH),
        f"{prefix}-{str(year).translate(_FULL_WIDTH)}-{serial:06d}",
        f"{prefix}-{year:04d}-{f'{serial:06d}'.translate(_FULL_WIDTH)}",
        f"{prefix}_{year:04d}_{serial:06d}",
        f" {valid}",
        f"案件{valid}",
        f"{prefix}-{year:04d}-{serial:06d}".translate(_ARABIC_INDIC),
        None,
    ]
    return variants


def _number_examples(subject: Subject) -> st.SearchStrategy[Any]:
    spec = _spec(subject)
    return st.tuples(st.sampled_from(sorted(spec.services)), _numbers(subject), _IDS)


def _number(subject: Subject, example: tuple[str, str | None, tuple[str, str]]) -> None:
    item, number, ids = example
    spec = _spec(subject)
    pattern = rf"{re.escape(spec.case_number_prefix)}-[0-9]{{4}}-[0-9]{{6}}"
    valid = number is not None and re.fullmatch(pattern, number) is not None
    facts = CaseFacts(item, spec.materials(item), case_number=number)
    at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
    request = _move(subject, "BIZ-03", "accepted", facts, from_state="inquiry", at=at, ids=ids)
    why = f"a number {spec.case_number_prefix}-YYYY-NNNNNN in ASCII digits"
    expect("BIZ-03", not valid, request, subject.engine.decide(request), why)


# -- BIZ-04: work on owned tasks, complete when every task is done -------------------------------


def _task_cases(subject: Subject, thorough: bool) -> Iterator[tuple[str, str, int, int]]:
    for start in ("planned", "replanning"):
        for tasks in (0, 1, 2):
            yield start, "in_progress", tasks, 0
    for tasks, open_tasks in ((1, 0), (1, 1), (2, 1), (3, 0), (3, 3)):
        yield "in_progress", "completed", tasks, open_tasks


def _task_examples(subject: Subject) -> st.SearchStrategy[tuple[str, str, int, int]]:
    counts = st.integers(0, 5).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))
    moves = st.sampled_from(
        [("planned", "in_progress"), ("replanning", "in_progress"), ("in_progress", "completed")]
    )
    return st.builds(lambda m, c: (*m, *c), moves, counts)


def _tasks(subject: Subject, example: tuple[str, str, int, int]) -> None:
    start, to, tasks, open_tasks = example
    spec = _spec(subject)
    item = sorted(spec.services)[0]
    facts = CaseFacts(
        item,
        spec.materials(item),
        plan_approval="approved",
        plan_change_approval="approved",
        tasks=tasks,
        open_tasks=open_tasks,
    )
    at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
    request = _move(subject, "BIZ-04", to, facts, from_state=start, at=at)
    deny = tasks == 0 if to == "in_progress" else open_tasks > 0
    expect(
        "BIZ-04", deny, request, subject.engine.decide(request), f"{tasks} tasks, {open_tasks} open"
    )


# -- BIZ-05: settlement in its order -------------------------------------------------------------


@st.composite
def _settlement_examples(draw: st.DrawFn, subject: Subject, kind: str) -> Any:
    spec = _spec(subject)
    if kind == "client_confirmed":
        base = draw(_instants(subject))
        shift = st.sampled_from([-_MICRO, timedelta(0), _MICRO, timedelta(hours=-9)])
        zones = st.sampled_from(TIMEZONES)
        issued = draw(st.none() | shift.map(lambda d: base + d))
        confirmed = draw(st.none() | shift.map(lambda d: base + d))
        issued = issued.astimezone(draw(zones)) if issued else None
        confirmed = confirmed.astimezone(draw(zones)) if confirmed else None
        at = (base + draw(shift)).astimezone(draw(zones))
        return kind, issued, confirmed, at
    roles = (spec.settlement_manager_role, spec.settlement_finance_role, "deputy_gm")
    orders = [p[:n] for n in range(4) for p in permutations(roles)]
    approved = draw(st.sampled_from(sorted(set(orders))))
    approval = draw(st.just("approved") | st.sampled_from(_APPROVALS))
    return kind, approved, approval, draw(st.none() | st.just("发票-1"))


def _settlement_cases(subject: Subject, thorough: bool) -> Iterator[Any]:
    spec = _spec(subject)
    manager, finance = spec.settlement_manager_role, spec.settlement_finance_role
    at = datetime(2026, 12, 31, 16, tzinfo=TIMEZONES[1])  # 1 January in Shanghai
    for issued, confirmed in ((at, at), (at, at + _MICRO), (at - _MICRO, at), (None, at)):
        yield "client_confirmed", issued, confirmed, at.astimezone(TIMEZONES[0])
    orders = [(), (manager,), (finance,), (manager, finance), (finance, manager)]
    for kind in ("manager_approved", "finance_approved", "invoiced"):
        for approved in orders:
            for approval in ("approved", "pending"):
                yield kind, approved, approval, "INV-1"
    yield "invoiced", (manager, finance), "approved", None


_BEFORE: Final = {
    "client_confirmed": "delivered",
    "manager_approved": "client_confirmed",
    "finance_approved": "manager_approved",
    "invoiced": "finance_approved",
}


def _settlement(subject: Subject, example: tuple[Any, ...]) -> None:
    kind = example[0]
    spec = _spec(subject)
    item = sorted(spec.services)[0]
    manager, finance = spec.settlement_manager_role, spec.settlement_finance_role
    if kind == "client_confirmed":
        _kind, issued, confirmed, at = example
        facts = CaseFacts(item, statement_issued_at=issued, client_confirmed_at=confirmed)
        deny = not (issued is not None and confirmed is not None and issued <= confirmed <= at)
        why = "a statement given before the client's confirmation, both by the move"
    else:
        _kind, approved, approval, invoice = example
        at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
        facts = CaseFacts(
            item,
            settlement_approved_by=approved,
            settlement_approval=approval,
            invoice_id=invoice,
        )
        if kind == "manager_approved":
            deny = approved[:1] != (manager,)
        elif kind == "finance_approved":
            deny = approved[:2] != (manager, finance) or approval != "approved"
        else:
            deny = invoice is None
        why = f"approved by {list(approved)} ({approval}), invoice {invoice}"
    request = _move(subject, "BIZ-05", kind, facts, from_state=_BEFORE[kind], at=at)
    expect("BIZ-05", deny, request, subject.engine.decide(request), why)


# -- BIZ-06: the client notified by an allowed channel -------------------------------------------


def _channels(subject: Subject) -> list[str | None]:
    spec = _spec(subject)
    shipped = set(BusinessPolicy().notify_channels)
    known = sorted(set(spec.notify_channels) | shipped)
    return [*known, *(c + "_x" for c in known[:2]), "wechat", "电话", None]


def _channel(subject: Subject, example: tuple[str | None, tuple[str, str]]) -> None:
    channel, ids = example
    spec = _spec(subject)
    item = sorted(spec.services)[0]
    at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
    facts = CaseFacts(item, notified_via=channel)
    request = _move(subject, "BIZ-06", "notified", facts, from_state="reviewed", at=at, ids=ids)
    deny = channel not in spec.notify_channels
    expect("BIZ-06", deny, request, subject.engine.decide(request), f"channel {channel}")


# -- BIZ-07: contract on an approved intake, work on an approved plan ----------------------------

_NAMES: Final = ("intake_approval", "plan_approval", "plan_change_approval")
_APPROVAL_OF: Final = {
    ("accepted", "intake_approved"): "intake_approval",
    ("intake_approved", "contracted"): "intake_approval",
    ("contracted", "planned"): "plan_approval",
    ("replanning", "in_progress"): "plan_change_approval",
    ("planned", "in_progress"): None,
}


def _approval_cases(subject: Subject, thorough: bool) -> Iterator[tuple[str, str, Any, Any, Any]]:
    for (start, to), field in _APPROVAL_OF.items():
        for approvals in _approval_triples(field):
            yield start, to, *approvals


def _approval_triples(field: str | None) -> Iterator[tuple[Any, Any, Any]]:
    """Every state of the approval the move needs, each with the others approved and not."""
    for value in _APPROVALS:
        for others in ("approved", None):
            intake, plan, change = (value if name == field else others for name in _NAMES)
            yield intake, plan, change


def _approval(subject: Subject, example: tuple[str, str, Any, Any, Any]) -> None:
    start, to, intake, plan, change = example
    spec = _spec(subject)
    item = sorted(spec.services)[0]
    facts = CaseFacts(
        item,
        spec.materials(item),
        intake_approval=intake,
        plan_approval=plan,
        plan_change_approval=change,
        tasks=1,
    )
    at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
    request = _move(subject, "BIZ-07", to, facts, from_state=start, at=at)
    field = _APPROVAL_OF[(start, to)]
    deny = field is not None and dict(zip(_NAMES, example[2:], strict=True))[field] != "approved"
    expect("BIZ-07", deny, request, subject.engine.decide(request), f"{field} of {start} -> {to}")


# -- BIZ-08: a complete file to close ------------------------------------------------------------


def _file_cases(
    subject: Subject, thorough: bool
) -> Iterator[tuple[str, frozenset[str], frozenset[str]]]:
    spec = _spec(subject)
    parts = frozenset(spec.file_parts)
    for item in sorted(spec.services):
        required = spec.materials(item)
        yield item, parts, required
        for part in sorted(parts):
            yield item, parts - {part}, required
        for material in sorted(required):
            yield item, parts, required - {material}


def _file_examples(subject: Subject) -> st.SearchStrategy[Any]:
    spec = _spec(subject)
    extras = sorted(set(spec.handover) | {"contract_copies"})

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, frozenset[str], frozenset[str]]:
        item = draw(st.sampled_from(sorted(spec.services)))
        required = sorted(spec.materials(item))
        parts = draw(st.sets(st.sampled_from([*spec.file_parts, *extras])))
        materials = draw(st.sets(st.sampled_from(required))) if required else set()
        return item, frozenset(parts), frozenset(materials)

    return build()


def _file(subject: Subject, example: tuple[str, frozenset[str], frozenset[str]]) -> None:
    item, parts, materials = example
    spec = _spec(subject)
    facts = CaseFacts(item, materials, file_parts=parts)
    at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
    request = _move(subject, "BIZ-08", "closed", facts, from_state="invoiced", at=at)
    lost = (set(spec.file_parts) - parts) | (spec.materials(item) - materials)
    expect("BIZ-08", bool(lost), request, subject.engine.decide(request), f"missing {sorted(lost)}")


# -- BIZ-09: the hand-over on delivery -----------------------------------------------------------


def _handover_cases(subject: Subject, thorough: bool) -> Iterator[frozenset[str]]:
    spec = _spec(subject)
    handover = sorted(spec.handover)
    subsets = chain.from_iterable(combinations(handover, n) for n in range(len(handover) + 1))
    for subset in subsets:
        yield frozenset(subset)
        yield frozenset(subset) | {"receipt"}


def _handover(subject: Subject, handed: frozenset[str]) -> None:
    spec = _spec(subject)
    item = sorted(spec.services)[0]
    at = datetime(2026, 3, 2, 9, tzinfo=TIMEZONES[0])
    facts = CaseFacts(item, handed_over=handed)
    request = _move(subject, "BIZ-09", "delivered", facts, from_state="notified", at=at)
    lost = set(spec.handover) - handed
    expect("BIZ-09", bool(lost), request, subject.engine.decide(request), f"missing {sorted(lost)}")


def _handover_examples(subject: Subject) -> st.SearchStrategy[frozenset[str]]:
    spec = _spec(subject)
    return st.frozensets(st.sampled_from([*spec.handover, "receipt", "invoice_copy"]))


# -- BIZ-04: overdue tasks and cases are reported (the store's sweep) ----------------------------

_ON_DAYS: Final = (date(2024, 2, 29), date(2025, 1, 1), date(2025, 10, 1), date(2026, 12, 31))
"""Audit days: 29 February, a year's first day, a holiday, a year's last day."""


def _overdue_cases(subject: Subject, thorough: bool) -> Iterator[date]:
    yield from _ON_DAYS


def _overdue(subject: Subject, on: date) -> None:
    """Seed every state of a case and of a task, due the day before ``on``, on it and after:
    the sweep reports exactly the open ones due before ``on``."""
    machines = [_machine(subject, "BIZ-04")]
    task = subject.engine.machines.get("business_task")
    if task is not None:
        machines.append(task.item)
    rows = [
        (machine.subject, state, state not in machine.closed, on + timedelta(days=shift))
        for machine in machines
        for state in sorted(machine.states)
        for shift in (-1, 0, 1)
    ]
    store = subject.scratch_store()
    opened = datetime.combine(on - timedelta(days=30), datetime.min.time(), TIMEZONES[0])
    with store.transaction() as tx:
        tx.session.execute(delete(TrackedMoveRow))
        tx.session.execute(delete(TrackedItemRow))
        for index, (kind, state, is_open, due) in enumerate(rows):
            tx.session.add(
                TrackedItemRow(
                    id=f"任务-{index}",
                    subject_kind=kind,
                    control="BIZ-04",
                    owner="B1",
                    state=state,
                    is_open=is_open,
                    due_on=due,
                    opened_at=opened,
                    open_key=f"kit-{index}",
                )
            )
    sweeps = [sweep for sweep in all_sweeps(store) if sweep.control == "BIZ-04"]
    if not sweeps:
        raise Violation("BIZ-04", "no audit sweep reports overdue tasks and cases", on)
    found = run_audit(store, on=on, sweeps=sweeps, sample=len(rows) + 1)
    reported = {row for finding in found for row in finding.sample}
    expected = {
        f"任务-{i}" for i, (_k, _s, is_open, due) in enumerate(rows) if is_open and due < on
    }
    if reported != expected:
        wrong = sorted(reported ^ expected)
        raise Violation(
            "BIZ-04",
            f"the audit of {on} must report the open tasks and cases due before it: "
            f"{len(expected)} of {len(rows)}, not {len(reported)} (wrong: {wrong[:5]})",
            on,
        )


# -- fail closed ---------------------------------------------------------------------------------

_GUARDED: Final = {
    "BIZ-02": (("inquiry", "materials_requested"),),
    "BIZ-03": (("inquiry", "accepted"),),
    "BIZ-04": (("in_progress", "completed"),),
    "BIZ-05": tuple((b, a) for a, b in _BEFORE.items()),
    "BIZ-06": (("reviewed", "notified"),),
    "BIZ-07": tuple(_APPROVAL_OF)[:4],
    "BIZ-08": (("invoiced", "closed"),),
    "BIZ-09": (("notified", "delivered"),),
}


def _with_closed(control: str, cases: Any) -> Any:
    """``cases`` and, first, each guarded move of ``control`` without facts (must deny)."""

    def both(subject: Subject, thorough: bool) -> Iterable[Any]:
        missing = [("no-facts", start, to) for start, to in _GUARDED.get(control, ())]
        return [*missing, *(cases(subject, thorough) if cases else ())]

    return both


def _or_closed(control: str, holds: Any) -> Any:
    def check(subject: Subject, example: Any) -> None:
        if isinstance(example, tuple) and example and example[0] == "no-facts":
            _fails_closed(subject, control, example[2], example[1])
        else:
            holds(subject, example)

    return check


def _prop(
    control: str,
    name: str,
    title: str,
    examples: Any,
    holds: Any,
    cases: Any = None,
    kinds: tuple[str, ...] = (),
) -> Property:
    return Property(
        control,
        name,
        title,
        examples,
        _or_closed(control, holds),
        cases=_with_closed(control, cases),
        kinds=kinds,
    )


PROPERTIES: Final = (
    _prop(
        "BIZ-01",
        "scope",
        "an application outside the policy's business scope is refused at intake and acceptance",
        _scope_examples,
        _scope,
        _scope_cases,
    ),
    _prop(
        "BIZ-02",
        "one-notice",
        "an incomplete application is not accepted; its one notice lists exactly what is missing",
        _missing_examples,
        _missing,
        _missing_cases,
        kinds=("intake", "accepted", "materials_requested"),
    ),
    _order_property(
        "BIZ-02",
        "there is one notice only: no path asks for materials a second time",
        ("materials_requested", "materials_requested", "materials_requested"),
    ),
    _prop(
        "BIZ-03",
        "case-number",
        "an accepted application carries a number PREFIX-YYYY-NNNNNN of the policy's prefix",
        _number_examples,
        _number,
        _number_cases,
    ),
    _prop(
        "BIZ-04",
        "tasks",
        "work starts (and resumes) only on a plan with tasks; it completes when none is open",
        _task_examples,
        _tasks,
        _task_cases,
    ),
    Property(
        "BIZ-04",
        "overdue-sweep",
        "the audit reports exactly the open tasks and cases past their last day",
        None,
        _overdue,
        cases=_overdue_cases,
    ),
    _prop(
        "BIZ-05",
        "settlement",
        "a confirmed statement given before, the manager then finance approving, then an invoice",
        _settlement_examples,
        _settlement,
        _settlement_cases,
        kinds=("client_confirmed", "manager_approved", "finance_approved", "invoiced"),
    ),
    _order_property(
        "BIZ-05",
        "settlement goes client confirmation, manager, finance, invoice, on every path",
        ("inquiry", "delivered", "client_confirmed"),
        ("inquiry", "client_confirmed", "manager_approved"),
        ("inquiry", "manager_approved", "finance_approved"),
        ("inquiry", "finance_approved", "invoiced"),
        ("inquiry", "invoiced", "closed"),
    ),
    _prop(
        "BIZ-06",
        "channel",
        "the client is notified of the result by one of the policy's channels",
        lambda subject: st.tuples(st.sampled_from(_channels(subject)), _IDS),
        _channel,
        lambda subject, thorough: [(c, ("C1", "B1")) for c in _channels(subject)],
    ),
    _order_property(
        "BIZ-06",
        "the client is notified before delivery and before the case closes, on every path",
        ("inquiry", "notified", "delivered"),
        ("inquiry", "notified", "closed"),
    ),
    _prop(
        "BIZ-07",
        "approvals",
        "the contract only on an approved intake, work only on an approved plan and change",
        None,
        _approval,
        _approval_cases,
    ),
    _order_property(
        "BIZ-07",
        "the contract comes after the intake approval and work after the plan, on every path",
        ("inquiry", "intake_approved", "contracted"),
        ("inquiry", "contracted", "planned"),
        ("inquiry", "planned", "in_progress"),
    ),
    _prop(
        "BIZ-08",
        "complete-file",
        "a case closes only with every file part and every application material",
        _file_examples,
        _file,
        _file_cases,
    ),
    _prop(
        "BIZ-09",
        "handover",
        "delivery hands over every document the policy lists",
        _handover_examples,
        _handover,
        _handover_cases,
    ),
    _order_property(
        "BIZ-09",
        "the result is reviewed before the client is told, again after any rework",
        ("inquiry", "reviewed", "notified"),
        ("completed", "reviewed", "notified"),
    ),
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""

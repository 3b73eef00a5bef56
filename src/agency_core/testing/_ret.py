"""RET properties: the due date from the retention schedule (an oracle), unknown and permanent
classes, the destruction procedure, numbering, loans and backups."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from agency_core.entities import (
    Appraisal,
    DestructionItem,
    DestructionList,
    Employee,
    Hold,
    Loan,
    Opinion,
    Record,
    Signature,
)
from agency_core.policy import Basis, Policy, RetentionRule
from agency_core.requests import DestructionCheck, DisposalCheck, RecordCheck
from agency_core.testing import strategies as S
from agency_core.testing._kit import Property, Subject, Violation, expect

__all__ = ["PROPERTIES", "expected_due"]

LATEST = date(2100, 12, 31)
UNKNOWN = ("unknown_class", "未知类别", "ordre_de_mission")
"""Record classes no schedule has (Chinese and accented ones among them)."""


def _plus_years(start: date, years: int) -> date:
    """The first day after ``years`` whole years counted from ``start`` (民法典 §202, §203): the
    same date that many years on; a period from 29 February whose last year has none ends at the
    end of 28 February, so 1 March is the first day after it."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def _start(policy: Policy, rule: RetentionRule, record: Record) -> date | None:
    """The first day of the period: the day after the event, or the first day after the end of
    the fiscal year in which the record closed (会计年度终了后的第一天)."""
    if rule.basis is Basis.EVENT:
        return None if record.event_on is None else record.event_on + timedelta(days=1)
    month, closed = policy.fiscal_year_start_month, record.closed_on
    first = closed.year if closed.month >= month else closed.year - 1
    return date(first + 1, month, 1)


def expected_due(policy: Policy, record: Record) -> date | None:
    """The oracle (RET-02): the first day ``record`` may be destroyed under the schedule, the
    longest class winning; None while an event-based class waits for its event."""
    dues = []
    for record_class in record.classes:
        rule = policy.retention[record_class]
        assert rule.years is not None
        start = _start(policy, rule, record)
        if start is None:
            return None
        dues.append(_plus_years(start, rule.years))
    return max(dues)


def _finite(policy: Policy) -> list[str]:
    return sorted(c for c, r in policy.retention.items() if r.years is not None)


@st.composite
def due_cases(draw: st.DrawFn, subject: Subject) -> DisposalCheck:
    """A record of one or two finite classes, closed on a year's end, a 29 February..., its
    event (if any) on such a day or not yet; disposed of on the day before it is due, the day
    it is due, or any day."""
    policy = subject.policy
    classes = draw(st.frozensets(st.sampled_from(_finite(policy)), min_size=1, max_size=2))
    closed = draw(S.edge_days(date(2000, 1, 1), date(2040, 12, 31)))
    event = draw(st.none() | S.edge_days(closed, date(2060, 12, 31)))
    prefix = policy.prefixes[sorted(classes)[0]]
    record = Record(f"{prefix}-{closed.year:04d}-000001", classes, closed, event_on=event)
    due = expected_due(policy, record)
    if due is None:
        return DisposalCheck(record, draw(S.days(closed, LATEST)))
    on = draw(st.sampled_from([due - timedelta(days=1), due]) | S.days(closed, LATEST))
    return DisposalCheck(record, max(on, closed))


def _due(subject: Subject, check: DisposalCheck) -> None:
    due = expected_due(subject.policy, check.record)
    early = due is None or check.on < due
    why = f"due {due}" if due else "its event has not happened"
    expect("RET-02", early, check, subject.engine.check_disposal(check), why)
    if not early:
        expect("RET-01", False, check, subject.engine.check_disposal(check), why)


@st.composite
def unknown_classes(draw: st.DrawFn, subject: Subject) -> DisposalCheck:
    """A record with a class the schedule lacks (maybe beside known ones), any day, even far on."""
    record = draw(S.records(subject.policy, holds_and_loans=False))
    extra = frozenset({draw(st.sampled_from(UNKNOWN))})
    known = draw(st.sampled_from([frozenset(), record.classes]))
    record = attrs.evolve(record, classes=known | extra)
    return DisposalCheck(record, draw(st.just(LATEST) | S.days(record.closed_on, LATEST)))


def _unknown(subject: Subject, check: DisposalCheck) -> None:
    expect("RET-01", True, check, subject.engine.check_disposal(check), "unknown record class")


@st.composite
def permanent_records(draw: st.DrawFn, subject: Subject) -> DisposalCheck:
    """A record of a class kept permanently (maybe beside finite ones), any day, even far on."""
    policy = subject.policy
    permanent = sorted(c for c, r in policy.retention.items() if r.years is None)
    assume(permanent)
    record = draw(S.records(policy, holds_and_loans=False))
    record = attrs.evolve(record, classes=record.classes | {draw(st.sampled_from(permanent))})
    return DisposalCheck(record, draw(st.just(LATEST) | S.days(record.closed_on, LATEST)))


def _permanent(subject: Subject, check: DisposalCheck) -> None:
    expect("RET-01", True, check, subject.engine.check_disposal(check), "kept permanently")


# --- RET-03: holds on their edges ---------------------------------------------------------------


@st.composite
def held_disposals(draw: st.DrawFn, subject: Subject) -> DisposalCheck:
    """An expired record under a hold binding on the day: placed that very day or before,
    released the next day or later, or never."""
    record, on = draw(expired(subject))
    placed = draw(st.just(on) | S.days(record.closed_on, on))
    released = draw(
        st.sampled_from([None, on + timedelta(days=1)]) | S.days(on + timedelta(days=1), LATEST)
    )
    hold = draw(st.sampled_from(("litigation", "未结债务", "audit")))
    return DisposalCheck(attrs.evolve(record, holds=[Hold("H1", hold, placed, released)]), on)


def _held(subject: Subject, check: DisposalCheck) -> None:
    expect("RET-03", True, check, subject.engine.check_disposal(check), "a hold binds")


@st.composite
def expired(draw: st.DrawFn, subject: Subject) -> tuple[Record, date]:
    """A record of one fiscal-year class and a day its period is over (often its first)."""
    policy = subject.policy
    classes = [
        c
        for c, r in policy.retention.items()
        if r.years is not None and r.basis is Basis.FISCAL_YEAR
    ]
    record_class = draw(st.sampled_from(sorted(classes)))
    closed = draw(S.edge_days(date(2000, 1, 1), date(2040, 12, 31)))
    prefix = policy.prefixes[record_class]
    record = Record(f"{prefix}-{closed.year:04d}-000002", {record_class}, closed)
    due = expected_due(policy, record)
    assert due is not None
    return record, draw(st.just(due) | S.days(due, LATEST - timedelta(days=366)))


# --- RET-04 -------------------------------------------------------------------------------------

DEFECTS = (
    "none",
    "none",
    "approver_missing",
    "one_person_two_approvals",
    "supervisors_one_department",
    "supervisor_not_checked",
    "too_few_supervisors",
    "no_appraisal",
    "kept_by_appraisal",
    "wrong_period",
)


def destruction(
    policy: Policy, records: list[Record], on: date, defect: str
) -> tuple[DestructionCheck, str]:
    """A destruction list of expired ``records`` on ``on``, following the procedure or with
    one ``defect`` (one of :data:`DEFECTS`)."""
    spec = policy.destruction
    items = []
    for i, record in enumerate(records):
        years = max(y for c in record.classes if (y := policy.retention[c].years) is not None)
        year = record.closed_on.year
        items.append(DestructionItem(record.number, f"卷{i}", f"V{i}", year, year, years, years))
    appraisals = [Appraisal(r.number, Opinion.DESTROY, "AP1") for r in records]
    staff, approvals, supervisors = [], [], []
    for i, role in enumerate(spec.approver_roles):
        staff.append(Employee(f"A{i}", "admin", frozenset({role})))
        approvals.append(Signature(f"A{i}", role, "admin"))
    departments = list(spec.supervisor_departments) or ["archives"]
    for i in range(max(spec.min_supervisors, len(departments))):
        department = departments[i % len(departments)]
        staff.append(Employee(f"V{i}", department, frozenset()))
        supervisors.append(Signature(f"V{i}", "", department, True, True))
    if defect == "approver_missing":
        approvals.pop()
    elif defect == "one_person_two_approvals":
        staff[0] = attrs.evolve(staff[0], roles=frozenset(spec.approver_roles))
        approvals[-1] = attrs.evolve(approvals[-1], employee=staff[0].id)
    elif defect == "supervisors_one_department":
        staff = [attrs.evolve(e, department=departments[0]) if e.id[0] == "V" else e for e in staff]
        supervisors = [attrs.evolve(s, department=departments[0]) for s in supervisors]
    elif defect == "supervisor_not_checked":
        supervisors[0] = attrs.evolve(supervisors[0], checked_before=False)
    elif defect == "too_few_supervisors":
        supervisors = supervisors[: spec.min_supervisors - 1]
    elif defect == "no_appraisal":
        appraisals = appraisals[1:]
    elif defect == "kept_by_appraisal":
        appraisals[0] = Appraisal(records[0].number, Opinion.KEEP, "AP1", 5)
    elif defect == "wrong_period":
        items[0] = attrs.evolve(items[0], kept_years=items[0].kept_years - 1)
    listing = DestructionList("X1", on, items, appraisals, approvals, supervisors)
    return DestructionCheck(listing, records, staff), defect


def _applies(policy: Policy, defect: str) -> bool:
    spec = policy.destruction
    if defect == "one_person_two_approvals":
        return len(spec.approver_roles) > 1
    if defect == "supervisors_one_department":
        return len(spec.supervisor_departments) > 1
    if defect == "approver_missing":
        return bool(spec.approver_roles)
    return defect != "too_few_supervisors" or spec.min_supervisors > 0


@st.composite
def destructions(
    draw: st.DrawFn, subject: Subject, how: str | None = None
) -> tuple[DestructionCheck, str]:
    """A destruction list of one or two expired records, following the procedure or not."""
    defect = how or draw(st.sampled_from([d for d in DEFECTS if _applies(subject.policy, d)]))
    records, on = [], date(1900, 1, 1)
    for n in range(draw(st.integers(1, 2))):
        record, day = draw(expired(subject))
        records.append(attrs.evolve(record, number=record.number[:-1] + str(n + 3)))
        on = max(on, day)
    return destruction(subject.policy, records, on, defect)


def destruction_cases(subject: Subject, thorough: bool) -> list[tuple[DestructionCheck, str]]:
    """Every defect on a voucher-like record of each fiscal-year class, on its due date."""
    policy, cases = subject.policy, []
    fiscal = [c for c, r in policy.retention.items() if r.years and r.basis is Basis.FISCAL_YEAR]
    for record_class in sorted(fiscal)[: None if thorough else 1]:
        record = Record(
            f"{policy.prefixes[record_class]}-2001-000003", {record_class}, date(2001, 12, 31)
        )
        due = expected_due(policy, record)
        assert due is not None
        for defect in DEFECTS:
            if _applies(policy, defect):
                cases.append(destruction(policy, [record], due, defect))
    return cases


def _destruction(subject: Subject, example: tuple[DestructionCheck, str]) -> None:
    check, defect = example
    decision = subject.engine.check_destruction(check)
    expect("RET-04", defect != "none", check, decision, defect)
    if defect == "none" and decision.outcome.value == "deny":
        raise Violation("RET-04", "a list following the procedure must pass", check, [decision])


# --- RET-05, RET-06, RET-07 ---------------------------------------------------------------------

NUMBERS = (
    "valid",
    "other_prefix",
    "chinese_prefix",
    "short_year",
    "long_serial",
    "lower",
    "suffix",
)


@st.composite
def numbered(draw: st.DrawFn, subject: Subject, how: str | None = None) -> tuple[RecordCheck, bool]:
    """A record numbered under the scheme, or with one defect; with whether it breaks RET-05."""
    policy = subject.policy
    record_class = draw(st.sampled_from(sorted(policy.prefixes)))
    prefix = policy.prefixes[record_class]
    year = draw(st.integers(1990, 2099))
    serial = draw(st.integers(1, 999_999))
    how = how or draw(st.sampled_from(NUMBERS))
    others = sorted(p for p in set(policy.prefixes.values()) if p != prefix)
    number = {
        "valid": f"{prefix}-{year:04d}-{serial:06d}",
        "other_prefix": f"{others[0] if others else 'QQ'}-{year:04d}-{serial:06d}",
        "chinese_prefix": f"凭证-{year:04d}-{serial:06d}",
        "short_year": f"{prefix}-{year % 1000:03d}-{serial:06d}",
        "long_serial": f"{prefix}-{year:04d}-{serial:07d}",
        "lower": f"{prefix.lower()}-{year:04d}-{serial:06d}",
        "suffix": f"{prefix}-{year:04d}-{serial:06d}-A",
    }[how]
    record = Record(number, {record_class}, date(year, 6, 30))
    return RecordCheck(record, date(year, 7, 1)), how != "valid"


def _numbering(subject: Subject, example: tuple[RecordCheck, bool]) -> None:
    check, bad = example
    expect("RET-05", bad, check, subject.engine.check_record(check))


@st.composite
def kept_records(draw: st.DrawFn, subject: Subject) -> RecordCheck:
    """A correctly numbered record, important or not, with 0..3 backups, some loans approved."""
    record = draw(S.records(subject.policy))
    loans = draw(
        st.lists(
            st.builds(
                Loan,
                id=st.sampled_from(("L1", "借-2")),
                borrower=st.sampled_from(("E1", "王五")),
                lent_on=st.just(record.closed_on),
                due_on=st.just(record.closed_on + timedelta(days=30)),
                approved=st.booleans(),
            ),
            max_size=2,
            unique_by=lambda loan: loan.id,
        )
    )
    important = draw(st.booleans())
    backups = draw(st.integers(0, subject.policy.min_backups + 1))
    record = attrs.evolve(record, loans=loans, important=important, backups=backups)
    return RecordCheck(record, draw(S.days(record.closed_on, LATEST)))


def _loans(subject: Subject, check: RecordCheck) -> None:
    unapproved = any(not loan.approved for loan in check.record.loans)
    expect("RET-06", unapproved, check, subject.engine.check_record(check), "a loan needs approval")


def _backups(subject: Subject, check: RecordCheck) -> None:
    record = check.record
    short = record.important and record.backups < subject.policy.min_backups
    why = f"{record.backups} backups, {subject.policy.min_backups} required"
    expect("RET-07", short, check, subject.engine.check_record(check), why)


@st.composite
def loaned_disposals(draw: st.DrawFn, subject: Subject) -> DisposalCheck:
    """An expired record out on loan on the day: lent that day or before, due before or after
    it (overdue loans are still out), returned the next day or later, or not yet."""
    record, on = draw(expired(subject))
    lent = draw(st.just(on) | S.days(record.closed_on, on))
    due = lent + draw(
        st.sampled_from([timedelta(0), timedelta(days=1)])
        | st.timedeltas(timedelta(0), timedelta(days=60))
    )
    returned = draw(
        st.sampled_from([None, on + timedelta(days=1)]) | S.days(on + timedelta(days=1), LATEST)
    )
    loan = Loan("L1", "E1", lent, due, draw(st.booleans()), returned)
    return DisposalCheck(attrs.evolve(record, loans=[loan]), on)


def _loaned(subject: Subject, check: DisposalCheck) -> None:
    expect("RET-06", True, check, subject.engine.check_disposal(check), "the record is on loan")


PROPERTIES: tuple[Property, ...] = (
    Property(
        "RET-01",
        "unknown-class-denied",
        "a record of a class the schedule lacks is never disposable",
        unknown_classes,
        _unknown,
    ),
    Property(
        "RET-01",
        "permanent-kept",
        "a record of a permanent class is never disposable",
        permanent_records,
        _permanent,
    ),
    Property(
        "RET-02",
        "due-date-oracle",
        "disposable from the schedule's due date, counted from the end of the fiscal year or "
        "the day after the event, the longest class winning; not a day before",
        due_cases,
        _due,
    ),
    Property(
        "RET-03",
        "hold-blocks",
        "a record under a hold binding on the day (placed that day, released the next) is kept",
        held_disposals,
        _held,
    ),
    Property(
        "RET-04",
        "procedure-oracle",
        "destruction needs appraisal, the list's periods, every approver and the supervisors",
        destructions,
        _destruction,
        destruction_cases,
    ),
    Property(
        "RET-05",
        "numbering-oracle",
        "record numbers follow PREFIX-YYYY-NNNNNN with a prefix of the record's class",
        numbered,
        _numbering,
        kinds=NUMBERS,
    ),
    Property(
        "RET-06",
        "loan-blocks",
        "a record on loan on the day (overdue or not) is never disposable",
        loaned_disposals,
        _loaned,
    ),
    Property(
        "RET-06",
        "loan-approved",
        "every loan has an approved request",
        kept_records,
        _loans,
    ),
    Property(
        "RET-07",
        "backup-oracle",
        "an important record has the policy's number of backups",
        kept_records,
        _backups,
    ),
)
"""The RET properties besides RET-01[statutory-minimum] (in :mod:`conformance`)."""

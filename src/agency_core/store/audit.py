"""Set-based audit sweeps: each control that stored data can show, as one SQL query.

Every sweep is a query of offending ids (GROUP BY, joins, EXISTS); the database counts them and
returns a small sample. Nothing loops over rows in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

import attrs
from sqlalchemy import (
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select
from sqlalchemy.sql.functions import FunctionElement

from agency_core.policy import Policy
from agency_core.store.models import (
    ApprovalRequestRow,
    BackupRow,
    DutyRow,
    EmployeeRoleRow,
    EmployeeRow,
    HoldRow,
    LoanRow,
    RecordRow,
    RouteStepRow,
    StepActionRow,
)
from agency_core.store.session import Store

__all__ = [
    "DEFAULT_STEP_DEADLINE",
    "MERGE_JOINS",
    "SWEEPS",
    "AuditFinding",
    "AuditOptions",
    "Sweep",
    "all_sweeps",
    "run_audit",
]

DEFAULT_STEP_DEADLINE: Final = timedelta(days=5)
"""APR-07: a step pending longer than this (calendar days) is reported as overdue."""


@attrs.frozen
class AuditOptions:
    """What a sweep needs besides the data: the day, the clock, the deadline, the policy."""

    on: date
    now: datetime
    step_deadline: timedelta
    policy: Policy


_SETTING = re.compile(r"[a-z_]+")


def _settings(_self: object, _attribute: object, value: tuple[tuple[str, str], ...]) -> None:
    if not all(_SETTING.fullmatch(name) and _SETTING.fullmatch(v) for name, v in value):
        raise ValueError(f"planner settings must be lower-case words: {value!r}")


MERGE_JOINS: Final = (("enable_hashjoin", "off"),)
"""For sweeps that join big tables on one key in the order of their indexes (PostgreSQL).

The planner prices a hash join of a million rows below a merge join of two index-only scans;
measured, the merge join takes about two thirds of the time and one core instead of parallel
workers (APR-04: 1.7 s instead of 2.6 s at 1M requests). Small sets are still tested by hashed
subplans (``NOT IN``), which this setting leaves alone.
"""


@attrs.frozen
class Sweep:
    """One control checked over stored data: ``query`` selects one ``id`` per offence."""

    control: str
    title: str
    query: Callable[[AuditOptions], Select[Any]]
    postgresql: tuple[tuple[str, str], ...] = attrs.field(default=(), validator=_settings)
    """PostgreSQL planner settings for this sweep's query alone (``SET LOCAL``, reset after)."""


@attrs.frozen
class AuditFinding:
    """How many offences a sweep found, with a sample of their ids."""

    control: str
    title: str
    count: int
    sample: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "control": self.control,
            "title": self.title,
            "count": self.count,
            "sample": list(self.sample),
        }


def _people(column: str, name: str) -> Any:
    """Every distinct value of an indexed column of step actions, one index probe each.

    A recursive skip scan: the next person is the least value above the last one, so the
    database reads one index entry per person instead of every step action. The last row is
    NULL (no value above the greatest).
    """
    first, after = aliased(StepActionRow), aliased(StepActionRow)
    people = select(func.min(getattr(first, column)).label("person")).cte(name, recursive=True)
    value = getattr(after, column)
    following = select(func.min(value)).where(value > people.c.person).scalar_subquery()
    return people.union_all(select(following).where(people.c.person.is_not(None)))


def _self_approvals(_opts: AuditOptions) -> Select[Any]:
    """SOD-01: the requester approved a step of their own request, directly or as a delegate.

    Only a requester who ever acted on a step can offend, and approvers are few: the requests
    of those people (by the requester index) are joined with their actions, instead of every
    action with its request. Where every requester also approves, this reads as much as that
    join (at 1M requests: 1.0 s against 1.2 s on PostgreSQL, 1.8 s against 1.3 s on SQLite).
    """
    s, r = StepActionRow, ApprovalRequestRow
    actors, principals = _people("actor", "actors"), _people("on_behalf_of", "principals")
    approvers = union(select(actors.c.person), select(principals.c.person))
    return (
        select((s.request_id + ":" + cast(s.step, String)).label("id"))
        .select_from(r)
        .join(s, s.request_id == r.id)
        .where(
            r.requester.in_(approvers),
            s.verdict == "approve",
            or_(s.actor == r.requester, s.on_behalf_of == r.requester),
        )
    )


def _two_steps(_opts: AuditOptions) -> Select[Any]:
    """SOD-04: one person on two steps of one request (as actor or as principal).

    A join of each action with the later steps of its request, on the request's index, rather
    than a GROUP BY over every (request, person): that hashed two million groups at 1M requests.
    On PostgreSQL it runs as a merge join of the index with itself (:data:`MERGE_JOINS`).
    """
    first, later = aliased(StepActionRow), aliased(StepActionRow)
    both = and_(later.request_id == first.request_id, later.step > first.step)

    def on_both(person: Any) -> Select[Any]:
        return (
            select((first.request_id + ":" + person).label("id"))
            .join(later, both)
            .where(person.is_not(None), or_(later.actor == person, later.on_behalf_of == person))
        )

    found = union(on_both(first.actor), on_both(first.on_behalf_of)).subquery("two_steps")
    return select(found.c.id)


def _duty_conflicts(opts: AuditOptions) -> Select[Any]:
    """SOD-03: one person did two conflicting duties on one subject (``subject:actor``)."""
    pairs = sorted(
        (duty, other)
        for duty, others in opts.policy.duty_conflicts.items()
        for other in others
        if duty < other
    )
    first, second = aliased(DutyRow), aliased(DutyRow)
    if not pairs:
        return select(first.subject.label("id")).where(literal(False))
    conflicts = union_all(
        *(select(literal(a).label("a"), literal(b).label("b")) for a, b in pairs)
    ).subquery("conflicts")
    return (
        select((first.subject + ":" + first.actor).label("id"))
        .join(conflicts, conflicts.c.a == first.duty)
        .join(
            second,
            and_(
                second.subject == first.subject,
                second.actor == first.actor,
                second.duty == conflicts.c.b,
            ),
        )
        .distinct()
    )


def _grants(policy: Policy) -> Select[str, str]:
    """Every (employee, role) an employee may act as: held roles and those they include.

    The policy's inheritance goes in as literal rows, so the database builds the set once.
    """
    er = EmployeeRoleRow
    held = select(er.employee_id.label("employee_id"), er.role.label("role"))
    pairs = sorted(
        (role, included)
        for role, closure in policy.role_closure.items()
        for included in closure - {role}
    )
    if not pairs:
        return held
    inherits = union_all(
        *(
            select(literal(role).label("held"), literal(included).label("included"))
            for role, included in pairs
        )
    ).subquery("inherits")
    derived = select(er.employee_id, inherits.c.included).join(inherits, inherits.c.held == er.role)
    return select(union(held, derived).subquery("grants"))


class _NoIndex(FunctionElement[Any]):
    """A column SQLite must not look up by index (``+column``); the bare column elsewhere.

    Without planner statistics (a store is never ANALYZEd) SQLite prefers a unique index that
    every join column matches over a covering one, and then reads the table row as well.
    Disqualifying one term leaves the covering index as the cheaper choice.
    """

    name = "no_index"
    inherit_cache = True


@compiles(_NoIndex)
def _bare(element: _NoIndex, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_NoIndex, "sqlite")
def _unary_plus(element: _NoIndex, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))


def _authority(opts: AuditOptions) -> Select[Any]:
    """APR-04: a step decided by someone without its role, or for another department.

    Each action meets its route step and its request in the order of their covering indexes (a
    merge join on PostgreSQL, :data:`MERGE_JOINS`; on SQLite a scan of the requests' index and
    searches of the other two, :class:`_NoIndex`), and the holder is judged by two membership
    tests against small sets built once: the (employee, role) grants and the (employee,
    department) pairs, instead of two outer joins per action. Every column compared is NOT
    NULL, so ``NOT IN`` is ``NOT EXISTS``; a holder with no employee row holds no role (employee
    roles reference employees), so the department test adds no offence the role test misses.
    """
    s, r, step = StepActionRow, ApprovalRequestRow, RouteStepRow
    holder = func.coalesce(s.on_behalf_of, s.actor)
    placed = select(EmployeeRow.id, EmployeeRow.department)
    return (
        select((s.request_id + ":" + cast(s.step, String)).label("id"))
        .join(step, and_(step.request_id == s.request_id, _NoIndex(step.idx) == s.step))
        .join(r, _NoIndex(r.id) == s.request_id)
        .where(
            or_(
                tuple_(holder, step.role).not_in(_grants(opts.policy)),
                and_(step.scope == "department", tuple_(holder, r.department).not_in(placed)),
            )
        )
    )


def _active_hold(number: Any, on: Any) -> Any:
    return exists().where(
        HoldRow.record_number == number,
        HoldRow.placed_on <= on,
        or_(HoldRow.released_on.is_(None), HoldRow.released_on > on),
    )


def _past_retention(opts: AuditOptions) -> Select[Any]:
    """RET-01/02: records past retention, not destroyed, with no hold keeping them."""
    rec = RecordRow
    return select(rec.number.label("id")).where(
        rec.destroyed_on.is_(None),
        rec.permanent.is_(False),
        rec.due_on <= opts.on,
        ~_active_hold(rec.number, literal(opts.on)),
    )


def _destroyed_on_hold(_opts: AuditOptions) -> Select[Any]:
    """RET-03: records destroyed while a hold was in force."""
    rec = RecordRow
    return select(rec.number.label("id")).where(
        rec.destroyed_on.is_not(None), _active_hold(rec.number, rec.destroyed_on)
    )


def _overdue_loans(opts: AuditOptions) -> Select[Any]:
    """RET-06: loans past their due date and not returned."""
    return select(LoanRow.id.label("id")).where(
        LoanRow.returned_on.is_(None), LoanRow.due_on < opts.on
    )


def _missing_backups(opts: AuditOptions) -> Select[Any]:
    """RET-07: important records with fewer backups than the policy requires."""
    rec = RecordRow
    copies = (
        select(func.count(BackupRow.id))
        .where(BackupRow.record_number == rec.number)
        .scalar_subquery()
    )
    return select(rec.number.label("id")).where(
        rec.important.is_(True), rec.destroyed_on.is_(None), copies < opts.policy.min_backups
    )


def _overdue_steps(opts: AuditOptions) -> Select[Any]:
    """APR-07: requests whose current step has waited longer than the deadline."""
    r = ApprovalRequestRow
    return select(r.id.label("id")).where(
        r.status == "pending", r.pending_since < opts.now - opts.step_deadline
    )


SWEEPS: Final[tuple[Sweep, ...]] = (
    Sweep("SOD-01", "self-approvals", _self_approvals),
    Sweep("SOD-03", "one person did conflicting duties on one subject", _duty_conflicts),
    Sweep("SOD-04", "one person on two steps of one request", _two_steps, MERGE_JOINS),
    Sweep("APR-04", "steps decided without the step's role or department", _authority, MERGE_JOINS),
    Sweep("APR-07", "steps pending past the deadline", _overdue_steps),
    Sweep("RET-02", "records past retention, not disposed", _past_retention),
    Sweep("RET-03", "records destroyed under a hold", _destroyed_on_hold),
    Sweep("RET-06", "overdue loans", _overdue_loans),
    Sweep("RET-07", "important records without a backup", _missing_backups),
)
"""Every sweep, in the order they run."""


def all_sweeps(store: Store) -> tuple[Sweep, ...]:
    """The core's sweeps and those of every plugin of the store's engine."""
    from agency_core.store.extension import extensions

    return SWEEPS + tuple(sweep for ext in extensions(store.engine) for sweep in ext.sweeps)


SWEEP_WORK_MEM: Final = "64MB"
"""PostgreSQL's per-sort memory for the sweeps' transaction (the server default is 4MB)."""


def run_audit(
    store: Store,
    *,
    on: date | None = None,
    step_deadline: timedelta = DEFAULT_STEP_DEADLINE,
    policy: Policy | None = None,
    sample: int = 5,
    sweeps: Sequence[Sweep] | None = None,
    progress: Callable[[AuditFinding], None] | None = None,
) -> list[AuditFinding]:
    """Run ``sweeps`` in the database; one :class:`AuditFinding` per sweep, zero counts included.

    ``sweeps`` are by default the core's and every plugin's (:func:`all_sweeps`).

    ``on`` is the day checked (today in the policy's time zone by default), ``policy`` the one
    whose roles and backup minimum apply (the store's engine's by default).
    """
    now = store.clock()
    policy = policy or store.engine.policy
    opts = AuditOptions(
        on=on or policy.local_date(now),
        now=now,
        step_deadline=step_deadline,
        policy=policy,
    )
    results = []
    if sweeps is None:
        sweeps = all_sweeps(store)
    with store.reading() as conn:
        postgresql = conn.dialect.name == "postgresql"
        if postgresql:  # big GROUP BYs and joins: sort in memory
            conn.execute(text(f"SET LOCAL work_mem = '{SWEEP_WORK_MEM}'"))
            # no JIT: compiling each sweep (seconds at 1M rows, over the cost threshold) costs
            # more than it saves on queries that scan indexes and hash
            conn.execute(text("SET LOCAL jit = off"))
        for sweep in sweeps:
            settings = sweep.postgresql if postgresql else ()
            for name, value in settings:
                conn.execute(text(f"SET LOCAL {name} = {value}"))
            # One pass: the window counts every offence before LIMIT keeps the sample. On
            # PostgreSQL the offences are a MATERIALIZED CTE, or the planner pushes the LIMIT
            # in and picks nested loops over a million rows (16 s instead of 3 s at 1M).
            offences = (
                sweep.query(opts).cte("offences").prefix_with("MATERIALIZED", dialect="postgresql")
            )
            total = func.count().over().label("total")
            rows = conn.execute(
                select(offences.c.id, total).order_by(offences.c.id).limit(max(sample, 1))
            ).all()
            for name, _ in settings:
                conn.execute(text(f"RESET {name}"))
            count = rows[0].total if rows else 0
            ids = [row.id for row in rows[:sample]]
            found = AuditFinding(sweep.control, sweep.title, int(count), tuple(map(str, ids)))
            results.append(found)
            if progress is not None:
                progress(found)
    return results

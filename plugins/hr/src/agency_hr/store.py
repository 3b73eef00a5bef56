"""The HR plugin's tables, its repository over a store transaction, and its set-based sweeps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs
from sqlalchemy import Boolean, ForeignKey, MetaData, String, Text, and_, func, literal, or_, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import Select

from agency_core.decision import Decision, Outcome
from agency_core.entities import ApprovalRequest, Money
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.errors import Refused
from agency_core.store.extension import StoreExtension
from agency_core.store.models import NAMING, ApprovalRequestRow, EmployeeRow, TrackedItemRow
from agency_core.store.ports import Submission
from agency_core.store.session import active_transaction, translated
from agency_core.store.tracked import overdue_sweep
from agency_core.store.types import UTCDateTime
from agency_core.transitions import Tracked, TransitionCheck
from agency_hr.deadlines import due_on
from agency_hr.entities import (
    Appeal,
    Clearance,
    Leave,
    LeaveCheck,
    Resignation,
    TrainingRecord,
)
from agency_hr.policy import HrPolicy
from agency_hr.rules import RESIGNATION

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = [
    "SWEEPS",
    "HrRepository",
    "extension",
    "metadata",
    "resignation_item",
    "with_stored_clearance",
]

VERSIONS: Final = Path(__file__).parent / "migrations" / "versions"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), str: String(64)}


metadata: Final = Base.metadata


class LeaveRow(Base):
    """A leave; its approval is the core's approval request with the same id (HR-01)."""

    __tablename__ = "hr_leaves"

    id: Mapped[str] = mapped_column(primary_key=True)
    employee: Mapped[str] = mapped_column(index=True)
    department: Mapped[str]
    kind: Mapped[str]
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date]
    requested_on: Mapped[date]
    latest_request_on: Mapped[date]
    """The last day the leave could be requested on, under the policy it was requested under."""
    began_on: Mapped[date | None]


class ResignationRow(Base):
    """A resignation; its completion is the tracked item ``resignation/<id>`` (HR-02, HR-05)."""

    __tablename__ = "hr_resignations"

    id: Mapped[str] = mapped_column(primary_key=True)
    employee: Mapped[str] = mapped_column(index=True)
    department: Mapped[str]
    submitted_on: Mapped[date]
    last_day: Mapped[date]
    earliest_last_day: Mapped[date]
    in_writing: Mapped[bool] = mapped_column(Boolean)
    on_probation: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")


class ClearanceRow(Base):
    """One clearance item of a resignation done: handover, settlement, property returned."""

    __tablename__ = "hr_clearances"

    resignation_id: Mapped[str] = mapped_column(ForeignKey("hr_resignations.id"), primary_key=True)
    item: Mapped[str] = mapped_column(primary_key=True)
    done_by: Mapped[str]
    done_at: Mapped[datetime]


class TrainingRow(Base):
    """One training of one employee, with its result (HR-03)."""

    __tablename__ = "hr_trainings"

    id: Mapped[str] = mapped_column(primary_key=True)
    employee: Mapped[str] = mapped_column(index=True)
    course: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date]
    result: Mapped[str] = mapped_column(Text)


class AppealRow(Base):
    """A performance appeal accepted, with the last day of its window (HR-04)."""

    __tablename__ = "hr_appeals"

    id: Mapped[str] = mapped_column(primary_key=True)
    employee: Mapped[str] = mapped_column(index=True)
    review: Mapped[str]
    notified_on: Mapped[date]
    filed_on: Mapped[date]
    window_ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)


def resignation_item(resignation_id: str) -> str:
    """The id of the tracked item of a resignation."""
    return f"{RESIGNATION}/{resignation_id}"


def with_stored_clearance(check: TransitionCheck) -> TransitionCheck:
    """``check`` with the clearance the active store transaction holds, not the caller's.

    A resignation moved inside a store transaction (``tx.tracked.move`` called by the repository
    or by anyone else) is judged on the stored clearance items; outside one, on its data.
    """
    tx = active_transaction()
    if tx is None or check.subject_kind != RESIGNATION:
        return check
    resignation_id = check.subject.removeprefix(f"{RESIGNATION}/")
    return attrs.evolve(check, data=HrRepository(tx).clearance(resignation_id))


class HrRepository:
    """Leave, resignations, training files and appeals in one store transaction (never commits)."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    @property
    def _policy(self) -> HrPolicy:
        return self._tx.engine.policy.section("hr", HrPolicy)

    def _allowed(self, what: str, request: object) -> Decision:
        decision = self._tx.engine.decide(request)
        if decision.outcome is Outcome.DENY:
            raise Refused(what, decision)
        return decision

    def _new(self, row: Base, row_id: str) -> None:
        session = self._tx.session
        if session.get(type(row), row_id) is not None:
            raise StateError(f"{type(row).__tablename__} {row_id} is already recorded")
        session.add(row)
        with translated():
            session.flush()

    # -- leave (HR-01) --

    def request_leave(self, leave: Leave, *, key: str) -> Submission:
        """Record a leave requested in advance and submit it for approval (HR-01)."""
        person = self._tx.employees.get(leave.employee)
        if person.department != leave.department:
            raise InvalidInput(
                f"{leave.employee} belongs to {person.department}, not {leave.department}",
                path="$.department",
            )
        self._allowed(f"leave {leave.id}", LeaveCheck(leave, leave.requested_on))
        request = ApprovalRequest(
            leave.id,
            self._policy.leave_action,
            Money("0", self._tx.engine.policy.currency),
            leave.department,
            leave.employee,
        )
        submission = self._tx.approvals.submit(request, key=key)
        latest = leave.starts_on - timedelta(days=self._policy.leave_notice_days)
        self._new(
            LeaveRow(
                id=leave.id,
                employee=leave.employee,
                department=leave.department,
                kind=leave.kind,
                starts_on=leave.starts_on,
                ends_on=leave.ends_on,
                requested_on=leave.requested_on,
                latest_request_on=latest,
            ),
            leave.id,
        )
        return submission

    def leave(self, leave_id: str) -> Leave:
        """The stored leave ``leave_id``."""
        row = self._tx.session.get(LeaveRow, leave_id)
        if row is None:
            raise NotFound(f"no leave {leave_id!r}")
        return Leave(
            row.id,
            row.employee,
            row.department,
            row.kind,
            row.starts_on,
            row.ends_on,
            row.requested_on,
        )

    def begin_leave(self, leave_id: str, on: date) -> Decision:
        """Record that the leave begins on ``on``: only with its stored approval approved."""
        leave = self.leave(leave_id)
        approval = self._tx.approvals.get(leave_id).facts()
        decision = self._allowed(f"leave {leave_id}", LeaveCheck(leave, on, approval))
        row = self._tx.session.get(LeaveRow, leave_id)
        assert row is not None  # read just above, in this transaction
        row.began_on = on
        with translated():
            self._tx.session.flush()
        return decision

    # -- resignation (HR-02, HR-05) --

    def apply_resignation(self, resignation: Resignation, *, key: str) -> Tracked:
        """Record a resignation applied for in writing in time, tracked until completed."""
        self._allowed(f"resignation {resignation.id}", resignation)
        spec = self._policy
        days = (
            spec.probation_notice_days
            if resignation.on_probation
            else (spec.resignation_notice_days)
        )
        self._new(
            ResignationRow(
                id=resignation.id,
                employee=resignation.employee,
                department=resignation.department,
                submitted_on=resignation.submitted_on,
                last_day=resignation.last_day,
                earliest_last_day=due_on(self._tx.engine.policy, resignation.submitted_on, days),
                in_writing=resignation.in_writing,
                on_probation=resignation.on_probation,
                reason=resignation.reason,
            ),
            resignation.id,
        )
        return self._tx.tracked.open(
            resignation_item(resignation.id),
            RESIGNATION,
            control="HR-02",
            owner=resignation.employee,
            due_on=resignation.last_day,
            key=key,
        )

    def clear(
        self, resignation_id: str, item: str, actor: str, *, at: datetime | None = None
    ) -> None:
        """Record that clearance ``item`` of a resignation is done, by ``actor``."""
        if item not in self._policy.clearance_items:
            items = ", ".join(self._policy.clearance_items)
            raise InvalidInput(f"item must be one of {items}, not {item!r}", path="$.item")
        if self._tx.session.get(ResignationRow, resignation_id) is None:
            raise NotFound(f"no resignation {resignation_id!r}")
        self._tx.employees.get(actor)
        session = self._tx.session
        if session.get(ClearanceRow, (resignation_id, item)) is not None:
            return
        session.add(
            ClearanceRow(
                resignation_id=resignation_id,
                item=item,
                done_by=actor,
                done_at=at or self._tx.now(),
            )
        )
        with translated():
            session.flush()

    def clearance(self, resignation_id: str) -> Clearance:
        """The clearance items of a resignation done so far, as stored."""
        items = self._tx.session.scalars(
            select(ClearanceRow.item)
            .where(ClearanceRow.resignation_id == resignation_id)
            .order_by(ClearanceRow.item)
        )
        return Clearance(tuple(items))

    def complete_resignation(self, resignation_id: str, actor: str, *, key: str) -> Tracked:
        """Complete a resignation: refused (HR-02) until every clearance item is done."""
        data = self.clearance(resignation_id)
        return self._tx.tracked.move(
            resignation_item(resignation_id), "completed", actor, key=key, data=data
        )

    # -- training files (HR-03) --

    def record_training(self, record: TrainingRecord) -> None:
        """Add a training to the file of an employee the store knows."""
        self._tx.employees.get(record.employee)
        self._new(
            TrainingRow(
                id=record.id,
                employee=record.employee,
                course=record.course,
                completed_on=record.completed_on,
                result=record.result,
            ),
            record.id,
        )

    def training_file(self, employee: str) -> tuple[TrainingRecord, ...]:
        """Every training of ``employee``, oldest first."""
        rows = self._tx.session.scalars(
            select(TrainingRow)
            .where(TrainingRow.employee == employee)
            .order_by(TrainingRow.completed_on, TrainingRow.id)
        )
        return tuple(
            TrainingRecord(r.id, r.employee, r.course, r.completed_on, r.result) for r in rows
        )

    # -- performance appeals (HR-04) --

    def file_appeal(self, appeal: Appeal) -> Decision:
        """Accept a performance appeal filed within the window; refused (HR-04) after it."""
        decision = self._allowed(f"appeal {appeal.id}", appeal)
        days = self._policy.appeal_window_days
        self._new(
            AppealRow(
                id=appeal.id,
                employee=appeal.employee,
                review=appeal.review,
                notified_on=appeal.notified_on,
                filed_on=appeal.filed_on,
                window_ends_on=due_on(self._tx.engine.policy, appeal.notified_on, days),
                reason=appeal.reason,
            ),
            appeal.id,
        )
        return decision


# -- sweeps: one query each, offending ids ---------------------------------------------------------


def _leave_unapproved(opts: AuditOptions) -> Select[Any]:
    """HR-01: leaves begun, or reaching their first day, without an approved request."""
    leave, request = LeaveRow, ApprovalRequestRow
    status = func.coalesce(request.status, "none")
    return (
        select(leave.id.label("id"))
        .outerjoin(request, request.id == leave.id)
        .where(
            status != "approved",
            or_(
                leave.began_on.is_not(None),
                and_(leave.starts_on <= opts.on, status != "rejected"),
            ),
        )
    )


def _leave_late(_opts: AuditOptions) -> Select[Any]:
    """HR-01: leaves requested after the last day they could be requested on."""
    return select(LeaveRow.id.label("id")).where(LeaveRow.requested_on > LeaveRow.latest_request_on)


def _completed_uncleared(opts: AuditOptions) -> Select[Any]:
    """HR-02: resignations completed without every clearance item of the policy."""
    items = opts.policy.section("hr", HrPolicy).clearance_items
    res, item = ResignationRow, TrackedItemRow
    done = (
        select(func.count())
        .select_from(ClearanceRow)
        .where(ClearanceRow.resignation_id == res.id, ClearanceRow.item.in_(items))
        .scalar_subquery()
    )
    return (
        select(res.id.label("id"))
        .join(item, item.id == literal(f"{RESIGNATION}/") + res.id)
        .where(item.state == "completed", done < len(items))
    )


def _employees_without_training(_opts: AuditOptions) -> Select[Any]:
    """HR-03: employees with no training record in their file."""
    employee = EmployeeRow
    return select(employee.id.label("id")).where(
        ~select(TrainingRow.id).where(TrainingRow.employee == employee.id).exists()
    )


def _late_appeals(_opts: AuditOptions) -> Select[Any]:
    """HR-04: appeals accepted though filed after their window."""
    return select(AppealRow.id.label("id")).where(AppealRow.filed_on > AppealRow.window_ends_on)


def _short_notice(_opts: AuditOptions) -> Select[Any]:
    """HR-05: resignations not in writing, or ending before their notice ran."""
    res = ResignationRow
    return select(res.id.label("id")).where(
        or_(res.in_writing.is_(False), res.last_day < res.earliest_last_day)
    )


SWEEPS: Final = (
    Sweep("HR-01", "leave begun or due without approval", _leave_unapproved),
    Sweep("HR-01", "leave requested too late", _leave_late),
    Sweep(
        "HR-02",
        "resignations completed without handover, settlement or property",
        _completed_uncleared,
    ),
    overdue_sweep("HR-02", "resignations not completed by the last day"),
    Sweep("HR-03", "employees without a training record", _employees_without_training),
    Sweep("HR-04", "performance appeals accepted after the window", _late_appeals),
    Sweep("HR-05", "resignations not in writing or without the notice", _short_notice),
)


def extension() -> StoreExtension:
    """The HR plugin's part of the store: the ``hr`` branch, its tables and sweeps."""
    # StoreExtension converts sweeps with a bare ``tuple``, which mypy cannot type.
    return StoreExtension("hr", VERSIONS, metadata, SWEEPS)

"""Customer service in the store: complaints, inquiries and follow-ups as the core's tracked items.

Each is a tracked item (owner, due date, state, append-only moves checked by the engine) plus a
row of this plugin's own tables with what the item needs besides (content, demand, contact,
department, plan, response...). Repositories take the host's transaction and never commit; the
sweeps are single queries.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import MetaData, String, Text, func, or_, select, union
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import Select

from agency_core.decision import Outcome
from agency_core.errors import NotFound
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.errors import Refused
from agency_core.store.extension import StoreExtension
from agency_core.store.models import NAMING, TrackedItemRow
from agency_core.store.session import translated
from agency_core.store.tracked import overdue_sweep
from agency_core.store.types import UTCDateTime
from agency_core.transitions import Tracked
from agency_customer_service.deadlines import due_on
from agency_customer_service.entities import (
    ClientResponse,
    Complaint,
    ComplaintFacts,
    FollowUp,
    Inquiry,
    InquiryFacts,
    VisitFacts,
)
from agency_customer_service.machines import HANDLING
from agency_customer_service.rules import settings

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = [
    "EXTENSION",
    "SWEEPS",
    "ComplaintRow",
    "CustomerService",
    "FollowUpRow",
    "InquiryRow",
    "metadata",
]

Code = String(64)
Key = String(128)


class Base(DeclarativeBase):
    """This plugin's tables, on a MetaData of their own with the core's naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), str: Code}  # noqa: RUF012


metadata: Final = Base.metadata


class ComplaintRow(Base):
    """A complaint's record besides its tracked item (same id)."""

    __tablename__ = "customer_service_complaints"

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    client: Mapped[str]
    case_id: Mapped[str | None] = mapped_column(index=True)
    content: Mapped[str] = mapped_column(Text)
    demand: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str]
    department: Mapped[str | None]
    plan: Mapped[str] = mapped_column(Text)
    planned_at: Mapped[datetime | None]
    feedback_due_on: Mapped[date | None]
    response: Mapped[str | None] = mapped_column(String(16))
    responded_at: Mapped[datetime | None]


class InquiryRow(Base):
    """An inquiry's record besides its tracked item (same id)."""

    __tablename__ = "customer_service_inquiries"

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    client: Mapped[str]
    case_id: Mapped[str | None] = mapped_column(index=True)
    question: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]


class FollowUpRow(Base):
    """A follow-up visit's record besides its tracked item (same id)."""

    __tablename__ = "customer_service_follow_ups"

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    case_id: Mapped[str] = mapped_column(index=True)
    client: Mapped[str]
    delivered_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(Text)
    visited_at: Mapped[datetime | None]


class CustomerService:
    """Complaints, inquiries and follow-ups in one transaction: ``CustomerService(tx)``."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _get(self, row: type[Any], item_id: str) -> Any:
        found = self._tx.session.get(row, item_id)
        if found is None:
            raise NotFound(f"no {row.__tablename__[len('customer_service_') :]} {item_id!r}")
        return found

    def _move(
        self, item_id: str, to: str, actor: str, key: str, data: object, **extra: Any
    ) -> tuple[Tracked, bool]:
        """Move the tracked item; also whether this call moved it (False: a replayed key)."""
        seen = len(self._tx.tracked.get(item_id).history)
        item = self._tx.tracked.move(item_id, to, actor, key=key, data=data, **extra)
        return item, len(item.history) > seen

    @staticmethod
    def _facts(row: ComplaintRow, due: date | None, **changes: Any) -> ComplaintFacts:
        values: dict[str, Any] = {
            "received_at": row.received_at,
            "department": row.department,
            "due_on": due,
            "plan": row.plan,
            "response": row.response,
            "feedback_due_on": row.feedback_due_on,
        }
        return ComplaintFacts(**{**values, **changes})

    # -- complaints (CS-01..CS-04, CS-06) ---------------------------------------------------------

    def receive(self, complaint: Complaint, *, key: str) -> Tracked:
        """Record a complaint (CS-01), due ``handling_days`` working days after its receipt.

        Refused (:class:`~agency_core.store.errors.Refused`) when the engine denies it.
        """
        engine = self._tx.engine
        decision = engine.decide(complaint)
        if decision.outcome is Outcome.DENY:
            raise Refused(f"complaint {complaint.id}", decision)
        days = settings(engine.policy).handling_days
        item = self._tx.tracked.open(
            complaint.id,
            "complaint",
            control="CS-03",
            owner=complaint.recorded_by,
            due_on=due_on(engine.policy, complaint.received_at, days),
            key=key,
            at=complaint.recorded_at,
        )
        if self._tx.session.get(ComplaintRow, complaint.id) is None:
            self._tx.session.add(
                ComplaintRow(
                    id=complaint.id,
                    client=complaint.client,
                    case_id=complaint.case,
                    content=complaint.content,
                    demand=complaint.demand,
                    contact=complaint.contact,
                    received_at=complaint.received_at,
                    recorded_at=complaint.recorded_at,
                    recorded_by=complaint.recorded_by,
                    plan="",
                )
            )
            with translated():
                self._tx.session.flush()
        return item

    def facts(self, complaint_id: str) -> ComplaintFacts:
        """The stored facts of a complaint, with its current deadline."""
        row = self._get(ComplaintRow, complaint_id)
        return self._facts(row, self._tx.tracked.get(complaint_id).due_on)

    def assign(
        self,
        complaint_id: str,
        department: str,
        actor: str,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Tracked:
        """Give the complaint to ``department`` with its handling deadline (CS-02)."""
        row: ComplaintRow = self._get(ComplaintRow, complaint_id)
        at = at or self._tx.now()
        policy = self._tx.engine.policy
        due = due_on(policy, row.received_at, settings(policy).handling_days)
        facts = self._facts(row, due, department=department)
        item, moved = self._move(complaint_id, "assigned", actor, key, facts, due_on=due, at=at)
        if moved:
            row.department = department
        return item

    def escalate(
        self, complaint_id: str, actor: str, *, key: str, note: str = "", at: datetime | None = None
    ) -> Tracked:
        """Escalate an overdue complaint (CS-03)."""
        row: ComplaintRow = self._get(ComplaintRow, complaint_id)
        facts = self._facts(row, self._tx.tracked.get(complaint_id).due_on)
        return self._move(complaint_id, "escalated", actor, key, facts, note=note, at=at)[0]

    def plan(
        self, complaint_id: str, plan: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Tracked:
        """Record the department's handling plan (CS-04); the client is owed it (CS-06)."""
        row: ComplaintRow = self._get(ComplaintRow, complaint_id)
        at = at or self._tx.now()
        policy = self._tx.engine.policy
        facts = self._facts(row, self._tx.tracked.get(complaint_id).due_on, plan=plan)
        item, moved = self._move(complaint_id, "planned", actor, key, facts, at=at)
        if moved:
            row.plan, row.planned_at = plan, at
            row.feedback_due_on = due_on(policy, at, settings(policy).reply_days)
        return item

    def inform(
        self, complaint_id: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Tracked:
        """Record that the client was told the plan (CS-06)."""
        row: ComplaintRow = self._get(ComplaintRow, complaint_id)
        facts = self._facts(row, self._tx.tracked.get(complaint_id).due_on)
        return self._move(complaint_id, "informed", actor, key, facts, at=at)[0]

    def respond(
        self,
        complaint_id: str,
        response: ClientResponse,
        actor: str,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Tracked:
        """Record the client's response: satisfied closes it, unsatisfied reopens it (CS-04).

        A reopened complaint goes back to its department with a new handling period counted
        from the response; it may be reopened after closing as well.
        """
        row: ComplaintRow = self._get(ComplaintRow, complaint_id)
        response = ClientResponse(response)
        at = at or self._tx.now()
        if response is ClientResponse.SATISFIED:
            due = self._tx.tracked.get(complaint_id).due_on
            facts = self._facts(row, due, response=response)
            item, moved = self._move(complaint_id, "closed", actor, key, facts, at=at)
        else:
            policy = self._tx.engine.policy
            due = due_on(policy, at, settings(policy).handling_days)
            facts = self._facts(row, due, response=response)
            item, moved = self._move(complaint_id, "assigned", actor, key, facts, due_on=due, at=at)
        if moved:
            row.response, row.responded_at = response.value, at
        return item

    # -- inquiries (CS-06) --------------------------------------------------------------------

    def receive_inquiry(self, inquiry: Inquiry, *, key: str) -> Tracked:
        """Record an inquiry, due ``reply_days`` working days after it was received (CS-06)."""
        policy = self._tx.engine.policy
        item = self._tx.tracked.open(
            inquiry.id,
            "inquiry",
            control="CS-06",
            owner=inquiry.recorded_by,
            due_on=due_on(policy, inquiry.received_at, settings(policy).reply_days),
            key=key,
            at=inquiry.received_at,
        )
        if self._tx.session.get(InquiryRow, inquiry.id) is None:
            self._tx.session.add(
                InquiryRow(
                    id=inquiry.id,
                    client=inquiry.client,
                    case_id=inquiry.case,
                    question=inquiry.question,
                    contact=inquiry.contact,
                    received_at=inquiry.received_at,
                )
            )
            with translated():
                self._tx.session.flush()
        return item

    def answer(
        self, inquiry_id: str, answer: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Tracked:
        """Answer an inquiry (CS-06)."""
        row: InquiryRow = self._get(InquiryRow, inquiry_id)
        at = at or self._tx.now()
        facts = InquiryFacts(answer, self._tx.tracked.get(inquiry_id).due_on)
        item, moved = self._move(inquiry_id, "answered", actor, key, facts, at=at)
        if moved:
            row.answer, row.answered_at = answer, at
        return item

    # -- follow-up visits (CS-05) ---------------------------------------------------------------

    def schedule_follow_up(self, follow_up: FollowUp, *, key: str) -> Tracked:
        """Schedule the visit after a delivery, due ``follow_up_days`` working days later."""
        policy = self._tx.engine.policy
        days = settings(policy).follow_up_days
        item = self._tx.tracked.open(
            follow_up.id,
            "follow_up",
            control="CS-05",
            owner=follow_up.owner,
            due_on=due_on(policy, follow_up.delivered_at, days),
            key=key,
            at=follow_up.delivered_at,
        )
        if self._tx.session.get(FollowUpRow, follow_up.id) is None:
            self._tx.session.add(
                FollowUpRow(
                    id=follow_up.id,
                    case_id=follow_up.case,
                    client=follow_up.client,
                    delivered_at=follow_up.delivered_at,
                )
            )
            with translated():
                self._tx.session.flush()
        return item

    def record_visit(
        self, follow_up_id: str, outcome: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Tracked:
        """Record the visit and what the client said (CS-05)."""
        row: FollowUpRow = self._get(FollowUpRow, follow_up_id)
        at = at or self._tx.now()
        facts = VisitFacts(row.delivered_at, outcome)
        item, moved = self._move(follow_up_id, "visited", actor, key, facts, at=at)
        if moved:
            row.outcome, row.visited_at = outcome, at
        return item


# -- sweeps ---------------------------------------------------------------------------------------


def _overdue_complaints(opts: AuditOptions) -> Select[Any]:
    """CS-03: complaints past their handling deadline and neither planned nor escalated."""
    t = TrackedItemRow
    return select(t.id.label("id")).where(
        t.subject_kind == "complaint", t.state.in_(HANDLING), t.due_on < opts.on
    )


def _closed_unanswered(_opts: AuditOptions) -> Select[Any]:
    """CS-04: closed complaints without a plan or without a satisfied client."""
    t, c = TrackedItemRow, ComplaintRow
    return (
        select(t.id.label("id"))
        .join(c, c.id == t.id)
        .where(
            t.subject_kind == "complaint",
            t.state == "closed",
            or_(
                func.trim(c.plan) == "",
                c.response.is_(None),
                c.response != ClientResponse.SATISFIED.value,
            ),
        )
    )


def _unanswered(opts: AuditOptions) -> Select[Any]:
    """CS-06: inquiries, and plans owed to complaining clients, past their reply deadline."""
    t, c = TrackedItemRow, ComplaintRow
    inquiries = select(t.id.label("id")).where(
        t.subject_kind == "inquiry", t.is_open.is_(True), t.due_on < opts.on
    )
    feedback = (
        select(t.id.label("id"))
        .join(c, c.id == t.id)
        .where(t.subject_kind == "complaint", t.state == "planned", c.feedback_due_on < opts.on)
    )
    both = union(inquiries, feedback).subquery()
    return select(both.c.id.label("id"))


SWEEPS: Final = (
    Sweep("CS-03", "complaints past their handling deadline, not escalated", _overdue_complaints),
    Sweep("CS-04", "complaints closed without a plan or a satisfied client", _closed_unanswered),
    overdue_sweep("CS-05", "follow-up visits not made by their day"),
    Sweep("CS-06", "inquiries and complaint feedback past their reply deadline", _unanswered),
)
EXTENSION: Final = StoreExtension(
    label="customer_service",
    versions=Path(__file__).parent / "migrations" / "versions",
    metadata=metadata,
    sweeps=SWEEPS,
)

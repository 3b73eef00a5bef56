"""The business department's tables and its case repository.

A case and each of its tasks are tracked items of the core (owner, due day, state, append-only
moves checked by the engine); these tables hold what the guards need besides: the case's number,
client and service item, the approvals it relies on, its file and the notice sent for missing
materials. The repository builds a case's facts from them, so a guard never trusts a caller's
word for what the store knows. It never commits: the host's transaction does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
from sqlalchemy import ForeignKey, Integer, MetaData, String, UniqueConstraint, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agency_business.deadlines import due_on
from agency_business.entities import CaseFacts
from agency_business.machines import CASE, TASK
from agency_business.policy import SECTION, BusinessPolicy
from agency_core.decision import Outcome
from agency_core.entities import SettlementStatement, Verdict
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.requests import InvoiceCheck
from agency_core.store.errors import Refused
from agency_core.store.models import NAMING, TrackedItemRow, TrackedMoveRow
from agency_core.store.registry import format_number
from agency_core.store.session import translated
from agency_core.store.types import UTCDateTime
from agency_core.transitions import Tracked

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = [
    "APPROVAL_PURPOSES",
    "Base",
    "Case",
    "CaseRepository",
    "CaseRow",
    "DocumentRow",
    "NoticeItemRow",
    "NumberSequenceRow",
    "TaskRow",
    "metadata",
]

Code = String(64)


class Base(DeclarativeBase):
    """The business tables: a MetaData of their own, named by the core's convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), str: Code}


metadata = Base.metadata


class CaseRow(Base):
    """A case; its state and history are those of the tracked item with the same id."""

    __tablename__ = "business_cases"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    """Given once when the application is accepted (BIZ-03); rows are never deleted."""
    client_id: Mapped[str]
    service_item: Mapped[str]
    handler: Mapped[str]
    department: Mapped[str]
    opened_at: Mapped[datetime]
    contract_id: Mapped[str | None]
    intake_approval_id: Mapped[str | None]
    plan_approval_id: Mapped[str | None]
    plan_change_approval_id: Mapped[str | None]
    settlement_approval_id: Mapped[str | None]
    notified_via: Mapped[str | None]
    statement_issued_at: Mapped[datetime | None]
    client_confirmed_at: Mapped[datetime | None]
    invoice_id: Mapped[str | None]


class NoticeItemRow(Base):
    """A material the notice of missing materials listed (BIZ-02: one notice per case)."""

    __tablename__ = "business_notice_items"

    case_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("business_cases.id"), primary_key=True
    )
    material: Mapped[str] = mapped_column(primary_key=True)
    noticed_at: Mapped[datetime]


class DocumentRow(Base):
    """A document of a case's file: an application material, a record, a result, a hand-over."""

    __tablename__ = "business_documents"
    __table_args__ = (
        UniqueConstraint("case_id", "part", "name", name="uq_business_documents_case_part_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(128), ForeignKey("business_cases.id"), index=True)
    part: Mapped[str]
    """``application_materials`` (name: the material's code), ``processing_records``,
    ``result_feedback``, ``proof_documents``, ``aftercare_notes``..."""
    name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime]
    handed_over_at: Mapped[datetime | None]
    """When the document was handed to the client (BIZ-09)."""


class TaskRow(Base):
    """A task of a case's plan; its owner, deadline and state are its tracked item's."""

    __tablename__ = "business_tasks"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(128), ForeignKey("business_cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))


class NumberSequenceRow(Base):
    """The last case number given per prefix and year; it only grows (BIZ-03)."""

    __tablename__ = "business_number_sequences"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


APPROVAL_PURPOSES = ("intake", "plan", "plan_change", "settlement")
"""What a case relies on an approval request for (BIZ-07, BIZ-05)."""

_WORKING = frozenset({"contracted", "planned", "in_progress", "replanning"})
"""States in which tasks may be added to a case's plan."""


@attrs.frozen
class Case:
    """A case as the store holds it: its row's facts and its tracked item (state, history)."""

    id: str
    number: str | None
    client_id: str
    service_item: str
    handler: str
    tracked: Tracked

    @property
    def state(self) -> str:
        """Where the case stands."""
        return self.tracked.state


class CaseRepository:
    """Cases of the business department, moved through :data:`~agency_business.machines.CASE`.

    Every move is decided by the engine with facts built from the store; a refused move raises
    :class:`~agency_core.store.errors.Refused` and leaves nothing behind.
    """

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    @property
    def _policy(self) -> BusinessPolicy:
        return self._tx.engine.policy.section(SECTION, BusinessPolicy)

    def _row(self, case_id: str) -> CaseRow:
        row = self._tx.session.get(CaseRow, case_id)
        if row is None:
            raise NotFound(f"no case {case_id!r}")
        return row

    def get(self, case_id: str) -> Case:
        """The case ``case_id`` with its state and history."""
        row = self._row(case_id)
        tracked = self._tx.tracked.get(case_id)
        return Case(row.id, row.number, row.client_id, row.service_item, row.handler, tracked)

    # -- intake ----------------------------------------------------------------------------------

    def register(
        self,
        case_id: str,
        *,
        client_id: str,
        service_item: str,
        handler: str,
        due_on: date,
        key: str,
        at: datetime | None = None,
    ) -> Case:
        """Record an inquiry: a case in ``inquiry``, due by the date agreed with the client.

        ``handler`` owns it; the same ``key`` again returns the stored case.
        """
        for field, value in (("client_id", client_id), ("service_item", service_item)):
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(
                    f"{field} must be a non-empty string, not {value!r}", path=f"$.{field}"
                )
        department = self._tx.employees.get(handler).department
        tracked = self._tx.tracked.open(
            case_id, CASE.subject, control="BIZ-04", owner=handler, due_on=due_on, key=key, at=at
        )
        if self._tx.session.get(CaseRow, case_id) is None:
            self._tx.session.add(
                CaseRow(
                    id=case_id,
                    client_id=client_id,
                    service_item=service_item,
                    handler=handler,
                    department=department,
                    opened_at=tracked.opened_at,
                )
            )
            self._flush()
        return self.get(case_id)

    def add_documents(
        self,
        case_id: str,
        part: str,
        names: Iterable[str],
        *,
        handed_over: bool = False,
        at: datetime | None = None,
    ) -> None:
        """File documents of ``part``; ``handed_over`` records that the client received them.

        A name already filed under ``part`` is not filed twice (it is marked handed over when
        asked). Application materials are filed under ``application_materials`` by their codes.
        """
        if not isinstance(part, str) or not part.strip():
            raise InvalidInput(f"part must be a non-empty string, not {part!r}", path="$.part")
        if isinstance(names, str | bytes):
            raise InvalidInput(f"names must be a list of names, not {names!r}", path="$.names")
        row = self._row(case_id)
        at = at or self._tx.now()
        session = self._tx.session
        filed = {
            document.name: document
            for document in session.scalars(
                select(DocumentRow).where(DocumentRow.case_id == row.id, DocumentRow.part == part)
            )
        }
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise InvalidInput(f"a document needs a name, not {name!r}", path="$.names")
            document = filed.get(name)
            if document is None:
                document = filed[name] = DocumentRow(
                    case_id=row.id, part=part, name=name, added_at=at, handed_over_at=None
                )
                session.add(document)
            if handed_over and document.handed_over_at is None:
                document.handed_over_at = at
        self._flush()

    def submit_materials(
        self, case_id: str, materials: Iterable[str], *, at: datetime | None = None
    ) -> None:
        """File application materials the client handed in (by their codes)."""
        self.add_documents(case_id, "application_materials", materials, at=at)

    def request_materials(
        self, case_id: str, actor: str, *, key: str, at: datetime | None = None
    ) -> tuple[str, ...]:
        """Send the one notice of missing materials (一次性告知, BIZ-02); returns what it lists.

        The notice lists every material the service item requires that is not on file.
        """
        row = self._row(case_id)
        if self._replayed(case_id, key):
            listed = select(NoticeItemRow.material).where(NoticeItemRow.case_id == case_id)
            return tuple(sorted(self._tx.session.scalars(listed)))
        missing = sorted(self._policy.materials(row.service_item) - self._materials(case_id))
        at = at or self._tx.now()
        with self._tx.session.begin_nested():
            self._move(row, "materials_requested", actor, key=key, at=at, notice=missing)
            for material in missing:
                self._tx.session.add(
                    NoticeItemRow(case_id=row.id, material=material, noticed_at=at)
                )
            self._flush()
        return tuple(missing)

    def accept(self, case_id: str, actor: str, *, key: str, at: datetime | None = None) -> Case:
        """Accept a complete application in scope under a new case number (BIZ-01..03).

        The number is ``PREFIX-YYYY-NNNNNN``, the next of the firm's year; a refused acceptance
        takes none, and a number once given is never given again.
        """
        row = self._row(case_id)
        if self._replayed(case_id, key):
            return self.get(case_id)
        if row.number is not None:
            raise StateError(f"case {case_id} already has number {row.number}")
        at = at or self._tx.now()
        with self._tx.session.begin_nested():
            prefix = self._policy.case_number_prefix
            year = self._tx.engine.policy.local_date(at).year  # the firm's year, not UTC's
            row.number = format_number(prefix, year, self._next_serial(prefix, year))
            self._move(row, "accepted", actor, key=key, at=at)
        return self.get(case_id)

    # -- approvals, contract, plan ----------------------------------------------------------------

    def link_approval(self, case_id: str, purpose: str, approval_id: str) -> None:
        """Rely on the stored approval request ``approval_id`` for ``purpose``.

        ``purpose`` is one of :data:`APPROVAL_PURPOSES`; the request's action must be the one
        the business policy names for it (the intake application, the plan, a plan change, the
        settlement).
        """
        row = self._row(case_id)
        policy = self._policy
        actions = {
            "intake": policy.intake_action,
            "plan": policy.plan_action,
            "plan_change": policy.plan_change_action,
            "settlement": policy.settlement_action,
        }
        if purpose not in actions:
            raise InvalidInput(
                f"purpose must be one of {', '.join(APPROVAL_PURPOSES)}, not {purpose!r}",
                path="$.purpose",
            )
        submission = self._tx.approvals.get(approval_id)
        if submission.request.action != actions[purpose]:
            raise InvalidInput(
                f"approval {approval_id} is a {submission.request.action}, not a "
                f"{actions[purpose]}",
                path="$.approval_id",
            )
        setattr(row, f"{purpose}_approval_id", approval_id)
        self._flush()

    def sign_contract(
        self, case_id: str, contract_id: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Case:
        """Record the signed contract: only on an approved intake application (BIZ-07)."""
        row = self._row(case_id)
        if self._replayed(case_id, key):
            return self.get(case_id)
        with self._tx.session.begin_nested():
            row.contract_id = contract_id
            self._move(row, "contracted", actor, key=key, at=at)
        return self.get(case_id)

    def change_plan(
        self, case_id: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Case:
        """Stop work for a change of plan; it resumes once the change is approved (BIZ-07)."""
        row = self._row(case_id)
        if self._replayed(case_id, key):
            return self.get(case_id)
        with self._tx.session.begin_nested():
            row.plan_change_approval_id = None  # every change needs its own approval
            self._move(row, "replanning", actor, key=key, at=at)
        return self.get(case_id)

    # -- tasks (BIZ-04) -------------------------------------------------------------------------

    def add_task(
        self,
        case_id: str,
        task_id: str,
        *,
        title: str,
        owner: str,
        key: str,
        working_days: int | None = None,
        at: datetime | None = None,
    ) -> Tracked:
        """Put a task on the case's plan: an owner, a deadline in working days (BIZ-04).

        The deadline is ``working_days`` (the policy's ``task_working_days`` when None) working
        days after the task is opened, on the working calendar.
        """
        row = self._row(case_id)
        state = self._tx.tracked.get(case_id).state
        if state not in _WORKING:
            raise StateError(f"case {case_id} is {state}: tasks are added from contract to work")
        self._tx.employees.get(owner)  # an owner is a known employee
        at = at or self._tx.now()
        days = self._policy.task_working_days if working_days is None else working_days
        deadline = due_on(self._tx.engine.policy, at, days)
        tracked = self._tx.tracked.open(
            task_id, TASK.subject, control="BIZ-04", owner=owner, due_on=deadline, key=key, at=at
        )
        if self._tx.session.get(TaskRow, task_id) is None:
            self._tx.session.add(TaskRow(id=task_id, case_id=row.id, title=title))
            self._flush()
        return tracked

    def finish_task(
        self, task_id: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Tracked:
        """Mark a task done."""
        return self._tx.tracked.move(task_id, "done", actor, key=key, at=at)

    # -- result, settlement, close ---------------------------------------------------------------

    def notify(
        self, case_id: str, channel: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Case:
        """Tell the client the reviewed result, by ``channel`` (BIZ-06, BIZ-09)."""
        row = self._row(case_id)
        if self._replayed(case_id, key):
            return self.get(case_id)
        with self._tx.session.begin_nested():
            row.notified_via = channel
            self._move(row, "notified", actor, key=key, at=at)
        return self.get(case_id)

    def confirm_settlement(
        self,
        case_id: str,
        statement: SettlementStatement,
        confirmed_at: datetime,
        actor: str,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Case:
        """Record the statement given to the client and the client's confirmation (BIZ-05)."""
        row = self._row(case_id)
        if not isinstance(statement, SettlementStatement) or statement.case_id != case_id:
            raise InvalidInput(f"a settlement statement of case {case_id} is needed")
        if self._replayed(case_id, key):
            return self.get(case_id)
        with self._tx.session.begin_nested():
            row.statement_issued_at = statement.issued_at
            row.client_confirmed_at = confirmed_at
            self._move(row, "client_confirmed", actor, key=key, at=at)
        return self.get(case_id)

    def invoice(
        self, case_id: str, check: InvoiceCheck, actor: str, *, key: str, at: datetime | None = None
    ) -> Case:
        """Issue the invoice last (BIZ-05), once the engine allows it (FEE-05)."""
        row = self._row(case_id)
        if not isinstance(check, InvoiceCheck) or check.invoice.case_id != case_id:
            raise InvalidInput(f"an invoice of case {case_id} is needed")
        if self._replayed(case_id, key):
            return self.get(case_id)
        decision = self._tx.engine.check_invoice(check)
        if decision.outcome is Outcome.DENY:
            raise Refused(f"invoice {check.invoice.id} of case {case_id}", decision)
        with self._tx.session.begin_nested():
            row.invoice_id = check.invoice.id
            self._move(row, "invoiced", actor, key=key, at=at)
        return self.get(case_id)

    def move(
        self, case_id: str, to_state: str, actor: str, *, key: str, at: datetime | None = None
    ) -> Case:
        """Any other move (intake approved, planned, in progress, completed, reviewed,
        delivered, manager approved, finance approved, closed, declined), on stored facts."""
        row = self._row(case_id)
        with self._tx.session.begin_nested():
            self._move(row, to_state, actor, key=key, at=at)
        return self.get(case_id)

    # -- facts ----------------------------------------------------------------------------------

    def facts(self, case_id: str, *, notice: Iterable[str] | None = None) -> CaseFacts:
        """The facts the guards see, as the store holds them now."""
        row = self._row(case_id)
        session = self._tx.session
        documents = session.execute(
            select(DocumentRow.part, DocumentRow.name, DocumentRow.handed_over_at).where(
                DocumentRow.case_id == case_id
            )
        ).all()
        tasks = session.execute(
            select(func.count(), func.count().filter(TrackedItemRow.is_open.is_(True)))
            .select_from(TaskRow)
            .join(TrackedItemRow, TrackedItemRow.id == TaskRow.id)
            .where(TaskRow.case_id == case_id)
        ).one()
        settlement, approved_by = self._settlement(row.settlement_approval_id)
        return CaseFacts(
            service_item=row.service_item,
            materials=self._materials(case_id),
            notice=None if notice is None else frozenset(notice),
            case_number=row.number,
            intake_approval=self._status(row.intake_approval_id),
            plan_approval=self._status(row.plan_approval_id),
            plan_change_approval=self._status(row.plan_change_approval_id),
            tasks=int(tasks[0]),
            open_tasks=int(tasks[1]),
            notified_via=row.notified_via,
            handed_over=frozenset(d.part for d in documents if d.handed_over_at is not None),
            statement_issued_at=row.statement_issued_at,
            client_confirmed_at=row.client_confirmed_at,
            settlement_approval=settlement,
            settlement_approved_by=approved_by,
            invoice_id=row.invoice_id,
            file_parts=frozenset(d.part for d in documents),
        )

    def _materials(self, case_id: str) -> frozenset[str]:
        return frozenset(
            self._tx.session.scalars(
                select(DocumentRow.name).where(
                    DocumentRow.case_id == case_id, DocumentRow.part == "application_materials"
                )
            )
        )

    def _status(self, approval_id: str | None) -> str | None:
        return None if approval_id is None else self._tx.approvals.get(approval_id).status.value

    def _settlement(self, approval_id: str | None) -> tuple[str | None, tuple[str, ...]]:
        if approval_id is None:
            return None, ()
        submission = self._tx.approvals.get(approval_id)
        roles = submission.route.roles
        approved = tuple(roles[a.step] for a in submission.history if a.verdict is Verdict.APPROVE)
        return submission.status.value, approved

    def _move(
        self,
        row: CaseRow,
        to_state: str,
        actor: str,
        *,
        key: str,
        at: datetime | None,
        notice: Iterable[str] | None = None,
    ) -> None:
        self._flush()
        facts = self.facts(row.id, notice=notice)
        self._tx.tracked.move(row.id, to_state, actor, key=key, data=facts, at=at)

    def _next_serial(self, prefix: str, year: int) -> int:
        """Atomically take the next serial of ``prefix`` and ``year`` (an upsert; never reused)."""
        session = self._tx.session
        module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        table = NumberSequenceRow.__table__
        statement = (
            module.insert(table)
            .values(prefix=prefix, year=year, last=1)
            .on_conflict_do_update(
                index_elements=[table.c.prefix, table.c.year], set_={"last": table.c.last + 1}
            )
            .returning(table.c.last)
        )
        return int(session.execute(statement).scalar_one())

    def _replayed(self, case_id: str, key: str) -> bool:
        """Whether the move with idempotency ``key`` was already made on ``case_id``."""
        return (
            self._tx.session.scalar(
                select(TrackedMoveRow.id).where(
                    TrackedMoveRow.key == key, TrackedMoveRow.item_id == case_id
                )
            )
            is not None
        )

    def _flush(self) -> None:
        with translated():
            self._tx.session.flush()

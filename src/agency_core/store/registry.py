"""The records registry (RET-01..07): numbering, retention, holds, loans, backups, destruction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from agency_core.decision import Decision, Outcome
from agency_core.entities import DestructionList, Hold, Loan, Record, Signature
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.policy import Retention, add_years
from agency_core.requests import DestructionCheck, DisposalCheck, RecordCheck
from agency_core.store import mapping
from agency_core.store.apart import ahead, settle
from agency_core.store.errors import Refused
from agency_core.store.models import (
    ApprovalRequestRow,
    BackupRow,
    DestructionListRow,
    EmployeeRow,
    HoldRow,
    LoanRow,
    NumberSequenceRow,
    RecordRow,
)
from agency_core.store.ports import Capacity, OverdueLoan, Status
from agency_core.store.session import translated

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["DestructionRepository", "RecordRepository", "format_number"]

HOLD_KINDS = ("legal_hold", "matter")


def format_number(prefix: str, year: int, serial: int) -> str:
    """A record number under the scheme ``PREFIX-YYYY-NNNNNN`` (RET-05)."""
    return f"{prefix}-{year:04d}-{serial:06d}"


class RecordRepository:
    """Registered records: classified, numbered once, kept until the engine says they may go."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _row(self, number: str, *, lock: bool = False) -> RecordRow:
        row = self._tx.session.get(RecordRow, number, with_for_update=lock)
        if row is None:
            raise NotFound(f"no record {number!r}")
        return row

    def _next_serial(self, prefix: str, year: int) -> int:
        """Atomically take the next serial of ``prefix`` and ``year`` (an upsert; never reused)."""
        session = self._tx.session
        dialect = session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        table = NumberSequenceRow.__table__
        statement = module.insert(table).values(prefix=prefix, year=year, last=1)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.prefix, table.c.year], set_={"last": table.c.last + 1}
        ).returning(table.c.last)
        return int(session.execute(statement).scalar_one())

    def register(
        self,
        record_class: str,
        *,
        closed_on: date,
        title: str = "",
        also: Iterable[str] = (),
        event_on: date | None = None,
        important: bool = False,
    ) -> Record:
        """Register a record of ``record_class`` (and the ``also`` classes) under a new number.

        The number is ``PREFIX-YYYY-NNNNNN``: the prefix of ``record_class`` in the policy, the
        year the record was closed, and the next serial of that prefix and year (RET-05). The due
        date comes from the engine (RET-01, RET-02).
        """
        prefix = self._prefix(record_class)
        provisional = Record(
            format_number(prefix, closed_on.year, 0),
            frozenset((record_class, *also)),
            closed_on,
            title,
            event_on=event_on,
            important=important,
        )
        # Asked before the serial is taken (no lock while the plugins run): the retention hook
        # sees only the record's classes, and the due date only its dates.
        return self._numbered(prefix, provisional, self._tx.engine.retention(provisional))

    def _prefix(self, record_class: str) -> str:
        prefixes = self._tx.engine.policy.prefixes
        if record_class not in prefixes:
            raise InvalidInput(
                f"record class {record_class!r} has no numbering prefix in the policy"
            )
        return prefixes[record_class]

    def _numbered(self, prefix: str, provisional: Record, retention: Retention) -> Record:
        """Store ``provisional`` under the next serial of ``prefix``, kept as ``retention``."""
        year = provisional.closed_on.year
        record = attrs.evolve(
            provisional, number=format_number(prefix, year, self._next_serial(prefix, year))
        )
        row = RecordRow(
            number=record.number,
            title=record.title,
            closed_on=record.closed_on,
            event_on=record.event_on,
            important=record.important,
            due_on=retention.due,
            permanent=retention.permanent,
            registered_at=self._tx.now(),
            classes=mapping.record_class_rows(record.classes),
        )
        self._tx.session.add(row)
        with translated():
            self._tx.session.flush()
        return record

    def get(self, number: str) -> Record:
        """The record ``number`` with its holds, loans and backups."""
        return mapping.record(self._row(number))

    def retention(self, number: str) -> Retention:
        """When the record may be destroyed, as the engine computes it now (RET-01, RET-02)."""
        return self._tx.engine.retention(self.get(number))

    def due_on(self, number: str) -> date | None:
        """The stored due date (None: permanent or not yet known)."""
        return self._row(number).due_on

    def record_event(self, number: str, on: date) -> Record:
        """Record the event an event-based class counts from (asset disposed of, case closed)."""
        engine = self._tx.engine

        def read(tx: Transaction) -> Record:
            return attrs.evolve(mapping.record(RecordRepository(tx)._row(number)), event_on=on)

        early = ahead(self._tx, read, engine.retention)  # decided before the lock
        row = self._row(number, lock=True)
        row.event_on = on
        record = mapping.record(row)
        retention = settle(early, record, engine.retention)
        row.due_on, row.permanent = retention.due, retention.permanent
        return record

    def extend(self, number: str, years: int) -> date | None:
        """Keep a record ``years`` longer after an appraisal found it still needed (RET-04)."""
        if years < 1:
            raise InvalidInput(f"years must be >= 1, not {years}")
        row = self._row(number)
        if row.due_on is not None:
            row.due_on = add_years(row.due_on, years)
        return row.due_on

    def place_hold(
        self, number: str, hold_id: str, reason: str, *, on: date, matter: str | None = None
    ) -> None:
        """Hold the record (legal hold, or ``matter``: an unsettled claim, debt or case, RET-03)."""
        Hold(hold_id, reason, on)  # validates
        row = self._row(number)
        if row.destroyed_on is not None:
            raise StateError(f"record {number} was destroyed on {row.destroyed_on}")
        if self._tx.session.get(HoldRow, hold_id) is not None:
            raise StateError(f"hold {hold_id} already exists")
        kind = "matter" if matter else "legal_hold"
        self._tx.session.add(
            HoldRow(
                id=hold_id,
                record_number=number,
                kind=kind,
                reason=reason,
                matter=matter,
                placed_on=on,
            )
        )
        self._tx.session.flush()

    def release_hold(self, hold_id: str, *, on: date) -> None:
        """Release a hold from ``on`` (the matter settled, the legal hold lifted)."""
        row = self._tx.session.get(HoldRow, hold_id)
        if row is None:
            raise NotFound(f"no hold {hold_id!r}")
        if row.released_on is not None:
            raise StateError(f"hold {hold_id} was already released on {row.released_on}")
        Hold(row.id, row.reason, row.placed_on, on)  # not before it was placed
        row.released_on = on

    def lend(
        self,
        number: str,
        loan_id: str,
        borrower: str,
        *,
        lent_on: date,
        due_on: date,
        approval_id: str | None,
    ) -> None:
        """Lend the record to ``borrower`` on their approved borrowing request (the policy's
        ``borrowing_action``), with a due date (RET-06); any other request lends nothing."""
        engine = self._tx.engine

        def read(tx: Transaction) -> RecordCheck:
            apart = RecordRepository(tx)
            return apart._loan_check(
                apart._row(number), loan_id, borrower, lent_on, due_on, approval_id
            )

        # Decide first on a snapshot (no lock while the plugins run); the early answer stands
        # only if the record, its loans and the approval are unchanged under the row lock.
        early = ahead(self._tx, read, engine.check_record)
        row = self._row(number, lock=True)
        check = self._loan_check(row, loan_id, borrower, lent_on, due_on, approval_id)
        decision = settle(early, check, engine.check_record)
        mine = [f for f in decision.violations if f.facts.get("loan") == loan_id]
        if mine:
            raise Refused(f"loan {loan_id} of {number}", decision)
        self._tx.session.add(
            LoanRow(
                id=loan_id,
                record_number=number,
                borrower=borrower,
                lent_on=lent_on,
                due_on=due_on,
                approval_id=approval_id,
                approved=check.record.loans[-1].approved,
            )
        )
        with translated():
            self._tx.session.flush()

    def _loan_check(
        self,
        row: RecordRow,
        loan_id: str,
        borrower: str,
        lent_on: date,
        due_on: date,
        approval_id: str | None,
    ) -> RecordCheck:
        """What the engine is asked about lending ``row``: the record with the new loan."""
        if row.destroyed_on is not None:
            raise StateError(f"record {row.number} was destroyed on {row.destroyed_on}")
        if any(loan.returned_on is None for loan in row.loans):
            raise StateError(f"record {row.number} is already on loan")
        approved = False
        if approval_id is not None:
            request = self._tx.session.get(ApprovalRequestRow, approval_id)
            if request is None:
                raise NotFound(f"no approval request {approval_id!r}")
            approved = (  # RET-06: the borrower's own borrowing request, approved
                request.status == Status.APPROVED
                and request.action == self._tx.engine.policy.borrowing_action
                and request.requester == borrower
            )
        record = mapping.record(row)
        loan = Loan(loan_id, borrower, lent_on, due_on, approved)
        return RecordCheck(attrs.evolve(record, loans=(*record.loans, loan)), lent_on)

    def loan(self, loan_id: str) -> Loan:
        """The loan ``loan_id`` (returned or not); NotFound when there is none."""
        row = self._tx.session.get(LoanRow, loan_id)
        if row is None:
            raise NotFound(f"no loan {loan_id!r}")
        return mapping.loan(row)

    def return_loan(self, loan_id: str, *, on: date) -> None:
        """The borrower returned the record on ``on``."""
        row = self._tx.session.get(LoanRow, loan_id)
        if row is None:
            raise NotFound(f"no loan {loan_id!r}")
        if row.returned_on is not None:
            raise StateError(f"loan {loan_id} was already returned on {row.returned_on}")
        if on < row.lent_on:
            raise InvalidInput(f"loan {loan_id} cannot be returned before it was lent")
        row.returned_on = on

    def overdue_loans(self, on: date) -> Sequence[OverdueLoan]:
        """Loans not returned and past their due date on ``on`` (RET-06), oldest first."""
        rows = self._tx.session.execute(
            select(LoanRow.id, LoanRow.record_number, LoanRow.borrower, LoanRow.due_on)
            .where(LoanRow.returned_on.is_(None), LoanRow.due_on < on)
            .order_by(LoanRow.due_on, LoanRow.id)
        )
        return [
            OverdueLoan(r.id, r.record_number, r.borrower, r.due_on, (on - r.due_on).days)
            for r in rows
        ]

    def add_backup(self, number: str, location: str, *, on: date) -> int:
        """Record a backup copy (RET-07); returns how many the record now has."""
        if not location.strip():
            raise InvalidInput("a backup needs the location of the copy")
        row = self._row(number)
        row.backups.append(BackupRow(location=location, made_on=on))
        self._tx.session.flush()
        return len(row.backups)

    def check(self, number: str, on: date) -> Decision:
        """The engine's view of how the record is kept on ``on`` (RET-05..07)."""
        return self._tx.engine.check_record(RecordCheck(self.get(number), on))

    def check_disposal(self, number: str, on: date) -> Decision:
        """Whether the record may be destroyed on ``on`` (RET-01..03, RET-06)."""
        return self._tx.engine.check_disposal(DisposalCheck(self.get(number), on))


class DestructionRepository:
    """The destruction procedure (RET-04): a list proposed, checked by the engine, executed."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _row(self, list_id: str) -> DestructionListRow:
        row = self._tx.session.get(DestructionListRow, list_id)
        if row is None:
            raise NotFound(f"no destruction list {list_id!r}")
        return row

    def propose(self, destruction_list: DestructionList) -> DestructionList:
        """Store a destruction list with its appraisals, approvals and supervisors.

        The signatures are stored as given: for a trusted host (a batch job) that holds the
        whole signed list. A host with authenticated callers proposes the list without others'
        signatures and lets each signer add their own with :meth:`sign`.
        """
        if not isinstance(destruction_list, DestructionList):
            raise InvalidInput(f"expected a DestructionList, not {destruction_list!r}")
        session = self._tx.session
        if session.get(DestructionListRow, destruction_list.id) is not None:
            raise StateError(f"destruction list {destruction_list.id} already exists")
        row = DestructionListRow(
            id=destruction_list.id, status="proposed", proposed_at=self._tx.now()
        )
        session.add(mapping.destruction_list_row(destruction_list, row))
        with translated():
            session.flush()
        return destruction_list

    def sign(self, list_id: str, signature: Signature, *, capacity: Capacity) -> DestructionList:
        """Add ``signature`` to the proposed list ``list_id`` as an approval or a supervision.

        Whether the signer may sign in that capacity is the engine's question when the list is
        executed (RET-04). :class:`NotFound` for an unknown list; :class:`StateError` when it
        was executed or the person already signed it in that capacity. Returns the list.
        """
        if not isinstance(signature, Signature):
            raise InvalidInput(f"expected a Signature, not {signature!r}")
        if not isinstance(capacity, Capacity):
            raise InvalidInput(f"capacity is one of {', '.join(Capacity)}, not {capacity!r}")
        row = self._tx.session.get(
            DestructionListRow, list_id, with_for_update=True, populate_existing=True
        )
        if row is None:
            raise NotFound(f"no destruction list {list_id!r}")
        if row.status != "proposed":
            raise StateError(f"destruction list {list_id} was already {row.status}")
        kind = mapping.SIGNATURE_KINDS[capacity]
        if any(s.kind == kind and s.employee == signature.employee for s in row.signatures):
            raise StateError(
                f"{signature.employee} already signed destruction list {list_id} ({capacity})"
            )
        row.signatures.append(mapping.signature_row(capacity, signature))
        with translated():
            self._tx.session.flush()
        return mapping.destruction_list(row)

    def get(self, list_id: str) -> DestructionList:
        """The stored list ``list_id``."""
        return mapping.destruction_list(self._row(list_id))

    def _check(
        self, list_id: str, *, lock: bool = False
    ) -> tuple[DestructionListRow, Sequence[RecordRow], DestructionCheck]:
        """The list, its records, and what the engine is asked about executing it."""
        session = self._tx.session
        row = session.get(DestructionListRow, list_id, with_for_update=lock)
        if row is None:
            raise NotFound(f"no destruction list {list_id!r}")
        if row.status != "proposed":
            raise StateError(f"destruction list {list_id} was already {row.status}")
        listing = mapping.destruction_list(row)
        query = select(RecordRow).where(RecordRow.number.in_([i.record for i in listing.items]))
        records = session.scalars(query.with_for_update() if lock else query).all()
        for record_row in records:
            if record_row.destroyed_on is not None:
                raise StateError(f"record {record_row.number} was already destroyed")
        people = {s.employee for s in (*listing.approvals, *listing.supervisors)}
        staff = session.scalars(select(EmployeeRow).where(EmployeeRow.id.in_(people))).all()
        check = DestructionCheck(
            listing,
            tuple(mapping.record(r) for r in records),
            tuple(mapping.employee(e) for e in staff),
        )
        return row, records, check

    def _kept(self, listing: DestructionList) -> tuple[str, Record]:
        """The list as a permanent record (class ``destruction_list``) before it has a number,
        and its numbering prefix."""
        prefix = RecordRepository(self._tx)._prefix("destruction_list")
        classes = {"destruction_list", *(("appraisal_opinion",) if listing.appraisals else ())}
        closed_on = listing.destruction_on
        record = Record(
            format_number(prefix, closed_on.year, 0),
            frozenset(classes),
            closed_on,
            f"destruction list {listing.id}",
        )
        return prefix, record

    def execute(self, list_id: str) -> Decision:
        """Destroy the listed records if the engine finds the procedure followed (RET-04).

        The records stay in the registry marked destroyed (their numbers are never reused);
        the list itself is registered as a permanent record (class ``destruction_list``).
        """
        engine = self._tx.engine

        def decide(check: DestructionCheck) -> tuple[Decision, Retention | None]:
            decision = engine.check_destruction(check)
            if decision.outcome is Outcome.DENY:
                return decision, None
            return decision, engine.retention(self._kept(check.destruction_list)[1])

        # Decide first on a snapshot (no lock while the plugins run); the early answer stands
        # only if the list, its records and the people who signed are unchanged under the lock.
        early = ahead(self._tx, lambda tx: DestructionRepository(tx)._check(list_id)[2], decide)
        session = self._tx.session
        row, records, check = self._check(list_id, lock=True)
        decision, retention = settle(early, check, decide)
        if decision.outcome is Outcome.DENY:
            raise Refused(f"destruction list {list_id}", decision)
        for record_row in records:
            record_row.destroyed_on = check.destruction_list.destruction_on
            record_row.destruction_list_id = list_id
        prefix, provisional = self._kept(check.destruction_list)
        assert retention is not None  # asked whenever the list may be executed
        kept = RecordRepository(self._tx)._numbered(prefix, provisional, retention)
        row.status = "executed"
        row.executed_at = self._tx.now()
        row.record_number = kept.number
        with translated():
            session.flush()
        return decision

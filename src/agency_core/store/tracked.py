"""Tracked items in the store: owner, due date, state, append-only moves, one overdue sweep.

Every move asks the engine (:meth:`Engine.check_transition`) with the item's stored history, and
is refused with :class:`Refused` when the decision denies. "Overdue" is a query, not a loop.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from agency_core.decision import Outcome
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.errors import Conflict, Refused
from agency_core.store.models import TrackedItemRow, TrackedMoveRow
from agency_core.store.session import translated
from agency_core.transitions import Move, StateMachine, Tracked, TransitionCheck

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["TrackedRepository", "overdue_sweep"]


def _key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 128:
        raise InvalidInput(f"an idempotency key is a string of 1 to 128 chars, not {key!r}")
    return key


def _tracked(row: TrackedItemRow) -> Tracked:
    history = tuple(Move(m.from_state, m.to_state, m.actor, m.at, m.note) for m in row.moves)
    return Tracked(
        row.id,
        row.subject_kind,
        row.control,
        row.owner,
        row.state,
        row.is_open,
        row.due_on,
        row.opened_at,
        history,
    )


class TrackedRepository:
    """Open tracked items and move them through their state machine."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _machine(self, subject_kind: str) -> StateMachine:
        registration = self._tx.engine.machines.get(subject_kind)
        if registration is None:
            raise InvalidInput(f"no state machine for {subject_kind!r}", path="$.subject_kind")
        return registration.item

    def _row(self, item_id: str, *, lock: bool = False) -> TrackedItemRow:
        query = select(TrackedItemRow).where(TrackedItemRow.id == item_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self._tx.session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"no tracked item {item_id!r}")
        return row

    def get(self, item_id: str) -> Tracked:
        """The item ``item_id`` with its history."""
        return _tracked(self._row(item_id))

    def open(
        self,
        item_id: str,
        subject_kind: str,
        *,
        control: str,
        owner: str,
        due_on: date,
        key: str,
        at: datetime | None = None,
    ) -> Tracked:
        """Open an item in its machine's initial state, due at the end of ``due_on``.

        The same ``key`` again returns the stored item; another item with the same id is a
        :class:`StateError`.
        """
        key = _key(key)
        machine = self._machine(subject_kind)
        self._tx.employees.get(owner)  # NotFound: an item is owned by someone the firm employs
        item = Tracked(
            item_id,
            subject_kind,
            control,
            owner,
            machine.initial,
            machine.initial not in machine.closed,
            due_on,
            at or self._tx.now(),
        )
        session = self._tx.session
        done = session.scalars(
            select(TrackedItemRow).where(TrackedItemRow.open_key == key)
        ).one_or_none()
        if done is not None:
            if (done.id, done.subject_kind, done.owner) != (item_id, subject_kind, owner):
                raise InvalidInput(f"idempotency key {key!r} was used for another item")
            return _tracked(done)
        if session.get(TrackedItemRow, item_id) is not None:
            raise StateError(f"tracked item {item_id} already exists")
        row = TrackedItemRow(
            id=item.id,
            subject_kind=item.subject_kind,
            control=item.control,
            owner=item.owner,
            state=item.state,
            is_open=item.open,
            due_on=item.due_on,
            opened_at=item.opened_at,
            open_key=key,
        )
        session.add(row)
        with translated():
            session.flush()
        return item

    def move(
        self,
        item_id: str,
        to_state: str,
        actor: str,
        *,
        key: str,
        data: Any = None,
        note: str = "",
        due_on: date | None = None,
        at: datetime | None = None,
    ) -> Tracked:
        """Move ``item_id`` to ``to_state`` as ``actor``, if the engine allows it.

        ``due_on`` sets a new deadline (a reopened complaint, an escalation). The decision is
        made before any lock is taken; if the item moved meanwhile, :class:`Conflict` (retry).
        The same ``key`` again returns the item without effect.
        """
        key = _key(key)
        session = self._tx.session
        done = session.scalars(select(TrackedMoveRow).where(TrackedMoveRow.key == key)).first()
        if done is not None:
            if (done.item_id, done.to_state, done.actor) != (item_id, to_state, actor):
                raise InvalidInput(f"idempotency key {key!r} was used for another move")
            return self.get(item_id)
        row = self._row(item_id)
        seen = len(row.moves)
        at = at or self._tx.now()
        item = _tracked(row)
        check = TransitionCheck(
            item.subject_kind,
            item.id,
            item.state,
            to_state,
            self._tx.employees.get(actor),
            at,
            data,
            item.history,
        )
        decision = self._tx.engine.check_transition(check)
        if decision.outcome is Outcome.DENY:
            raise Refused(f"{item.subject_kind} {item_id} to {to_state}", decision)
        row = self._row(item_id, lock=True)
        moves = session.scalar(
            select(func.count())
            .select_from(TrackedMoveRow)
            .where(TrackedMoveRow.item_id == item_id)
        )
        if moves != seen or row.state != item.state:
            raise Conflict(f"tracked item {item_id} moved meanwhile; decide again")
        machine = self._machine(item.subject_kind)
        row.moves.append(
            TrackedMoveRow(
                item_id=item_id,
                seq=seen + 1,
                from_state=item.state,
                to_state=to_state,
                actor=actor,
                at=at,
                note=note,
                key=key,
            )
        )
        row.state = to_state
        row.is_open = to_state not in machine.closed
        if due_on is not None:
            row.due_on = due_on
        with translated():
            session.flush()
        return _tracked(row)


def overdue_sweep(control: str, title: str, subject_kind: str | None = None) -> Sweep:
    """The sweep of open items of ``control`` (and ``subject_kind``, if given) whose last day has
    passed: one query."""

    def query(opts: AuditOptions) -> Select[Any]:
        item = TrackedItemRow
        found = select(item.id.label("id")).where(
            item.control == control, item.is_open.is_(True), item.due_on < opts.on
        )
        return found if subject_kind is None else found.where(item.subject_kind == subject_kind)

    return Sweep(control, title, query)

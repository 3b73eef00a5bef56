"""The decision log: append-only, hash-chained, appended in batches, verified as a stream.

Each entry's ``hash = sha256(prev_hash + canonical JSON of the entry)``; the first entry chains
from :data:`GENESIS`. The head row (last sequence number and hash) is locked by appenders, so
concurrent transactions append one after the other and the chain never forks.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
from sqlalchemy import func, insert, select, update

from agency_core.checks import DutyCheck, RoleGrant, StepCheck
from agency_core.decision import Decision
from agency_core.entities import ApprovalRequest
from agency_core.errors import AgencyError
from agency_core.hookspecs import hookimpl
from agency_core.store.canonical import canonical, digest, utc_iso
from agency_core.store.models import LogEntryRow, LogHeadRow
from agency_core.store.session import active_transaction

if TYPE_CHECKING:
    from agency_core.store.session import Store, Transaction

__all__ = [
    "GENESIS",
    "DecisionLog",
    "LogProblem",
    "LogReport",
    "LogRepository",
    "PendingEntry",
    "chain_hash",
    "verify_log",
]

GENESIS: Final = "0" * 64
"""The hash the first entry chains from."""
HEAD_ID: Final = 1


@attrs.frozen
class PendingEntry:
    """A decision waiting to be appended (it gets its sequence number and hash when appended)."""

    at: datetime
    kind: str
    digest: str
    outcome: str
    actor: str | None
    policy_version: str
    policy_sha256: str
    findings: list[dict[str, Any]]


def actor_of(request: object) -> str | None:
    """The person a request is about: the actor of a step or duty, the requester, the grantee."""
    if isinstance(request, StepCheck):
        return request.actor.id
    if isinstance(request, DutyCheck):
        return request.actor
    if isinstance(request, ApprovalRequest):
        return request.requester
    if isinstance(request, RoleGrant):
        return request.employee.id
    return None


def entry_body(seq: int, entry: PendingEntry | Any) -> dict[str, Any]:
    """The hashed content of an entry (from a :class:`PendingEntry` or a stored row)."""
    return {
        "seq": seq,
        "at": utc_iso(entry.at),
        "kind": entry.kind,
        "digest": entry.digest,
        "outcome": entry.outcome,
        "actor": entry.actor,
        "policy": {"version": entry.policy_version, "sha256": entry.policy_sha256},
        "findings": entry.findings,
    }


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of body)`` as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(body)).hexdigest()


class LogRepository:
    """Appends to the decision log inside the current transaction; never updates or deletes."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def append(self, entries: Sequence[PendingEntry]) -> int:
        """Chain and insert ``entries`` in one statement; return the last sequence number."""
        session = self._tx.session
        head = session.execute(
            select(LogHeadRow.seq, LogHeadRow.hash)
            .where(LogHeadRow.id == HEAD_ID)
            .with_for_update()
        ).one_or_none()
        if head is None:
            raise AgencyError("the decision log has no head row: run `agency db upgrade`")
        seq, prev = head.seq, head.hash
        if not entries:
            return int(seq)
        rows = []
        for entry in entries:
            seq += 1
            body = entry_body(seq, entry)
            current = chain_hash(prev, body)
            rows.append({**attrs.asdict(entry), "seq": seq, "prev_hash": prev, "hash": current})
            prev = current
        session.execute(insert(LogEntryRow), rows)
        session.execute(
            update(LogHeadRow).where(LogHeadRow.id == HEAD_ID).values(seq=seq, hash=prev)
        )
        return int(seq)

    def count(self) -> int:
        """How many entries the log holds."""
        return int(self._tx.session.scalar(select(func.count()).select_from(LogEntryRow)) or 0)


class DecisionLog:
    """An ``agency_decision_made`` plugin that appends every decision to ``store``'s log.

    Register it with ``Engine(plugins=[log])``. A decision made inside ``store.transaction()``
    is appended when that transaction commits (together with the state it changed, or not at
    all); other decisions are buffered and appended ``batch_size`` at a time, or on
    :meth:`flush`. A refused decision whose transaction rolls back is still logged on its own.
    """

    def __init__(self, store: Store, *, batch_size: int = 100, name: str | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.store = store
        self.batch_size = batch_size
        self.__name__ = name or f"agency_core.store.log:{id(self):x}"
        self._buffer: list[PendingEntry] = []
        self._lock = threading.Lock()

    @hookimpl
    def agency_decision_made(self, request: object, decision: Decision) -> None:
        entry = PendingEntry(
            at=self.store.clock(),
            kind=decision.kind,
            digest=digest(request),
            outcome=decision.outcome.value,
            actor=actor_of(request),
            policy_version=decision.policy_version,
            policy_sha256=decision.policy_sha256,
            findings=[f.to_dict() for f in decision.findings],
        )
        tx = active_transaction()
        if tx is not None and tx.store is self.store:
            tx.defer_log(self, entry)
            return
        with self._lock:
            self._buffer.append(entry)
            full = len(self._buffer) >= self.batch_size
        if full:
            self.flush()

    @property
    def buffered(self) -> int:
        """Decisions waiting to be appended."""
        return len(self._buffer)

    def requeue(self, entries: Sequence[PendingEntry]) -> None:
        """Append ``entries`` on their own (their transaction rolled back), now if possible."""
        with self._lock:
            self._buffer.extend(entries)
        with contextlib.suppress(AgencyError):  # kept in the buffer for the next flush
            self.flush()

    def flush(self) -> int:
        """Append every buffered decision in one transaction; return how many were appended."""
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return 0
        try:
            with self.store.transaction() as tx:
                tx.log.append(batch)
        except BaseException:
            with self._lock:
                self._buffer[:0] = batch
            raise
        return len(batch)


Problem = Literal["altered", "removed", "inserted"]


@attrs.frozen
class LogProblem:
    """The first entry found altered, removed or inserted."""

    seq: int
    kind: Problem
    detail: str


@attrs.frozen
class LogReport:
    """The result of walking the chain."""

    entries: int
    head: str
    problem: LogProblem | None = None

    @property
    def ok(self) -> bool:
        """Whether the chain is intact."""
        return self.problem is None


def verify_log(store: Store, *, chunk: int = 1000) -> LogReport:
    """Walk the chain in ``chunk``-sized batches (a server-side cursor on PostgreSQL).

    Names the first problem: an entry whose content no longer matches its hash (``altered``),
    a gap or a broken link after a removal (``removed``), or an entry its successor skips over
    (``inserted``).
    """
    expected_seq, prev, before = 1, GENESIS, GENESIS
    table = LogEntryRow.__table__
    with store.reading() as conn:
        result = conn.execution_options(yield_per=chunk).execute(
            select(table).order_by(table.c.seq)
        )
        try:
            for row in result:
                problem = _check(row, expected_seq, prev, before)
                if problem is not None:
                    return LogReport(expected_seq - 1, prev, problem)
                before, prev = prev, row.hash
                expected_seq += 1
        finally:
            result.close()
        head = conn.execute(
            select(LogHeadRow.seq, LogHeadRow.hash).where(LogHeadRow.id == HEAD_ID)
        ).one_or_none()
    last = expected_seq - 1
    if head is not None and head.seq > last:
        detail = f"the head says {head.seq} entries; entries after {last} are missing"
        return LogReport(last, prev, LogProblem(last + 1, "removed", detail))
    if head is not None and head.seq < last:
        detail = f"entries after {head.seq} were added outside the log"
        return LogReport(last, prev, LogProblem(head.seq + 1, "inserted", detail))
    if head is not None and head.hash != prev:
        detail = f"entry {last} does not match the head hash"
        return LogReport(last, prev, LogProblem(last, "altered", detail))
    return LogReport(last, prev)


def _check(row: Any, seq: int, prev: str, before: str) -> LogProblem | None:
    if row.seq > seq:
        return LogProblem(seq, "removed", f"entries {seq}..{row.seq - 1} are missing")
    own = chain_hash(row.prev_hash, entry_body(row.seq, row)) == row.hash
    if row.prev_hash != prev:
        if seq > 1 and row.prev_hash == before:
            detail = f"entry {row.seq} chains from entry {seq - 2}: entry {seq - 1} was inserted"
            return LogProblem(seq - 1, "inserted", detail)
        if own and seq > 1:
            detail = f"entry {row.seq} no longer chains from entry {seq - 1}, which was rewritten"
            return LogProblem(seq - 1, "altered", detail)
        detail = f"entry {row.seq} does not chain from entry {seq - 1}: an entry was removed"
        return LogProblem(row.seq, "removed", detail)
    if not own:
        return LogProblem(row.seq, "altered", f"entry {row.seq} does not match its hash")
    return None

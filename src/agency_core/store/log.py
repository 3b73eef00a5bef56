"""The decision log: append-only, hash-chained, appended in batches, verified as a stream.

Each entry's ``hash = sha256(prev_hash + body)``, where ``body`` is the canonical JSON of the
entry (see :func:`entry_body`); the first entry chains from :data:`GENESIS`. The body is stored
as it was hashed, so it is the single source of truth: the queryable columns beside it (``at``,
``kind``, ``digest``, ``outcome``, ``actor``, ``policy_version``, ``policy_sha256``) are copies
that :func:`verify_log` checks against the body, and the findings live only in the body. People
are kept as salted pseudonyms (:mod:`agency_core.store.persons`), so erasing a person's salt
unlinks their entries without touching the chain.

The head row (last sequence number and hash) is locked by appenders, so concurrent transactions
append one after the other and the chain never forks. When the store has a log key, appenders
sign the head and refuse to extend a head the key did not sign; :func:`take_checkpoint` and
``verify_log(checkpoints=...)`` anchor the head outside the database
(:mod:`agency_core.store.checkpoint`).
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
from sqlalchemy import Dialect, func, select, update

from agency_core.decision import Decision
from agency_core.errors import AgencyError, InvalidInput
from agency_core.hookspecs import hookimpl
from agency_core.requests import StepCheck
from agency_core.store.canonical import canonical, canonical_text, digest, json_string, utc_iso
from agency_core.store.checkpoint import Checkpoint, head_mac
from agency_core.store.errors import StoreError
from agency_core.store.models import LogEntryRow, LogHeadRow
from agency_core.store.persons import persons_of, pseudonymised, pseudonyms
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
    "entry_body",
    "entry_text",
    "principal_of",
    "sign_head",
    "take_checkpoint",
    "verify_log",
]

GENESIS: Final = "0" * 64
"""The hash the first entry chains from."""
HEAD_ID: Final = 1
_FINDINGS_CACHE: Final = 256
"""How many shared decisions' canonical findings a :class:`DecisionLog` remembers."""


@attrs.frozen
class PendingEntry:
    """A decision waiting to be appended (it gets its sequence number and hash when appended).

    ``findings_json`` is the canonical JSON of ``findings`` when the caller already has it (a
    :class:`DecisionLog` computes it once per shared decision); it is computed when None.
    ``actor``, ``in_place_of`` and the findings name people by id here; :meth:`LogRepository.append`
    stores them as salted pseudonyms (:mod:`agency_core.store.persons`).
    """

    at: datetime
    kind: str
    digest: str
    outcome: str
    actor: str | None
    policy_version: str
    policy_sha256: str
    findings: Sequence[dict[str, Any]]
    plugins_sha256: str = ""
    """The plugin set that made the decision (empty for entries logged before it was kept)."""
    findings_json: str | None = attrs.field(default=None, eq=False, repr=False)
    in_place_of: str | None = None
    """The principal a delegate acted for (APR-06); kept in the hashed body, beside ``actor``."""


def principal_of(request: object) -> str | None:
    """The principal a delegate acts for in a step (APR-06), None when acting in one's own name."""
    if isinstance(request, StepCheck) and request.principal is not None:
        return request.principal.id
    return None


def entry_body(seq: int, entry: PendingEntry | Any) -> dict[str, Any]:
    """The hashed content of an entry, as data (from a :class:`PendingEntry` or alike).

    ``in_place_of`` is present only for a step a delegate took, so the bodies of other entries
    (and of every entry logged before it existed) are unchanged.
    """
    body: dict[str, Any] = {
        "seq": seq,
        "at": utc_iso(entry.at),
        "kind": entry.kind,
        "digest": entry.digest,
        "outcome": entry.outcome,
        "actor": entry.actor,
        "policy": {"version": entry.policy_version, "sha256": entry.policy_sha256},
        "findings": entry.findings,
    }
    plugins = getattr(entry, "plugins_sha256", "")
    if plugins:
        body["policy"]["plugins"] = plugins
    principal = getattr(entry, "in_place_of", None)
    if principal is not None:
        body["in_place_of"] = principal
    return body


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of body)`` as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(body)).hexdigest()


# The canonical JSON of a body has its keys sorted: actor, at, digest, findings, [in_place_of],
# kind, outcome, policy {[plugins], sha256, version}, seq. Every key but ``findings`` and
# ``in_place_of``
# comes from a column, so a body is ``_head(columns) + findings JSON [+ in_place_of] +
# _tail(columns)``; the part between head and tail is covered by the hash alone. Appending builds
# the body from these pieces (the findings JSON memoised per shared decision); verifying checks
# that the stored body starts with the head and ends with the tail rebuilt from the row's
# columns. JSON string tokens are
# self-delimiting (a quote inside one is always escaped), so a prefix and a suffix made of
# encoded tokens match the body only when every column equals the value the body holds.


def _head(actor: str | None, at: str, digest_: str) -> str:
    who = "null" if actor is None else json_string(actor)
    return f'{{"actor":{who},"at":{json_string(at)},"digest":{json_string(digest_)},"findings":'


def _policy_part(kind: str, outcome: str, version: str, sha256: str, plugins: str) -> str:
    made_by = f'"plugins":{json_string(plugins)},' if plugins else ""
    return (
        f',"kind":{json_string(kind)},"outcome":{json_string(outcome)},'
        f'"policy":{{{made_by}"sha256":{json_string(sha256)},"version":{json_string(version)}}},'
    )


def _tail(kind: str, outcome: str, version: str, sha256: str, plugins: str, seq: int) -> str:
    return f'{_policy_part(kind, outcome, version, sha256, plugins)}"seq":{seq}}}'


def entry_text(seq: int, entry: PendingEntry) -> str:
    """The stored, hashed body of ``entry`` at ``seq``: ``canonical(entry_body(seq, entry))``."""
    findings = entry.findings_json
    if findings is None:
        findings = canonical_text(entry.findings)
    if entry.in_place_of is not None:
        findings += f',"in_place_of":{json_string(entry.in_place_of)}'
    return (
        _head(entry.actor, utc_iso(entry.at), entry.digest)
        + findings
        + _tail(
            entry.kind,
            entry.outcome,
            entry.policy_version,
            entry.policy_sha256,
            entry.plugins_sha256,
            seq,
        )
    )


def _hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


_INSERT_COLUMNS: Final = (
    "seq",
    "at",
    "kind",
    "digest",
    "outcome",
    "actor",
    "policy_version",
    "policy_sha256",
    "plugins_sha256",
    "body",
    "prev_hash",
    "hash",
)
_INSERTS: dict[str, tuple[str, Callable[[datetime], Any]]] = {}


def _insert_statement(dialect: Dialect) -> tuple[str, Callable[[datetime], Any]]:
    """The INSERT of one entry in the dialect's paramstyle, and how its timestamp is bound."""
    known = _INSERTS.get(f"{dialect.name}+{dialect.driver}")
    if known is None:
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
        sql = (
            f"INSERT INTO {LogEntryRow.__tablename__} ({', '.join(_INSERT_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(_INSERT_COLUMNS))})"
        )
        process = LogEntryRow.__table__.c.at.type.bind_processor(dialect)
        known = _INSERTS[f"{dialect.name}+{dialect.driver}"] = (sql, process or (lambda at: at))
    return known


class LogRepository:
    """Appends to the decision log inside the current transaction; never updates or deletes."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def append(self, entries: Sequence[PendingEntry]) -> int:
        """Chain and insert ``entries`` in one statement; return the last sequence number."""
        session = self._tx.session
        head = session.execute(
            select(LogHeadRow.seq, LogHeadRow.hash, LogHeadRow.mac)
            .where(LogHeadRow.id == HEAD_ID)
            .with_for_update()
        ).one_or_none()
        if head is None:
            raise StoreError("the decision log has no head row: run `agency log verify`")
        seq, prev = int(head.seq), str(head.hash)
        if not entries:
            return seq
        key = self._tx.store.log_key
        if key is not None and seq > 0 and head.mac != head_mac(key, seq, prev):
            raise StoreError(
                "the decision log's head is not signed by this store's log key: "
                "refusing to extend it (run `agency log verify --key ...`)"
            )
        # Personal fields are kept as salted pseudonyms (:mod:`agency_core.store.persons`); the
        # salts are given under the head lock, so one person never gets two.
        names = pseudonyms(session, set().union(*(persons_of(entry) for entry in entries)))
        entries = [pseudonymised(entry, names) for entry in entries]
        connection = session.connection()
        insert_sql, at_param = _insert_statement(connection.dialect)
        rows = []
        sha256 = hashlib.sha256
        for entry in entries:
            seq += 1
            body = entry_text(seq, entry)
            current = sha256((prev + body).encode("utf-8")).hexdigest()
            rows.append(
                (
                    seq,
                    at_param(entry.at),
                    entry.kind,
                    entry.digest,
                    entry.outcome,
                    entry.actor,
                    entry.policy_version,
                    entry.policy_sha256,
                    entry.plugins_sha256,
                    body,
                    prev,
                    current,
                )
            )
            prev = current
        # One executemany on the DBAPI cursor, in the session's transaction: the rows are plain
        # tuples (the timestamp through the column type's own bind processing).
        connection.exec_driver_sql(insert_sql, rows)
        mac = head_mac(key, seq, prev) if key is not None else None
        session.execute(
            update(LogHeadRow).where(LogHeadRow.id == HEAD_ID).values(seq=seq, hash=prev, mac=mac)
        )
        return seq

    def count(self) -> int:
        """How many entries the log holds."""
        return int(self._tx.session.scalar(select(func.count()).select_from(LogEntryRow)) or 0)


class DecisionLog:
    """An ``agency_decision_made`` plugin that appends every decision to ``store``'s log.

    Register it with ``Engine(plugins=[log])``. A decision made inside ``store.transaction()``
    is appended when that transaction commits (together with the state it changed, or not at
    all); other decisions are buffered and appended ``batch_size`` at a time, or on
    :meth:`flush`. A refused decision whose transaction rolls back is still logged on its own.

    The engine shares one :class:`Decision` between requests on the same route, so the canonical
    JSON of a decision's findings is computed once and remembered (by identity, for the last
    few hundred decisions).

    A flush that fails raises (so the decision that found the buffer full is denied, ENG-01) and
    fails only the decisions it held: they move to :attr:`failed` (the last ``keep_failed``),
    never back into the buffer, so one entry the database refuses cannot stop the log; the buffer
    never holds more than ``batch_size`` decisions.
    """

    def __init__(
        self,
        store: Store,
        *,
        batch_size: int = 100,
        name: str | None = None,
        keep_failed: int = 10_000,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.failed: collections.deque[PendingEntry] = collections.deque(maxlen=keep_failed)
        """Decisions whose flush failed, newest last (for the host to inspect or re-append)."""
        self.store = store
        self.batch_size = batch_size
        self.__name__ = name or f"agency_core.store.log:{id(self):x}"
        self._buffer: list[PendingEntry] = []
        self._lock = threading.Lock()
        self._findings: dict[int, tuple[Decision, tuple[dict[str, Any], ...], str]] = {}

    def _findings_of(self, decision: Decision) -> tuple[tuple[dict[str, Any], ...], str]:
        """The decision's findings as dicts and as canonical JSON, memoised by identity."""
        known = self._findings.get(id(decision))
        if known is not None and known[0] is decision:
            return known[1], known[2]
        findings = tuple(f.to_dict() for f in decision.findings)
        text = canonical_text(findings)
        if len(self._findings) >= _FINDINGS_CACHE:
            self._findings.clear()
        self._findings[id(decision)] = (decision, findings, text)
        return findings, text

    @hookimpl
    def agency_decision_made(self, request: object, decision: Decision) -> Callable[[], None]:
        """Prepare the decision's entry; it is queued only once the engine says it is final.

        Outside a transaction, a full buffer is flushed first: if that fails, this decision is
        vetoed (denied, ENG-01), since a log that cannot store what it holds must not let
        anything through.
        """
        findings, text = self._findings_of(decision)
        entry = PendingEntry(
            at=self.store.clock(),
            kind=decision.kind,
            digest=digest(request),
            outcome=decision.outcome.value,
            actor=self.store.engine.actor_of(request),
            policy_version=decision.policy_version,
            policy_sha256=decision.policy_sha256,
            findings=findings,
            plugins_sha256=decision.plugins_sha256,
            findings_json=text,
            in_place_of=principal_of(request),
        )
        tx = active_transaction()
        if tx is not None and tx.store is self.store:
            return partial(tx.defer_log, self, entry)
        if len(self._buffer) >= self.batch_size:
            self.flush()
        return partial(self._buffered, entry)

    def _buffered(self, entry: PendingEntry) -> None:
        with self._lock:
            self._buffer.append(entry)

    @property
    def buffered(self) -> int:
        """Decisions waiting to be appended."""
        return len(self._buffer)

    def requeue(self, entries: Sequence[PendingEntry]) -> None:
        """Append ``entries`` on their own (their transaction rolled back), now if possible."""
        with self._lock:
            self._buffer.extend(entries)
        with contextlib.suppress(AgencyError):  # a failure keeps them in :attr:`failed`
            self.flush()

    def flush(self) -> int:
        """Append every buffered decision in one transaction; return how many were appended.

        On failure the batch moves to :attr:`failed` and the error is raised.
        """
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return 0
        try:
            with self.store.transaction() as tx:
                tx.log.append(batch)
        except BaseException:
            with self._lock:
                self.failed.extend(batch)
            raise
        return len(batch)


Problem = Literal["altered", "removed", "inserted", "truncated", "rewritten", "forged"]


@attrs.frozen
class LogProblem:
    """The first entry found altered, removed or inserted; or, against the log key and the
    checkpoints, the first entry truncated away, rewritten or forged."""

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


_COLUMNS: Final = (
    "seq, prev_hash, hash, body, actor, {at}, digest, kind, outcome, policy_version, policy_sha256,"
    " plugins_sha256"
)
_AT_SQL: Final = {
    # PostgreSQL formats the timestamp itself, in UTC, as utc_iso() does.
    "postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')",
    "sqlite": "at",
}


def _sqlite_iso(stored: Any) -> str:
    """:func:`utc_iso` of a timestamp as SQLAlchemy stores it in SQLite, in UTC.

    The stored form is ``YYYY-MM-DD HH:MM:SS.ffffff`` (without ``.ffffff`` on a whole second);
    anything else gets a NUL prefix, which no body holds, so a timestamp rewritten in another
    form is reported as altered.
    """
    text = str(stored)
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        return f"{text[:10]}T{text[11:]}+00:00"
    if len(text) == 19 and text[10] == " ":
        return f"{text[:10]}T{text[11:]}.000000+00:00"
    return f"\x00{text}"


def _rows(conn: Any, dialect: str, chunk: int) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The log's rows in ``seq`` order, ``chunk`` at a time, straight from the DBAPI cursor.

    PostgreSQL streams through a server-side (named) cursor; SQLite's cursor steps lazily.
    """
    sql = f"SELECT {_COLUMNS.format(at=_AT_SQL.get(dialect, 'at'))} FROM decision_log ORDER BY seq"
    raw = conn.connection.dbapi_connection
    cursor = raw.cursor("agency_verify_log") if dialect == "postgresql" else raw.cursor()
    try:
        if dialect == "postgresql":
            cursor.itersize = chunk
        cursor.execute(sql)
        while batch := cursor.fetchmany(chunk):
            yield batch
    finally:
        cursor.close()


def verify_log(
    store: Store,
    *,
    chunk: int = 10_000,
    key: bytes | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> LogReport:
    """Walk the chain in ``chunk``-sized batches (a server-side cursor on PostgreSQL).

    Each entry must chain from the one before (``prev_hash``), hash to its ``hash``
    (``sha256(prev_hash + body)``) and have columns that say what its body says. Names the first
    problem: an entry whose content no longer matches its hash or its body (``altered``), a gap
    or a broken link after a removal (``removed``), or an entry its successor skips over
    (``inserted``). A missing head row is a problem (``removed``). The walk and the head are read
    in one snapshot.

    With the log ``key``, the head must carry the key's signature (else ``forged``: entries were
    appended by someone without the key), and every checkpoint must be signed by the key
    (else ``forged``). The chain must extend every checkpoint: it holds the checkpoint's entry,
    with the checkpoint's hash (else ``truncated`` at the first entry missing, or ``rewritten``
    at the first entry after the last checkpoint that still matches).
    """
    if chunk < 1:
        raise ValueError("chunk must be >= 1")
    if checkpoints and key is None:
        raise InvalidInput("checking checkpoints needs the log key")
    anchors = sorted(checkpoints, key=lambda c: c.seq)
    for anchor in anchors:
        if key is not None and not anchor.signed_by(key):
            detail = f"the checkpoint of entry {anchor.seq} is not signed by this key"
            return LogReport(0, GENESIS, LogProblem(anchor.seq, "forged", detail))
    by_seq = {anchor.seq: anchor.hash for anchor in anchors}
    next_anchor = anchors[0].seq if anchors else -1
    trusted = 0  # the last entry a checkpoint vouches for
    dialect = store.dialect
    iso = _sqlite_iso if dialect == "sqlite" else str
    expected_seq, prev, before = 1, GENESIS, GENESIS
    if next_anchor == 0 and by_seq[0] != GENESIS:
        detail = "the checkpoint of the empty log does not start from the genesis hash"
        return LogReport(0, GENESIS, LogProblem(1, "rewritten", detail))
    with store.reading() as conn:
        if dialect == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        head = conn.execute(
            select(LogHeadRow.seq, LogHeadRow.hash, LogHeadRow.mac).where(LogHeadRow.id == HEAD_ID)
        ).one_or_none()
        sha256 = hashlib.sha256
        parts: dict[tuple[str, str, str, str, str], str] = {}
        for batch in _rows(conn, dialect, chunk):
            for row_ in batch:
                seq, prev_hash, hash_, body, actor, at, dig, kind, outcome, version, sha, made = (
                    row_
                )
                # The fast path: in order, chained, hashing right, columns matching the body.
                key_ = (kind, outcome, version, sha, made)
                part = parts.get(key_)
                if part is None:
                    if len(parts) >= 1024:
                        parts.clear()
                    part = parts[key_] = _policy_part(kind, outcome, version, sha, made)
                if (
                    seq == expected_seq
                    and prev_hash == prev
                    and sha256((prev + body).encode("utf-8")).hexdigest() == hash_
                    and body.endswith(f'{part}"seq":{seq}}}')
                    and body.startswith(_head(actor, iso(at), dig))
                ):
                    before, prev = prev, hash_
                    expected_seq += 1
                    if seq >= next_anchor >= 0:
                        if by_seq.get(seq, hash_) != hash_:
                            detail = (
                                f"entries {trusted + 1}..{seq} differ from the checkpoint "
                                f"of entry {seq}: the chain was rewritten"
                            )
                            moved = LogProblem(trusted + 1, "rewritten", detail)
                            return LogReport(seq, prev, moved)
                        trusted = seq
                        later = [a.seq for a in anchors if a.seq > seq]
                        next_anchor = later[0] if later else -1
                    continue
                row = _Row(
                    seq,
                    prev_hash,
                    hash_,
                    body,
                    actor,
                    iso(at),
                    dig,
                    kind,
                    outcome,
                    version,
                    sha,
                    made,
                )
                problem = _check(row, expected_seq, prev, before)
                if problem is None:  # pragma: no cover - the fast path would have passed it
                    raise AssertionError(f"entry {seq} failed the fast check only")
                return LogReport(expected_seq - 1, prev, problem)
    last = expected_seq - 1
    if anchors and anchors[-1].seq > last:
        detail = (
            f"a checkpoint vouches for {anchors[-1].seq} entries; the log ends at entry {last}: "
            "it was truncated"
        )
        return LogReport(last, prev, LogProblem(last + 1, "truncated", detail))
    if head is None:
        detail = "the head row is missing: the log cannot vouch for its last entry"
        return LogReport(last, prev, LogProblem(last + 1, "removed", detail))
    if head.seq > last:
        detail = f"the head says {head.seq} entries; entries after {last} are missing"
        return LogReport(last, prev, LogProblem(last + 1, "removed", detail))
    if head.seq < last:
        detail = f"entries after {head.seq} were added outside the log"
        return LogReport(last, prev, LogProblem(head.seq + 1, "inserted", detail))
    if head.hash != prev:
        detail = f"entry {last} does not match the head hash"
        return LogReport(last, prev, LogProblem(last, "altered", detail))
    if key is not None and last > 0 and head.mac != head_mac(key, head.seq, head.hash):
        detail = (
            f"the head (entry {last}) is not signed by the log key: entries "
            f"{trusted + 1}..{last} may have been forged by someone without it"
        )
        return LogReport(last, prev, LogProblem(trusted + 1, "forged", detail))
    return LogReport(last, prev)


def take_checkpoint(store: Store, key: bytes) -> Checkpoint:
    """Verify the log with ``key`` and sign its head; keep the result outside the database.

    Raises :class:`~agency_core.store.errors.StoreError` when the log does not verify: a
    checkpoint never vouches for a broken chain.
    """
    report = verify_log(store, key=key)
    if report.problem is not None:
        problem = report.problem
        raise StoreError(
            f"the log does not verify (entry {problem.seq}: {problem.kind}: {problem.detail}); "
            "no checkpoint taken"
        )
    return Checkpoint.sign(key, report.entries, report.head, utc_iso(store.clock()))


def sign_head(store: Store, key: bytes) -> LogReport:
    """Adopt ``key`` for an existing log: verify the chain without a key, then sign its head.

    For a log written before the firm had a key; run it once, then take a checkpoint.
    """
    report = verify_log(store)
    if report.problem is not None:
        return report
    with store.transaction() as tx:
        tx.session.execute(
            update(LogHeadRow)
            .where(LogHeadRow.id == HEAD_ID, LogHeadRow.seq == report.entries)
            .values(mac=head_mac(key, report.entries, report.head))
        )
    return report


@attrs.frozen
class _Row:
    seq: int
    prev_hash: str
    hash: str
    body: str
    actor: str | None
    at: str
    digest: str
    kind: str
    outcome: str
    policy_version: str
    policy_sha256: str
    plugins_sha256: str

    def hashes(self) -> bool:
        """Whether the body hashes to the stored hash."""
        return _hash(self.prev_hash, self.body) == self.hash

    def agrees(self) -> bool:
        """Whether every column says what the body says."""
        head = _head(self.actor, self.at, self.digest)
        tail = _tail(
            self.kind,
            self.outcome,
            self.policy_version,
            self.policy_sha256,
            self.plugins_sha256,
            self.seq,
        )
        return (
            len(self.body) >= len(head) + len(tail)
            and self.body.startswith(head)
            and self.body.endswith(tail)
        )


def _check(row: _Row, seq: int, prev: str, before: str) -> LogProblem | None:
    if row.seq > seq:
        return LogProblem(seq, "removed", f"entries {seq}..{row.seq - 1} are missing")
    own = row.hashes()
    if row.prev_hash != prev:
        if seq > 1 and row.prev_hash == before:
            detail = f"entry {row.seq} chains from entry {seq - 2}: entry {seq - 1} was inserted"
            return LogProblem(seq - 1, "inserted", detail)
        if own and row.agrees() and seq > 1:
            detail = f"entry {row.seq} no longer chains from entry {seq - 1}, which was rewritten"
            return LogProblem(seq - 1, "altered", detail)
        detail = f"entry {row.seq} does not chain from entry {seq - 1}: an entry was removed"
        return LogProblem(row.seq, "removed", detail)
    if not own:
        return LogProblem(row.seq, "altered", f"entry {row.seq} does not match its hash")
    if not row.agrees():
        detail = f"entry {row.seq}: a column no longer says what its hashed body says"
        return LogProblem(row.seq, "altered", detail)
    return None

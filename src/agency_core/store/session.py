"""The store and its unit of work: the host owns the transaction, repositories never commit."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from agency_core.engine import Engine
from agency_core.errors import AgencyError, InvalidInput
from agency_core.store.errors import Conflict, StoreError
from agency_core.store.ports import (
    ApprovalPort,
    DelegationPort,
    DestructionPort,
    DutyPort,
    EmployeePort,
    LogPort,
    RegistryPort,
)

if TYPE_CHECKING:
    from agency_core.store.log import DecisionLog, PendingEntry

__all__ = ["Store", "Transaction", "active_transaction", "open_store"]

Clock = Callable[[], datetime]

_active: contextvars.ContextVar[Transaction | None] = contextvars.ContextVar(
    "agency_store_transaction", default=None
)
_READ = "agency_read_only"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def active_transaction() -> Transaction | None:
    """The transaction open in the current thread or task, if any."""
    return _active.get()


class Transaction:
    """One unit of work: repositories over one session; commits when the ``with`` block ends."""

    def __init__(self, store: Store, session: Session, engine: Engine) -> None:
        from agency_core.store.approvals import ApprovalRepository, DutyRepository
        from agency_core.store.firm import DelegationRepository, EmployeeRepository
        from agency_core.store.log import LogRepository
        from agency_core.store.registry import DestructionRepository, RecordRepository
        from agency_core.store.tracked import TrackedRepository

        self.store = store
        self.session = session
        self.engine = engine
        self.connected = False
        """Whether the session has begun on its connection (on SQLite: holds the write lock)."""
        event.listen(session, "after_begin", self._began)
        self._pending: list[tuple[DecisionLog, PendingEntry]] = []
        self.employees: EmployeePort = EmployeeRepository(self)
        self.delegations: DelegationPort = DelegationRepository(self)
        self.approvals: ApprovalPort = ApprovalRepository(self)
        self.duties: DutyPort = DutyRepository(self)
        self.records: RegistryPort = RecordRepository(self)
        self.destruction: DestructionPort = DestructionRepository(self)
        self.log: LogPort = LogRepository(self)
        self.tracked = TrackedRepository(self)

    def _began(self, *_args: Any) -> None:
        self.connected = True

    def now(self) -> datetime:
        """The store's clock (UTC)."""
        return self.store.clock()

    def defer_log(self, plugin: DecisionLog, entry: PendingEntry) -> None:
        """Queue a decision for the log; it is appended when (and only if) this commits."""
        self._pending.append((plugin, entry))

    def _before_commit(self) -> None:
        if self._pending:
            self.log.append([entry for _plugin, entry in self._pending])

    def _after(self, committed: bool) -> None:
        pending, self._pending = self._pending, []
        if committed or not pending:
            return
        # A refusal rolls the state change back, but the refused decision is still worth keeping:
        # denials record no state change, so they go to the log on their own.
        by_plugin: dict[int, tuple[DecisionLog, list[PendingEntry]]] = {}
        for plugin, entry in pending:
            if entry.outcome == "deny":
                by_plugin.setdefault(id(plugin), (plugin, []))[1].append(entry)
        for plugin, entries in by_plugin.values():
            plugin.requeue(entries)


@contextmanager
def translated() -> Iterator[None]:
    """Turn database exceptions into the store's typed errors."""
    try:
        yield
    except (IntegrityError, StaleDataError) as exc:
        raise Conflict(f"a concurrent change got there first: {_short(exc)}") from exc
    except DBAPIError as exc:
        if _retryable(exc):
            detail = _short(exc)
            raise Conflict(f"a concurrent transaction got in the way, retry: {detail}") from exc
        raise StoreError(f"database error, nothing was saved: {_short(exc)}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"store error, nothing was saved: {_short(exc)}") from exc


_RETRYABLE_STATES: Final = frozenset({"40001", "40P01", "55P03"})
"""PostgreSQL: serialization failure, deadlock detected, lock not available."""


def _retryable(exc: DBAPIError) -> bool:
    """Whether the transaction lost a race (retry it), rather than the database failing."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _RETRYABLE_STATES:
        return True
    return type(orig).__name__ == "OperationalError" and "database is locked" in str(orig)


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


class Store:
    """Durable state for agency-core. Make one with :func:`agency_core.store.open`.

    ``engine`` is the agency :class:`~agency_core.engine.Engine` the workflows ask; the default
    engine when none is given. ``clock`` gives the current UTC time (tests pass a fixed one).
    ``log_key`` (the firm's secret log key, see :mod:`agency_core.store.checkpoint`) makes every
    append sign the log's head and refuse to extend a head the key did not sign.
    """

    def __init__(
        self,
        database: SqlEngine,
        *,
        engine: Engine | None = None,
        schema: str | None = None,
        clock: Clock = _utcnow,
        log_key: bytes | None = None,
    ) -> None:
        self._db = database
        self.log_key = log_key
        self.engine = engine if engine is not None else Engine()
        self.schema = schema
        self.clock = clock

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect.name

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return self._db.url.render_as_string(hide_password=True)

    def use(self, engine: Engine) -> None:
        """Ask ``engine`` from now on (for example one with a :class:`DecisionLog` registered)."""
        self.engine = engine

    @contextmanager
    def transaction(self, engine: Engine | None = None) -> Iterator[Transaction]:
        """Open a unit of work; it commits when the block ends and rolls back if it raises.

        Decisions made meanwhile by a :class:`~agency_core.store.log.DecisionLog` of this store
        are appended in the same transaction: the log and the state commit together or not at all.
        """
        session = Session(self._db, expire_on_commit=False, autoflush=True)
        tx = Transaction(self, session, engine if engine is not None else self.engine)
        token = _active.set(tx)
        committed = False
        try:
            with translated(), session.begin():
                yield tx
                tx._before_commit()
            committed = True
        finally:
            _active.reset(token)
            session.close()
            tx._after(committed)

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A read-only connection (no write lock on SQLite) for sweeps and verification."""
        with translated(), self._db.connect() as conn:
            conn = conn.execution_options(**{_READ: True})
            yield conn
            conn.rollback()

    @contextmanager
    def snapshot(self, engine: Engine) -> Iterator[Transaction | None]:
        """A read-only unit of work apart from any open transaction (no write lock on SQLite),
        for deciding before locking. None when that would not help: for an in-memory SQLite
        database (its connections are one and the same) and when the current transaction has
        already begun on its connection (it may have changed what a snapshot would read)."""
        current = active_transaction()
        memory = self.dialect == "sqlite" and self._db.url.database in (None, "", ":memory:")
        if memory or (current is not None and current.connected):
            yield None
            return
        with self.reading() as conn:
            session = Session(bind=conn, expire_on_commit=False, autoflush=False)
            try:
                yield Transaction(self, session, engine)
            finally:
                session.close()

    def upgrade(self, revision: str = "heads") -> None:
        """Create or upgrade the schema: the core's migrations and every plugin branch."""
        from agency_core.store.migrate import upgrade

        upgrade(self, revision)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._db.dispose()

    # database access for the sibling modules (migrations, audit, verification)
    @property
    def database(self) -> SqlEngine:
        """The SQLAlchemy engine (for the store's own modules)."""
        return self._db


def _sqlite_engine(url: URL) -> SqlEngine:
    database = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(database, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(database, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the write lock at BEGIN, so two writers never deadlock on a lock upgrade.
        read = conn.get_execution_options().get(_READ)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    return database


_HOST: Final = re.compile(r"[A-Za-z0-9._-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]")


def _check_server(url: URL) -> None:
    """A host name or address and a port in range, before anything connects."""
    if url.host is not None and not _HOST.fullmatch(url.host):
        raise InvalidInput(f"not a host name or address: {url.host[:64]!r}")
    if url.port is not None and not 1 <= url.port <= 65535:
        raise InvalidInput(f"port must be 1..65535, not {url.port}")
    for part in (url.database, url.username, url.password):
        if part is not None and "\x00" in str(part):
            raise InvalidInput("the database URL holds a NUL character")


def open_store(
    url: str,
    *,
    engine: Engine | None = None,
    schema: str | None = None,
    clock: Clock = _utcnow,
    log_key: bytes | None = None,
) -> Store:
    """Open the store at ``url``: ``sqlite:///path`` or ``postgresql+psycopg://user@host/db``.

    ``schema`` (PostgreSQL only) puts every table in that schema through the search path.
    Opening does not create tables: run :meth:`Store.upgrade` or ``agency db upgrade``.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput(f"a database URL is needed, not {url!r}")
    if log_key is not None and (not isinstance(log_key, bytes) or len(log_key) < 32):
        raise InvalidInput("a log key must be at least 32 bytes")
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise InvalidInput(f"not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    driver = parsed.get_driver_name()
    try:
        if backend == "sqlite" and driver in ("pysqlite", ""):
            if "\x00" in (parsed.database or ""):
                raise InvalidInput("the database path holds a NUL character")
            if schema is not None:
                raise InvalidInput("schema= applies to PostgreSQL only")
            database = _sqlite_engine(parsed)
        elif backend == "postgresql" and driver in ("psycopg", "psycopg2", ""):
            _check_server(parsed)
            parsed = parsed.set(drivername="postgresql+psycopg")
            args: dict[str, Any] = {}
            if schema is not None:
                if not schema.replace("_", "").isalnum():
                    raise InvalidInput(f"schema must be a plain identifier, not {schema!r}")
                args["options"] = f"-csearch_path={schema}"
            database = create_engine(parsed, pool_pre_ping=True, connect_args=args)
        else:
            raise InvalidInput(
                f"unsupported database {backend}+{driver}: use sqlite:///path or "
                "postgresql+psycopg://user:password@host/database"
            )
    except AgencyError:
        raise
    except Exception as exc:  # a missing driver, a malformed URL
        raise StoreError(f"cannot open {parsed.render_as_string()}: {exc}") from None
    return Store(database, engine=engine, schema=schema, clock=clock, log_key=log_key)

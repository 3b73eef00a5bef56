"""Fixtures: every store test runs on SQLite (a temp file) and, when AGENCY_TEST_DATABASE_URL
points at one, on PostgreSQL in a fresh schema dropped after the test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import attrs
import pytest
import sqlalchemy as sa

import agency_core.store as st
from agency_core import Engine
from tests.store.helpers import PG_URL, STAFF, Clock

BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@attrs.frozen
class Db:
    url: str
    """A URL that reaches the test's schema (for the CLI)."""
    backend: str
    schema: str | None = None


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Db]:
    if request.param == "sqlite":
        yield Db(f"sqlite:///{tmp_path}/agency.db", "sqlite")
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield Db(f"{PG_URL}{sep}options=-csearch_path%3D{schema}", "postgresql", schema)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def pg_db(db: Db) -> Db:
    if db.backend != "postgresql":
        pytest.skip("needs PostgreSQL (AGENCY_TEST_DATABASE_URL)")
    return db


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db: Db, clock: Clock) -> Iterator[st.Store]:
    store = st.open(db.url, clock=clock)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture
def staffed(store: st.Store) -> st.Store:
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    return store


@pytest.fixture
def engine() -> Engine:
    return Engine()

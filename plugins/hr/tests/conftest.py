"""Fixtures of the HR plugin's tests: an engine with the plugin, a staffed store on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import agency_hr.plugin
import pytest

import agency_core.store as st
from agency_core import Employee, Engine

STAFF = (
    Employee("E1", "sales", name="Clerk"),
    Employee("H1", "sales", frozenset({"dept_head"}), name="Sales head"),
    Employee("HR", "admin", name="HR officer"),
    Employee("FN", "finance", name="Finance clerk"),
)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(plugins=[agency_hr.plugin])


@pytest.fixture
def store(agency_db_url: str, engine: Engine) -> Iterator[st.Store]:
    store = st.open(agency_db_url, engine=engine, clock=lambda: datetime(2026, 3, 2, 9, tzinfo=UTC))
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()

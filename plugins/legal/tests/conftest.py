"""Fixtures of the legal tests: an engine with the plugin, stores on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import agency_legal.plugin
import pytest

import agency_core.store as st
from agency_core import Engine
from agency_core.entities import Employee

STAFF = (
    Employee("D1", "business", {"contract_drafter"}, "drafter"),
    Employee("L1", "legal", {"legal_reviewer"}, "legal reviewer"),
    Employee("L2", "legal", {"legal_reviewer"}, "second legal reviewer"),
    Employee("B1", "business", (), "business officer"),
    Employee("G1", "office", {"general_manager"}, "general manager"),
)


@pytest.fixture
def staff() -> dict[str, Employee]:
    return {person.id: person for person in STAFF}


@pytest.fixture
def engine() -> Engine:
    return Engine(plugins=[agency_legal.plugin])


@pytest.fixture
def store(agency_db_url: str, engine: Engine) -> Iterator[st.Store]:
    store = st.open(agency_db_url, engine=engine, clock=lambda: datetime(2025, 3, 3, 2, tzinfo=UTC))
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()

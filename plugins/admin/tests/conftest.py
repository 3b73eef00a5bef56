"""Fixtures of the admin plugin's tests: an engine with the plugin, a staffed store per backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import agency_admin.plugin
import pytest

import agency_core.store as st
from agency_core import Employee, Engine

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
STAFF = (
    Employee("E1", "sales", name="Sales clerk"),
    Employee("H1", "sales", frozenset({"dept_head"}), name="Sales head"),
    Employee("HA", "admin", frozenset({"dept_head"}), name="Admin head"),
    Employee("SA", "general", frozenset({"seal_use_approver"}), name="Seal approver"),
    Employee("SC", "admin", frozenset({"seal_custodian"}), name="Seal custodian"),
    Employee("AD", "admin", name="Admin clerk"),
    Employee("FM", "finance", frozenset({"finance_manager"}), name="Finance manager"),
)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(plugins=[agency_admin.plugin])


@pytest.fixture
def store(agency_db_url: str, engine: Engine) -> Iterator[st.Store]:
    store = st.open(agency_db_url, engine=engine, clock=lambda: NOW)
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()

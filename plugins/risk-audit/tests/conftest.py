"""Fixtures of the risk and audit plugin's tests: its engine, policies, and scratch stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import resources

import agency_risk_audit.plugin
import pytest

import agency_core.store as st
from agency_core import Employee, Engine
from agency_core.policy import parse_policy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = (
    Employee("A1", "audit", {"auditor"}, "lead auditor"),
    Employee("A2", "audit", {"auditor"}, "auditor"),
    Employee("S1", "sales", (), "sales clerk"),
    Employee("S2", "sales", {"dept_head"}, "head of sales"),
)


@pytest.fixture
def engine() -> Engine:
    return Engine(plugins=[agency_risk_audit.plugin])


@pytest.fixture
def engine_with() -> Callable[[str], Engine]:
    """An engine under the default policy with ``[plugins.risk_audit]`` set to ``table``."""

    def make(table: str) -> Engine:
        default = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()
        policy = parse_policy(default + b"\n[plugins.risk_audit]\n" + table.encode(), "test.toml")
        return Engine(policy, plugins=[agency_risk_audit.plugin])

    return make


@pytest.fixture
def store(agency_db_url: str, engine: Engine) -> Iterator[st.Store]:
    store = st.open(agency_db_url, engine=engine, clock=lambda: T0)
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()

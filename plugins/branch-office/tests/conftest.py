"""Fixtures of the branch office plugin's tests: a firm with one branch, engines, stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import resources

import agency_branch_office.plugin
import pytest

import agency_core.store as st
from agency_core import Employee, Engine
from agency_core.policy import Policy, parse_policy

TREE = """
units = [
  { id = "hq", level = "head_office" },
  { id = "finance", level = "department", parent = "hq" },
  { id = "sh", level = "branch", parent = "hq" },
  { id = "sh-sales", level = "department", parent = "sh" },
  { id = "sh-admin", level = "department", parent = "sh", admin = true },
  { id = "bj", level = "branch", parent = "hq" },
  { id = "bj-sales", level = "department", parent = "bj" },
]
"""
STAFF = (
    Employee("C1", "sh-sales", (), "claimant"),
    Employee("D1", "sh-sales", {"dept_head"}, "head of Shanghai sales"),
    Employee("R1", "sh-admin", {"branch_admin_reviewer"}, "Shanghai admin reviewer"),
    Employee("GM", "hq", {"general_manager"}, "general manager"),
    Employee("F1", "finance", {"finance_manager"}, "finance manager"),
)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def policy_with() -> Callable[[str], Policy]:
    """The default policy with ``[plugins.branch_office]`` set to ``table``."""

    def make(table: str) -> Policy:
        default = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()
        data = default + b"\n[plugins.branch_office]\n" + table.encode()
        return parse_policy(data, "test.toml")

    return make


@pytest.fixture
def engine_with(policy_with: Callable[[str], Policy]) -> Callable[[str], Engine]:
    def make(table: str) -> Engine:
        return Engine(policy_with(table), plugins=[agency_branch_office.plugin])

    return make


@pytest.fixture
def engine(engine_with: Callable[[str], Engine]) -> Engine:
    """An engine for a firm with branches in Shanghai (with an admin department) and Beijing."""
    return engine_with(TREE)


@pytest.fixture
def store(agency_db_url: str, engine: Engine) -> Iterator[st.Store]:
    store = st.open(agency_db_url, engine=engine, clock=lambda: T0)
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()

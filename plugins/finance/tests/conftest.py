"""Fixtures of the finance plugin's tests: its engine, the staff, and a store on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import agency_finance.plugin
import attrs
import pytest

import agency_core
import agency_core.store as st
from agency_core import Employee, Engine, parse_policy
from agency_core.policy import Policy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# The two approval actions the plugin names in its policy section, routed through the matrix.
ACTIONS = """
[approval.actions.credit_extension]
name_en = "Credit beyond limit or terms"
name_zh = "超信用额度或账期赊销"
control = "FIN-03"
tiers = [
  { max_amount = "50000", route = ["finance_manager"] },
  { route = ["finance_manager", "general_manager"] },
]

[approval.actions.stocktake_difference]
name_en = "Stocktake difference"
name_zh = "盘盈盘亏毁损处理"
control = "FIN-05"
tiers = [
  { max_amount = "5000", route = ["finance_manager"] },
  { route = ["finance_manager", "general_manager"] },
]
"""

STAFF = (
    Employee("E1", "sales", (), "requester"),
    Employee("E2", "sales", (), "second requester"),
    Employee("H1", "sales", {"dept_head"}, "head of sales"),
    Employee("V1", "finance", {"finance_reviewer"}, "finance reviewer"),
    Employee("F1", "finance", {"finance_manager"}, "finance manager"),
    Employee("G1", "office", {"general_manager"}, "general manager"),
    Employee("C1", "finance", {"cashier"}, "cashier"),
    Employee("K1", "finance", {"bookkeeper_receivable"}, "bookkeeper"),
)


def make_policy(extra: str = "", currency: str = "CNY") -> Policy:
    """The bundled default policy in ``currency``, with the finance actions and ``extra`` TOML
    appended."""
    default = Path(agency_core.__file__).parent / "policy" / "default.toml"
    bundled = default.read_text(encoding="utf-8")
    assert bundled.count('currency = "CNY"') == 1
    text = bundled.replace('currency = "CNY"', f'currency = "{currency}"') + ACTIONS + extra
    return parse_policy(text.encode("utf-8"), "finance-test")


@attrs.define
class Clock:
    """A clock tests move by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def policy() -> Policy:
    return make_policy()


@pytest.fixture(name="make_policy", scope="session")
def make_policy_fixture() -> Callable[..., Policy]:
    """:func:`make_policy`, for tests that need a policy of their own."""
    return make_policy


@pytest.fixture(scope="session")
def engine(policy: Policy) -> Engine:
    return Engine(policy, plugins=[agency_finance.plugin])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(agency_db_url: str, engine: Engine, clock: Clock) -> Iterator[st.Store]:
    store = st.open(agency_db_url, engine=engine, clock=clock)
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()

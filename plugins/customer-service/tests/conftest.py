"""Fixtures of the customer-service tests: an engine with the plugin, stores on every backend."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import agency_customer_service.plugin
import pytest
from agency_customer_service import Complaint

import agency_core.store as st
from agency_core import Engine
from agency_core.entities import Employee
from agency_core.policy.load import parse_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF = (
    Employee("K1", "customer_service", (), "customer service clerk"),
    Employee("B1", "business", (), "business officer"),
    Employee("BM", "business", {"dept_head"}, "business manager"),
)


def local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """An instant in the firm's time zone."""
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def at() -> Callable[..., datetime]:
    return local


@pytest.fixture
def engine() -> Engine:
    return Engine(plugins=[agency_customer_service.plugin])


@pytest.fixture
def engine_with() -> Callable[[str], Engine]:
    """An engine whose policy file has ``[plugins.customer_service]`` with ``body``."""
    default = (Path(st.__file__).parent.parent / "policy" / "default.toml").read_bytes()

    def make(body: str) -> Engine:
        text = default + f"\n[plugins.customer_service]\n{body}\n".encode()
        return Engine(parse_policy(text), plugins=[agency_customer_service.plugin])

    return make


@pytest.fixture
def complaint() -> Complaint:
    """A complaint received on Tuesday 2025-09-30, recorded at once."""
    return Complaint(
        id="CP-1",
        client="client-1",
        content="the licence came back with a wrong address",
        demand="correct it at no charge",
        contact="138 0000 0000",
        received_at=local(2025, 9, 30, 10),
        recorded_at=local(2025, 9, 30, 10),
        recorded_by="K1",
        case="CASE-2025-000001",
    )


class Clock:
    """A settable clock for the store (UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2025, 9, 30, 2, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(agency_db_url: str, engine: Engine) -> Iterator[st.Store]:
    store = st.open(agency_db_url, engine=engine, clock=Clock())
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()


_PATHS = {
    "received": ("received",),
    "assigned": ("received", "assigned"),
    "escalated": ("received", "assigned", "escalated"),
    "planned": ("received", "assigned", "planned"),
    "informed": ("received", "assigned", "planned", "informed"),
    "closed": ("received", "assigned", "planned", "informed", "closed"),
    "scheduled": ("scheduled",),
}
_START = {"complaint": "received", "inquiry": "received", "follow_up": "scheduled"}


@pytest.fixture
def transition(engine: Engine) -> Callable[..., object]:
    """Decide moving a subject of ``kind`` from ``from_state`` to ``to_state`` with ``data``."""

    def decide(
        to_state: str,
        data: object,
        *,
        from_state: str = "received",
        kind: str = "complaint",
        at: datetime | None = None,
    ) -> object:
        from agency_core.transitions import Move, TransitionCheck

        path = _PATHS[from_state] if kind == "complaint" else (_START[kind],)
        when = at or local(2025, 10, 9)
        history = [Move(a, b, "K1", local(2025, 9, 30, 11)) for a, b in itertools.pairwise(path)]
        check = TransitionCheck(kind, "S-1", path[-1], to_state, STAFF[0], when, data, history)
        return engine.decide(check)

    return decide

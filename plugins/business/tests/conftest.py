"""Fixtures of the business plugin's tests: an engine with the plugin, transition checks along
the case machine, scratch databases (SQLite, and PostgreSQL when AGENCY_TEST_DATABASE_URL is set)
and a walk that takes a stored case from inquiry to any state by the book (the demo's)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import agency_business.plugin as plugin
import attrs
import pytest
from agency_business import CASE, CaseFacts, CaseRepository
from agency_business.demo import STAFF, book, invoice_check

import agency_core.store as st
from agency_core import Engine, InvoiceCheck
from agency_core.transitions import Move, TransitionCheck

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday morning (17:00 in Shanghai)."""

HANDLER = STAFF[0]


def path_to(state: str) -> list[str]:
    """The shortest path of states from the case machine's initial state to ``state``."""
    previous: dict[str, str | None] = {CASE.initial: None}
    queue = deque([CASE.initial])
    while queue:
        here = queue.popleft()
        for there in sorted(CASE.targets(here)):
            if there not in previous:
                previous[there] = here
                queue.append(there)
    assert state in previous, state
    states: list[str] = []
    at: str | None = state
    while at is not None:
        states.append(at)
        at = previous[at]
    return states[::-1]


def transition(
    to_state: str, facts: CaseFacts | None, *, from_state: str | None = None, at: datetime = T0
) -> TransitionCheck:
    """A case transition into ``to_state``, from ``from_state`` or the shortest path's last."""
    states = path_to(to_state)[:-1] if from_state is None else path_to(from_state)
    history = [
        Move(a, b, HANDLER.id, at - timedelta(hours=len(states) - i))
        for i, (a, b) in enumerate(pairwise(states))
    ]
    return TransitionCheck("case", "C1", states[-1], to_state, HANDLER, at, facts, history)


@pytest.fixture(name="transition")
def transition_fixture() -> Callable[..., TransitionCheck]:
    """:func:`transition`: a case transition with a valid history."""
    return transition


@pytest.fixture
def engine() -> Engine:
    return Engine(plugins=[plugin])


@pytest.fixture
def decide(engine: Engine) -> Callable[..., Any]:
    """Decide a case transition into ``to_state`` with ``facts``."""

    def run(to_state: str, facts: CaseFacts | None, **options: Any) -> Any:
        return engine.decide(transition(to_state, facts, **options))

    return run


@attrs.define
class Clock:
    """A clock tests move by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


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


@attrs.frozen
class Walk:
    """Takes stored cases from inquiry to a state, each step in its own transaction."""

    store: st.Store

    def open(self, case_id: str, service_item: str = "tax_registration") -> None:
        with self.store.transaction() as tx:
            CaseRepository(tx).register(
                case_id,
                client_id="CL1",
                service_item=service_item,
                handler="B1",
                due_on=date(2026, 4, 30),
                key=f"{case_id}-open",
            )

    def to(self, case_id: str, state: str, *, start: str | None = None) -> None:
        """Walk ``case_id`` to ``state`` (opening it first unless it is at ``start``)."""
        steps = book(case_id)
        if start is None:
            self.open(case_id)
        else:
            steps = steps[[s for s, _ in steps].index(start) + 1 :]
        for reached, step in steps:
            with self.store.transaction() as tx:
                step(tx)
            if reached == state:
                return
        raise AssertionError(f"no step reaches {state}")


@pytest.fixture(name="invoice_check")
def invoice_check_fixture() -> Callable[..., InvoiceCheck]:
    """An invoice of a case's one charge, of ``total``."""
    return invoice_check


@pytest.fixture
def walk(store: st.Store) -> Walk:
    return Walk(store)

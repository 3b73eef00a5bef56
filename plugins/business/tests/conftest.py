"""Fixtures of the business plugin's tests: an engine with the plugin, transition checks along
the case machine, scratch databases (SQLite, and PostgreSQL when AGENCY_TEST_DATABASE_URL is set)
and a walk that takes a stored case from inquiry to any state by the book."""

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

import agency_core.store as st
from agency_core import (
    ApprovalRequest,
    Charge,
    Employee,
    Engine,
    Invoice,
    InvoiceCheck,
    InvoiceLine,
    Money,
    SettlementStatement,
)
from agency_core.entities.fees import StatementLine
from agency_core.testing.databases import backends, scratch_database
from agency_core.transitions import Move, TransitionCheck

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday morning (17:00 in Shanghai)."""

HANDLER = Employee("B1", "business", (), "case handler")
STAFF = (
    HANDLER,
    Employee("B2", "business", (), "clerk"),
    Employee("BH", "business", {"dept_head"}, "head of business"),
    Employee("G1", "office", {"general_manager"}, "general manager"),
    Employee("F1", "finance", {"finance_manager"}, "finance manager"),
)
COMPLETE = frozenset({"application_form", "business_license", "legal_representative_id"})
"""Every material a tax registration needs under the default policy."""
FEE = Money("800", "CNY")


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


@pytest.fixture(params=backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    with scratch_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_url: str, engine: Engine, clock: Clock) -> Iterator[st.Store]:
    store = st.open(db_url, engine=engine, clock=clock)
    store.upgrade()
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    yield store
    store.dispose()


def _approve(tx: Any, request: ApprovalRequest, approvers: tuple[str, ...]) -> None:
    tx.approvals.submit(request, key=f"submit-{request.id}")
    for step, approver in enumerate(approvers):
        tx.approvals.approve(request.id, step, approver, key=f"{request.id}-{step}")


def _zero(case_id: str, action: str) -> ApprovalRequest:
    return ApprovalRequest(f"{case_id}-{action}", action, Money("0", "CNY"), "business", "B1")


def invoice_check(case_id: str, total: Money = FEE) -> InvoiceCheck:
    """An invoice of the case's one delivered, settled charge."""
    charge = Charge(
        f"{case_id}-CH1", case_id, "tax_registration", FEE, delivered=True, settled=True
    )
    line = InvoiceLine(charge.id, charge.item, total)
    invoice = Invoice(f"{case_id}-INV", case_id, date(2026, 3, 20), [line], total)
    return InvoiceCheck(invoice, [charge])


def statement(case_id: str, at: datetime) -> SettlementStatement:
    return SettlementStatement(case_id, at, [StatementLine("tax_registration", FEE)], FEE)


def _steps(case_id: str) -> list[tuple[str, Callable[[Any], Any]]]:
    """Each state of the happy path and what brings the case there, by the book."""
    c = case_id

    def repo(tx: Any) -> CaseRepository:
        return CaseRepository(tx)

    return [
        (
            "materials_requested",
            lambda tx: (
                repo(tx).submit_materials(c, ["application_form"]),
                repo(tx).request_materials(c, "B1", key=f"{c}-notice"),
            ),
        ),
        (
            "accepted",
            lambda tx: (
                repo(tx).submit_materials(c, COMPLETE),
                repo(tx).accept(c, "B1", key=f"{c}-accept"),
            ),
        ),
        (
            "intake_approved",
            lambda tx: (
                _approve(tx, _zero(c, "business_intake"), ("BH", "G1")),
                repo(tx).link_approval(c, "intake", f"{c}-business_intake"),
                repo(tx).move(c, "intake_approved", "B1", key=f"{c}-intake"),
            ),
        ),
        ("contracted", lambda tx: repo(tx).sign_contract(c, "CT-1", "B1", key=f"{c}-ct")),
        (
            "planned",
            lambda tx: (
                _approve(tx, _zero(c, "execution_plan"), ("BH",)),
                repo(tx).link_approval(c, "plan", f"{c}-execution_plan"),
                repo(tx).add_task(c, f"{c}-T1", title="file the form", owner="B2", key=f"{c}-t1"),
                repo(tx).move(c, "planned", "B1", key=f"{c}-plan"),
            ),
        ),
        ("in_progress", lambda tx: repo(tx).move(c, "in_progress", "B1", key=f"{c}-go")),
        (
            "completed",
            lambda tx: (
                repo(tx).finish_task(f"{c}-T1", "B2", key=f"{c}-t1-done"),
                repo(tx).add_documents(c, "processing_records", ["submission receipt"]),
                repo(tx).add_documents(c, "result_feedback", ["registration certificate"]),
                repo(tx).move(c, "completed", "B1", key=f"{c}-done"),
            ),
        ),
        ("reviewed", lambda tx: repo(tx).move(c, "reviewed", "BH", key=f"{c}-rev")),
        ("notified", lambda tx: repo(tx).notify(c, "phone", "B1", key=f"{c}-tell")),
        (
            "delivered",
            lambda tx: (
                repo(tx).add_documents(c, "proof_documents", ["certificate"], handed_over=True),
                repo(tx).add_documents(c, "aftercare_notes", ["renewal"], handed_over=True),
                repo(tx).move(c, "delivered", "B1", key=f"{c}-give"),
            ),
        ),
        (
            "client_confirmed",
            lambda tx: repo(tx).confirm_settlement(
                c, statement(c, tx.now() - timedelta(hours=1)), tx.now(), "B1", key=f"{c}-ok"
            ),
        ),
        (
            "manager_approved",
            lambda tx: (
                tx.approvals.submit(
                    ApprovalRequest(f"{c}-settlement", "settlement", FEE, "business", "B1"),
                    key=f"submit-{c}-settlement",
                ),
                repo(tx).link_approval(c, "settlement", f"{c}-settlement"),
                tx.approvals.approve(f"{c}-settlement", 0, "BH", key=f"{c}-s0"),
                repo(tx).move(c, "manager_approved", "B1", key=f"{c}-mgr"),
            ),
        ),
        (
            "finance_approved",
            lambda tx: (
                tx.approvals.approve(f"{c}-settlement", 1, "F1", key=f"{c}-s1"),
                repo(tx).move(c, "finance_approved", "B1", key=f"{c}-fin"),
            ),
        ),
        ("invoiced", lambda tx: repo(tx).invoice(c, invoice_check(c), "F1", key=f"{c}-inv")),
        ("closed", lambda tx: repo(tx).move(c, "closed", "B1", key=f"{c}-close")),
    ]


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
        steps = _steps(case_id)
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
    """:func:`invoice_check`: an invoice of a case's one charge, of ``total``."""
    return invoice_check


@pytest.fixture
def walk(store: st.Store) -> Walk:
    return Walk(store)

"""No database lock while plugins run: a slow plugin does not block unrelated writers."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest

import agency_core.store as st
from agency_core import (
    Appraisal,
    ApprovalRequest,
    DestructionItem,
    DestructionList,
    Employee,
    Engine,
    Money,
    Signature,
)
from agency_core.errors import StateError
from agency_core.hookspecs import hookimpl
from tests.store.helpers import claim

TODAY = date(2026, 3, 2)

SLOW = 1.5


class SlowStep:
    """A plugin that takes its time over every step check."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.calls = 0

    @hookimpl
    def agency_check_step(self, check, policy):
        self.calls += 1
        self.entered.set()
        time.sleep(SLOW)


def _meanwhile(store, engine, entered, unit, other) -> tuple[list[object], float]:
    """Run ``unit(tx)`` in a transaction of ``engine`` on a thread and, once one of its plugins
    has ``entered``, ``other(tx)`` in a transaction of its own. What ``unit`` returned after its
    commit (or raised), and the seconds ``other`` took."""
    results: list[object] = []

    def work() -> None:
        try:
            with store.transaction(engine) as tx:
                value = unit(tx)
            results.append(value)
        except BaseException as exc:  # reported by the caller
            results.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    assert entered.wait(10)
    started = time.perf_counter()
    with store.transaction() as tx:
        other(tx)
    waited = time.perf_counter() - started
    worker.join(60)
    return results, waited


def _h1_approves(tx) -> object:
    return tx.approvals.approve("R1", 0, "H1", key="a0")


def _hire(tx) -> None:
    """An unrelated writer."""
    tx.employees.put(Employee("Z9", "ops", (), "new hire"))


def test_a_slow_plugin_does_not_hold_the_write_lock(staffed):
    store = staffed
    with store.transaction() as tx:
        tx.approvals.submit(claim(), key="s")
    slow = SlowStep()
    engine = Engine(plugins=[slow])
    results, waited = _meanwhile(store, engine, slow.entered, _h1_approves, _hire)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert waited < SLOW / 2, f"the writer waited {waited:.2f}s for the plugin"
    assert slow.calls == 1  # nothing changed meanwhile: decided once
    with store.transaction() as tx:
        assert tx.approvals.get("R1").next_step == 1


def test_a_change_made_while_the_plugins_ran_is_decided_again(staffed):
    store = staffed
    with store.transaction() as tx:
        tx.approvals.submit(claim(), key="s")
    slow = SlowStep()
    engine = Engine(plugins=[slow])

    def h2_approves(tx) -> object:  # H2 decides step 0 while H1's plugins run
        return tx.approvals.approve("R1", 0, "H2", key="b0")

    results, _waited = _meanwhile(store, engine, slow.entered, _h1_approves, h2_approves)
    assert len(results) == 1
    assert isinstance(results[0], Exception)  # H1's early answer is not used: step 0 is taken
    with store.transaction() as tx:
        assert [a.actor for a in tx.approvals.get("R1").history] == ["H2"]


class Slow:
    """A plugin that takes its time over every approval, duty, record and destruction check, and
    over every retention lookup (it answers none of them, so the bundled rules decide)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.calls = 0

    def _wait(self) -> None:
        self.calls += 1
        self.entered.set()
        time.sleep(SLOW)

    @hookimpl
    def agency_check_approval(self, request, route, policy):
        self._wait()

    @hookimpl
    def agency_check_duty(self, check, policy):
        self._wait()

    @hookimpl
    def agency_check_record(self, check, policy):
        self._wait()

    @hookimpl
    def agency_check_destruction(self, check, retention, policy):
        self._wait()

    @hookimpl
    def agency_retention_rule(self, record_class, policy):
        self._wait()


def _old_voucher(tx) -> str:
    return tx.records.register("voucher", closed_on=date(1990, 6, 30)).number


def _lend(tx, number: str) -> None:
    borrowing = ApprovalRequest("L1", "archive_borrowing", Money("0", "CNY"), "sales", "E1")
    tx.approvals.submit(borrowing, key="L1")
    tx.approvals.approve("L1", 0, "A1", key="L1-a")


def _listing(number: str) -> DestructionList:
    return DestructionList(
        id="XL-1",
        destruction_on=TODAY,
        items=[DestructionItem(number, "voucher", "V1", 1990, 1990, 30, 36)],
        appraisals=[Appraisal(number, "destroy", "A1")],
        approvals=[Signature("G1"), Signature("A1"), Signature("C1")],
        supervisors=[Signature(s, checked_before=True, signed_after=True) for s in ("S1", "S2")],
    )


ACTIONS = {
    "submit": lambda tx, _number: tx.approvals.submit(claim(), key="s"),
    "duty": lambda tx, _number: tx.duties.perform("PAY-1", "approve_payment", "F1", key="d1"),
    "register": lambda tx, _number: tx.records.register("contract", closed_on=TODAY),
    "record_event": lambda tx, number: tx.records.record_event(number, TODAY),
    "lend": lambda tx, number: tx.records.lend(
        number, "LN-1", "E1", lent_on=TODAY, due_on=TODAY + timedelta(days=7), approval_id="L1"
    ),
    "destruction": lambda tx, _number: tx.destruction.execute("XL-1"),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_slow_plugin_does_not_block_writers_for_duties_and_records(staffed, action):
    store = staffed
    with store.transaction() as tx:
        number = _old_voucher(tx)
        _lend(tx, number)
        tx.destruction.propose(_listing(number))
    slow = Slow()
    engine = Engine(plugins=[slow])

    def act(tx) -> object:
        return ACTIONS[action](tx, number)

    results, waited = _meanwhile(store, engine, slow.entered, act, _hire)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert waited < SLOW / 2, f"the writer waited {waited:.2f}s for the plugin"


def test_a_duty_recorded_while_the_plugins_ran_is_decided_again(staffed):
    """SOD-03: the early answer (no conflict yet) is not used once a conflicting duty is in."""
    store = staffed
    slow = Slow()
    engine = Engine(plugins=[slow])

    def approve(tx) -> None:
        tx.duties.perform("PAY-1", "approve_payment", "F1", key="approve")

    def pay(tx) -> None:  # F1 pays the same payment meanwhile
        tx.duties.perform("PAY-1", "pay", "F1", key="pay")

    results, _waited = _meanwhile(store, engine, slow.entered, approve, pay)
    assert len(results) == 1
    assert isinstance(results[0], st.Refused)
    assert results[0].controls == {"SOD-03"}
    assert slow.calls == 2  # asked early, then again on the changed duties


def test_a_loan_made_while_the_plugins_ran_is_seen_under_the_lock(staffed):
    """RET-06: the early answer for one loan is not used once another loan of the record is in."""
    store = staffed
    with store.transaction() as tx:
        number = _old_voucher(tx)
        _lend(tx, number)
    slow = Slow()
    engine = Engine(plugins=[slow])

    def lend(tx) -> object:
        return ACTIONS["lend"](tx, number)

    def another(tx) -> None:
        tx.records.lend(number, "LN-2", "E1", lent_on=TODAY, due_on=TODAY, approval_id="L1")

    results, _waited = _meanwhile(store, engine, slow.entered, lend, another)
    assert len(results) == 1
    assert isinstance(results[0], StateError)
    assert "already on loan" in str(results[0])
    with store.transaction() as tx:
        assert [loan.id for loan in tx.records.get(number).loans] == ["LN-2"]

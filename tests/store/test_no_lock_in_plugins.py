"""No database lock while plugins run: a slow plugin does not block unrelated writers."""

from __future__ import annotations

import threading
import time

from agency_core import Employee, Engine
from agency_core.hookspecs import hookimpl
from tests.store.helpers import claim

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


def test_a_slow_plugin_does_not_hold_the_write_lock(staffed):
    store = staffed
    with store.transaction() as tx:
        tx.approvals.submit(claim(), key="s")
    slow = SlowStep()
    engine = Engine(plugins=[slow])
    errors: list[BaseException] = []

    def approve() -> None:
        try:
            with store.transaction(engine) as tx:
                tx.approvals.approve("R1", 0, "H1", key="a0")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=approve)
    worker.start()
    assert slow.entered.wait(10)
    started = time.perf_counter()
    with store.transaction() as tx:  # an unrelated writer
        tx.employees.put(Employee("Z9", "ops", (), "new hire"))
    waited = time.perf_counter() - started
    worker.join(30)
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
    results: list[object] = []

    def approve() -> None:
        try:
            with store.transaction(engine) as tx:
                results.append(tx.approvals.approve("R1", 0, "H1", key="a0"))
        except Exception as exc:
            results.append(exc)

    worker = threading.Thread(target=approve)
    worker.start()
    assert slow.entered.wait(10)
    with store.transaction() as tx:  # H2 decides step 0 while H1's plugins run
        tx.approvals.approve("R1", 0, "H2", key="b0")
    worker.join(30)
    assert len(results) == 1
    assert isinstance(results[0], Exception)  # H1's early answer is not used: step 0 is taken
    with store.transaction() as tx:
        assert [a.actor for a in tx.approvals.get("R1").history] == ["H2"]

"""Integrity of decisions: one decision for host and log, answers validated, routes never trusted.

Each test here failed on the engine before these guarantees existed (issue 8).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import permutations

import pytest

import agency_core.store as st
from agency_core import (
    ApprovalRequest,
    Decision,
    Employee,
    Engine,
    Finding,
    Outcome,
    Route,
    RouteStep,
    Severity,
    StepAction,
    StepCheck,
    Text,
    hookimpl,
)
from agency_core.store.log import DecisionLog
from tests.factories import claim

NOTE = Text(zh="注意", en="note")
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
HEAD = Employee("head", "sales", {"dept_head"})


class Flaky:
    """An observer that refuses every decision."""

    __name__ = "flaky"

    @hookimpl
    def agency_decision_made(self, decision: Decision) -> None:
        raise OSError("notification service down")


class Recorder:
    """An observer that records what it is finally told, through the commit it returns."""

    def __init__(self, name: str) -> None:
        self.__name__ = name
        self.seen: list[Decision] = []
        self.final: list[Decision] = []

    @hookimpl
    def agency_decision_made(self, decision: Decision) -> Callable[[], None]:
        self.seen.append(decision)
        return lambda: self.final.append(decision)


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_every_observer_records_what_the_host_receives_in_any_order(order: tuple[int, ...]) -> None:
    first, second = Recorder("first"), Recorder("second")
    plugins = [Flaky(), first, second]
    decision = Engine(plugins=[plugins[i] for i in order]).route_approval(claim(100))
    assert decision.outcome is Outcome.DENY
    assert "ENG-01" in decision.controls
    assert first.final == second.final == [decision]
    assert first.seen[-1] == decision


@pytest.mark.parametrize("flaky_first", [True, False])
def test_the_decision_log_stores_exactly_what_the_host_received(
    tmp_path, flaky_first: bool
) -> None:
    store = st.open(f"sqlite:///{tmp_path}/agency.db")
    store.upgrade()
    log = DecisionLog(store, batch_size=1)
    plugins: list[object] = [Flaky(), log] if flaky_first else [log, Flaky()]
    engine = Engine(plugins=plugins)
    store.use(engine)
    try:
        decision = engine.route_approval(claim(100))
        assert decision.outcome is Outcome.DENY
        assert log.flush() == 1
        with store.reading() as conn:
            rows = conn.exec_driver_sql("SELECT outcome, body FROM decision_log").all()
        assert [row[0] for row in rows] == ["deny"]
        assert '"control":"ENG-01"' in rows[0][1]
    finally:
        store.dispose()


def test_an_unknown_severity_denies_naming_the_plugin() -> None:
    class Sloppy:
        @hookimpl
        def agency_check_approval(self) -> list[Finding]:
            return [Finding("FIN-03", "bogus", NOTE)]  # type: ignore[arg-type]

    decision = Engine(plugins=[Sloppy()]).route_approval(claim(100))
    assert decision.outcome is Outcome.DENY
    plugins = [f.plugin for f in decision.findings if f.control == "ENG-01"]
    assert len(plugins) == 1
    assert plugins[0].endswith("Sloppy")


def test_a_single_finding_instead_of_a_list_denies() -> None:
    class Forgetful:
        @hookimpl
        def agency_check_approval(self) -> Finding:
            return Finding("FIN-03", Severity.INFO, NOTE)

    assert Engine(plugins=[Forgetful()]).route_approval(claim(100)).outcome is Outcome.DENY


def test_a_route_for_another_action_denies() -> None:
    class Misroutes:
        @hookimpl(tryfirst=True)
        def agency_approval_route(self, request: ApprovalRequest) -> Route:
            return Route("supplies_requisition", (RouteStep("dept_head", "department"),))

    engine = Engine(plugins=[Misroutes()])
    for decision in (engine.route_approval(claim(60000)), *engine.decide_many([claim(60000)])):
        assert decision.outcome is Outcome.DENY
        assert decision.controls == {"ENG-01"}


def _step(route: Route, request: ApprovalRequest) -> StepCheck:
    return StepCheck(request, route, StepAction(0, "head", "approve", NOON), HEAD)


def test_a_forged_route_is_denied_at_every_step(engine: Engine) -> None:
    big = claim(60000)
    forged = Route("expense_reimbursement", (RouteStep("dept_head", "department"),))
    small_route = engine.route_approval(claim(100)).route
    assert small_route is not None
    for route in (forged, small_route):
        decision = engine.check_step(_step(route, big))
        assert decision.outcome is Outcome.DENY
        assert "APR-01" in decision.controls
    real = engine.route_approval(big).route
    assert real is not None
    assert engine.check_step(_step(real, big)).outcome is Outcome.ALLOW


def test_every_decision_names_its_plugin_set(engine: Engine) -> None:
    decision = engine.route_approval(claim(100))
    assert decision.plugins_sha256 == engine.plugins_sha256
    assert decision.to_dict()["plugins"] == engine.plugins_sha256
    other = Engine(plugins=[Recorder("extra")])
    assert other.route_approval(claim(100)).plugins_sha256 != decision.plugins_sha256

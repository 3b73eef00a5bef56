"""What a step decision costs (issue 14): no work done twice, and the same answers as before.

The budgets count Python-level calls (``sys.setprofile``), not seconds, so they hold on a loaded
machine; they fail when a change makes every step decision do noticeably more.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal
from types import FrameType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency_core import (
    ApprovalRequest,
    Decision,
    Employee,
    Engine,
    Outcome,
    Policy,
    Route,
    StepAction,
    StepCheck,
    Verdict,
    hookimpl,
)
from agency_core.builtin import approvals
from agency_core.entities._fields import prevalidated
from agency_core.errors import InvalidInput
from agency_core.testing import strategies as S
from tests.factories import NOON, STAFF, claim


def _calls(run: Callable[[], object], code: Any = None) -> int:
    """Python function calls made by ``run()`` (only those of ``code`` when given)."""
    count = 0

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        nonlocal count
        if event == "call" and (code is None or frame.f_code is code):
            count += 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count


def _step(engine: Engine, request: ApprovalRequest, actor: Employee, step: int = 0) -> StepCheck:
    route = engine.route_approval(request).route
    assert route is not None
    return StepCheck(request, route, StepAction(step, actor.id, "approve", NOON), actor)


class Lookup:
    """A route lookup of its own: the engine may not assume its answers never change."""

    __name__ = "own_route"

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        self.calls += 1
        return None


def test_allowed_step_decisions_are_shared() -> None:
    engine = Engine(entry_points=False)
    first = engine.check_step(_step(engine, claim("100"), STAFF["head"]))
    second = engine.check_step(_step(engine, claim("70000"), STAFF["head"]))
    assert first.outcome is Outcome.ALLOW
    assert not first.findings
    assert second is first
    assert first == Decision.combine(
        "step",
        (),
        policy_version=engine.policy.version,
        policy_sha256=engine.policy.sha256,
        plugins_sha256=engine.plugins_sha256,
    )


def test_a_step_of_a_request_just_routed_is_not_routed_again() -> None:
    engine = Engine(entry_points=False)
    request = claim("4999.99")
    code = approvals.agency_approval_route.__code__

    def route_then_check() -> None:
        engine.check_step(_step(engine, request, STAFF["head"]))

    assert _calls(route_then_check, code) == 1
    other = claim("4999.99")  # equal, but another object: routed afresh
    assert _calls(lambda: engine.check_step(_step(engine, other, STAFF["head"])), code) == 1


def test_a_plugin_route_lookup_is_asked_every_time() -> None:
    lookup = Lookup()
    engine = Engine(entry_points=False, plugins=[lookup])
    request = claim("100")
    check = _step(engine, request, STAFF["head"])
    engine.check_step(check)
    engine.check_step(check)
    assert lookup.calls == 3


def test_a_step_decision_stays_cheap() -> None:
    engine = Engine(entry_points=False)
    allowed = _step(engine, claim("100"), STAFF["head"])
    denied = _step(engine, claim("100", requester="head"), STAFF["head"])
    engine.check_step(allowed)
    assert _calls(lambda: engine.check_step(allowed)) <= 25  # 37 before issue 14
    assert _calls(lambda: engine.check_step(denied)) <= 45  # 60 before issue 14


def test_a_step_row_stays_cheap() -> None:
    """Validating the plain values and building the check once, without validating again."""
    engine = Engine(entry_points=False)
    cells = {
        "request_id": "R-1",
        "action": "expense_reimbursement",
        "amount": Decimal(100),
        "department": "sales",
        "requester": "clerk",
        "actor": "head",
        "actor_department": "sales",
        "actor_roles": ("dept_head",),
        "approved": (),
        "at": NOON,
    }
    assert engine.check_step_row(**cells).outcome is Outcome.ALLOW
    assert _calls(lambda: engine.check_step_row(**cells)) <= 36  # 35 when written
    denied = cells | {"requester": "head"}
    assert engine.check_step_row(**denied).outcome is Outcome.DENY
    assert _calls(lambda: engine.check_step_row(**denied)) <= 44  # 41 when written


@given(
    entity=st.one_of(
        S.money(),
        S.approval_requests(),
        S.step_actions(),
        S.employees(),
        S.routes(),
        S.step_checks(),
        S.requests().map(Engine(entry_points=False).decide),
    )
)
def test_a_prevalidated_constructor_builds_what_the_constructor_builds(entity: Any) -> None:
    cls = type(entity)
    values = [getattr(entity, field.name) for field in attrs.fields(cls)]
    made = prevalidated(cls)(*values)
    assert type(made) is cls
    assert made == entity
    assert all(getattr(made, f.name) is getattr(entity, f.name) for f in attrs.fields(cls))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.__setattr__(attrs.fields(cls)[0].name, None)


@given(checks=st.lists(S.step_checks(), min_size=1, max_size=8))
def test_batch_and_single_step_decisions_agree(checks: list[StepCheck]) -> None:
    for engine in ENGINES:
        assert engine.decide_many(checks) == [engine.check_step(c) for c in checks]
        assert [engine.check_step(c) for c in checks] == [engine.decide(c) for c in checks]


ENGINES = [Engine(entry_points=False), Engine(entry_points=False, plugins=[Lookup()])]


def test_verdicts_and_codes_are_still_checked_on_the_fast_paths() -> None:
    assert StepAction(0, "head", "approve", NOON).verdict is Verdict.APPROVE
    assert StepAction(0, "head", Verdict.REJECT, NOON, "no receipt").verdict is Verdict.REJECT
    with pytest.raises(ValueError, match="'maybe' is not a valid Verdict"):
        StepAction(0, "head", "maybe", NOON)
    assert Employee("张三", "销售部").id == "张三"  # not ASCII: the full check, and it passes
    for bad in ("a\x85b", "a\x7fb", " ", "x" * 65):
        with pytest.raises(InvalidInput):
            Employee(bad, "sales")

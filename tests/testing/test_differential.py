"""Differential check: the engine's batch call and single call decide alike (issue 4, item 5)."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import given

from agency_core import Decision, Engine, Finding, Policy, Route, hookimpl
from agency_core.entities import ApprovalRequest
from agency_core.testing import strategies as S
from agency_core.testing._scenarios import batches
from agency_core.testing.conformance import Subject


class Observer:
    """Watches decisions: makes the batch path announce shared decisions."""

    __name__ = "observer"

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def agency_decision_made(self, request: object, decision: Decision) -> None:
        self.seen.append(decision.kind)


class CreditCheck:
    """Adds a per-request approval check: forces the batch path's fallback."""

    __name__ = "credit"

    @hookimpl
    def agency_check_approval(
        self, request: ApprovalRequest, route: Route, policy: Policy
    ) -> Iterable[Finding]:
        return ()


ENGINES = [Engine(), Engine(plugins=[Observer()]), Engine(plugins=[CreditCheck()])]


@given(requests=batches(Subject()))
def test_batch_and_single_decide_alike(requests: list[object]) -> None:
    for engine in ENGINES:
        assert engine.decide_many(requests) == [engine.decide(r) for r in requests]  # type: ignore[arg-type]


@given(request=S.approval_requests())
def test_repeated_approvals_in_one_batch_decide_alike(request: ApprovalRequest) -> None:
    twins = [
        request,
        request,
        ApprovalRequest(
            f"{request.id}x",
            request.action,
            request.amount,
            request.department,
            "E100",
            request.budget_remaining,
        ),
    ]
    engine = ENGINES[1]
    assert engine.decide_many(twins) == [engine.decide(r) for r in twins]

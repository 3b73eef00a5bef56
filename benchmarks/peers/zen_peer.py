"""zen-engine: a first-hit decision table over ``fen`` whose output is the route."""

from __future__ import annotations

import json
from typing import Any

from agency_core import ApprovalRequest
from benchmarks.peers import DENY, HERE, NEEDS, Contender, Missing, flatten
from benchmarks.workload import Answer, fen

__all__ = ["contenders"]

KEY = "expense"


def _route(result: dict[str, Any]) -> Answer:
    route = result.get("route")
    return (NEEDS, tuple(route)) if route else (DENY, ())


def contenders() -> list[Contender]:
    """zen-engine per call (a created decision) and ``evaluate_batch``."""
    try:
        import zen
    except ImportError:
        raise Missing("zen-engine is not installed (pip install zen-engine)") from None
    text = (HERE / "expense_decision.json").read_text(encoding="utf-8")
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {KEY: json.loads(text)}}})
    decision = engine.create_decision(text)

    def prepare(requests: list[ApprovalRequest]) -> list[dict[str, Any]]:
        return [{"action": r.action, "department": r.department, "fen": fen(r)} for r in requests]

    def prepare_batch(requests: list[ApprovalRequest]) -> list[dict[str, Any]]:
        return [{"key": KEY, "context": context} for context in prepare(requests)]

    def many(items: list[Any]) -> Any:
        return engine.evaluate_batch(items)

    def one_answers(chunks: list[Any]) -> list[Answer]:
        return flatten(chunks, lambda out: _route(out["result"]))

    def batch_answers(chunks: list[Any]) -> list[Answer]:
        return flatten(chunks, lambda out: _route(out["data"]["result"]))

    return [
        Contender(
            "zen-engine evaluate (per call)",
            "peer",
            False,
            prepare,
            decision.evaluate,
            one_answers,
            "zen-engine",
        ),
        Contender(
            "zen-engine evaluate_batch",
            "peer",
            True,
            prepare_batch,
            many,
            batch_answers,
            "zen-engine",
        ),
    ]

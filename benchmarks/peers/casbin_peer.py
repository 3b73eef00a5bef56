"""pycasbin: the tiers as policy rows, matched by a custom integer comparison on fen."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from agency_core import ApprovalRequest
from benchmarks.peers import DENY, HERE, NEEDS, Contender, Missing, flatten
from benchmarks.workload import Answer, fen

__all__ = ["contenders"]


@lru_cache(maxsize=64)
def _bound(text: str) -> float | int:
    return float("inf") if text == "inf" else int(text)


def in_tier(amount: int, low: str, high: str) -> bool:
    """Whether ``low < amount <= high`` (fen; ``high`` may be ``inf``)."""
    return _bound(low) < amount <= _bound(high)


def _answer(result: tuple[bool, list[str]]) -> Answer:
    allowed, rule = result
    return (NEEDS, tuple(rule[3].split())) if allowed and rule else (DENY, ())


def contenders() -> list[Contender]:
    """pycasbin ``enforce_ex`` per request (its batch call returns no matched rule, so no route)."""
    try:
        import casbin
    except ImportError:
        raise Missing("pycasbin is not installed (pip install pycasbin)") from None
    enforcer = casbin.Enforcer(str(HERE / "expense_model.conf"), str(HERE / "expense_policy.csv"))
    enforcer.add_function("in_tier", in_tier)

    def prepare(requests: list[ApprovalRequest]) -> list[tuple[str, str, int]]:
        return [(r.department, r.action, fen(r)) for r in requests]

    def call(item: tuple[str, str, int]) -> Any:
        return enforcer.enforce_ex(*item)

    return [
        Contender(
            "pycasbin enforce_ex (per call)",
            "peer",
            False,
            prepare,
            call,
            lambda chunks: flatten(chunks, _answer),
            "pycasbin",
        )
    ]

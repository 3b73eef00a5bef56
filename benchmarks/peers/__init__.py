"""Peer engines encoding the same APR-01 expense tiers, and the contract every contender keeps.

Each peer module exposes ``contenders()``: the ways of calling it (per call, batch), or raises
:class:`Missing` when its package is not installed. The encodings themselves are the data files
beside this module: ``expense_model.conf`` + ``expense_policy.csv`` (pycasbin), ``expense.cedar``
(cedarpy) and ``expense_decision.json`` (zen-engine).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from agency_core import ApprovalRequest
from benchmarks.workload import Answer

__all__ = ["HERE", "NEEDS", "Contender", "Missing", "flatten"]

HERE: Final = Path(__file__).parent
NEEDS: Final = "needs_approval"
DENY: Final = "deny"


class Missing(Exception):
    """A peer's package is not installed; the message says which and how to get it."""


@dataclass(frozen=True)
class Contender:
    """One way of deciding the workload.

    ``prepare`` turns the requests into the contender's native input once, untimed. ``call`` is
    timed: per item (``batch`` False) or per list of items (``batch`` True). ``answers`` maps the
    outputs of every timed chunk, untimed, to one :data:`Answer` per request.
    """

    name: str
    kind: str
    batch: bool
    prepare: Callable[[list[ApprovalRequest]], list[Any]]
    call: Callable[[Any], Any]
    answers: Callable[[list[Any]], list[Answer]]
    package: str = "agency-core"
    note: str = ""


def flatten(chunks: Sequence[Sequence[Any]], one: Callable[[Any], Answer]) -> list[Answer]:
    """Answers of every item of every chunk, in order."""
    return [one(item) for chunk in chunks for item in chunk]

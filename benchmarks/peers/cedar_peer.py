"""cedarpy: one permit per tier on ``context.fen``; the permitting policy's @id names the route."""

from __future__ import annotations

import json
from typing import Any

from agency_core import ApprovalRequest
from benchmarks.peers import DENY, HERE, NEEDS, Contender, Missing, flatten
from benchmarks.workload import Answer, fen

__all__ = ["contenders"]


def _answer(result: Any) -> Answer:
    if not result.allowed:
        return (DENY, ())
    diagnostics = result.diagnostics
    ids = diagnostics.id_annotations_by_reason
    route = ids[diagnostics.reasons[0]].split("/", 1)[1]
    return (NEEDS, tuple(route.split(">")))


def contenders() -> list[Contender]:
    """cedarpy per call and batch, with the policies and entities parsed once."""
    try:
        import cedarpy
    except ImportError:
        raise Missing("cedarpy is not installed (pip install cedarpy)") from None
    policies = cedarpy.PolicySet.from_str((HERE / "expense.cedar").read_text(encoding="utf-8"))
    entities = cedarpy.Entities.from_json_str("[]")

    def prepare(requests: list[ApprovalRequest]) -> list[dict[str, str]]:
        return [
            {
                "principal": f'Employee::"{r.requester}"',
                "action": f'Action::"{r.action}"',
                "resource": f'Department::"{r.department}"',
                "context": json.dumps({"fen": fen(r)}),
            }
            for r in requests
        ]

    def one(request: dict[str, str]) -> Any:
        return cedarpy.is_authorized(request, policies, entities)

    def many(requests: list[dict[str, str]]) -> Any:
        return cedarpy.is_authorized_batch(requests, policies, entities)

    def answers(chunks: list[Any]) -> list[Answer]:
        return flatten(chunks, _answer)

    note = "PolicySet and Entities parsed once; context pre-serialised to JSON (untimed)"
    return [
        Contender(
            "cedarpy is_authorized (per call)",
            "peer",
            False,
            prepare,
            one,
            answers,
            "cedarpy",
            note,
        ),
        Contender(
            "cedarpy is_authorized_batch", "peer", True, prepare, many, answers, "cedarpy", note
        ),
    ]

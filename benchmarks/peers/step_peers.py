"""Peer engines answering the step question, each encoding the same rules in its own language.

The rules are generated once from :mod:`benchmarks.step_workload` (the default policy's tiers,
scopes and role inclusions): one rule per control and route position, each naming the control it
denies under. Every peer's timed call starts from the host's pair: building its native input (a
context dict, Cedar's request) is counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from benchmarks.peers import Contender, Missing, flatten
from benchmarks.step_floors import answer
from benchmarks.step_workload import INCLUDES, ROUTES, SCOPED, Answer, Pair

__all__ = ["RULES", "contenders"]

Atom = tuple[str, str, Any]
"""(operator, field, operand): eq/gt/le a literal, lacks a literal in a list, or compared with
another field (same, differs, within)."""


def _rules() -> list[tuple[str, tuple[Atom, ...]]]:
    rules: list[tuple[str, tuple[Atom, ...]]] = [
        ("SOD-01", (("same", "approver", "requester"),)),
        ("SOD-04", (("within", "approver", "prior"),)),
    ]
    for action, tiers in ROUTES.items():
        low = None
        for bound, route in tiers:
            where: tuple[Atom, ...] = (("eq", "action", action),)
            if low is not None:
                where += (("gt", "fen", int(low * 100)),)
            if bound is not None:
                where += (("le", "fen", int(bound * 100)),)
            for step, role in enumerate(route):
                at = (*where, ("eq", "step", step))
                holders = sorted(r for r in {role, *INCLUDES} if role in INCLUDES.get(r, {r}))
                rules.append(("APR-04", (*at, *(("lacks", "roles", r) for r in holders))))
                if role in SCOPED:
                    rules.append(("APR-04", (*at, ("differs", "department", "home"))))
            low = bound
    return rules


RULES = _rules()


def _zen(atom: Atom) -> str:
    op, field, value = atom
    return {
        "eq": lambda: f"{field} == {json.dumps(value)}",
        "gt": lambda: f"{field} > {value}",
        "le": lambda: f"{field} <= {value}",
        "lacks": lambda: f"not ({json.dumps(value)} in {field})",
        "same": lambda: f"{field} == {value}",
        "differs": lambda: f"{field} != {value}",
        "within": lambda: f"{field} in {value}",
    }[op]()


def _cedar(atom: Atom) -> str:
    op, field, value = atom
    return {
        "eq": lambda: f"context.{field} == {json.dumps(value)}",
        "gt": lambda: f"context.{field} > {value}",
        "le": lambda: f"context.{field} <= {value}",
        "lacks": lambda: f"!context.{field}.contains({json.dumps(value)})",
        "same": lambda: f"context.{field} == context.{value}",
        "differs": lambda: f"context.{field} != context.{value}",
        "within": lambda: f"context.{value}.contains(context.{field})",
    }[op]()


def _context(pair: Pair) -> dict[str, Any]:
    (_id, action, amount, department, requester), (person, home, roles), history = pair
    return {
        "action": action,
        "fen": int(amount.scaleb(2)),
        "step": len(history),
        "requester": requester,
        "approver": person,
        "department": department,
        "home": home,
        "roles": list(roles),
        "prior": list(history),
    }


def _zen_contender() -> Contender:
    try:
        import zen
    except ImportError:
        raise Missing("zen-engine is not installed (pip install zen-engine)") from None
    rows = [
        {"_id": f"r{i}", "when": " and ".join(map(_zen, atoms)), "control": json.dumps(control)}
        for i, (control, atoms) in enumerate(RULES)
    ]
    graph = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "pair", "position": {"x": 0, "y": 0}},
            {
                "id": "rules",
                "type": "decisionTableNode",
                "name": "step rules (collect: every rule broken)",
                "position": {"x": 300, "y": 0},
                "content": {
                    "hitPolicy": "collect",
                    "inputs": [{"id": "when", "name": "When"}],
                    "outputs": [{"id": "control", "name": "Control", "field": "control"}],
                    "rules": rows,
                },
            },
            {"id": "out", "type": "outputNode", "name": "answer", "position": {"x": 600, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "e2", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"step": graph}}})
    evaluate = engine.evaluate

    def call(pair: Pair) -> Any:
        return evaluate("step", _context(pair))

    def answers(chunks: list[Any]) -> list[Answer]:
        return flatten(chunks, lambda out: answer([row["control"] for row in out["result"]]))

    return Contender(
        "zen-engine ZenEngine.evaluate (static loader)",
        "peer",
        False,
        list,
        call,
        answers,
        "zen-engine",
        "one collect decision table; the context dict built per call",
    )


def _rule_engine_contender() -> Contender:
    try:
        import rule_engine
    except ImportError:
        raise Missing("rule-engine is not installed (pip install rule-engine)") from None
    compiled = [
        (control, rule_engine.Rule(" and ".join(map(_zen, atoms)))) for control, atoms in RULES
    ]

    def call(pair: Pair) -> list[str]:
        context = _context(pair)
        return [control for control, rule in compiled if rule.matches(context)]

    def answers(chunks: list[Any]) -> list[Answer]:
        return flatten(chunks, answer)

    return Contender(
        "rule-engine Rule.matches",
        "peer",
        False,
        list,
        call,
        answers,
        "rule-engine",
        f"{len(compiled)} rules, parsed once",
    )


def _cedar_contender() -> Contender:
    try:
        import cedarpy
    except ImportError:
        raise Missing("cedarpy is not installed (pip install cedarpy)") from None
    text = "permit (principal, action, resource);\n" + "".join(
        f'@id("{control}/{i}")\nforbid (principal, action, resource)\n'
        f"when {{ {' && '.join(map(_cedar, atoms))} }};\n"
        for i, (control, atoms) in enumerate(RULES)
    )
    policies = cedarpy.PolicySet.from_str(text)
    entities = cedarpy.Entities.from_json_str("[]")
    is_authorized = cedarpy.is_authorized

    def call(pair: Pair) -> Any:
        request = {
            "principal": f'Employee::"{pair[1][0]}"',
            "action": 'Action::"approve_step"',
            "resource": f'Request::"{pair[0][0]}"',
            "context": json.dumps(_context(pair)),
        }
        return is_authorized(request, policies, entities)

    def one(result: Any) -> Answer:
        if result.allowed:
            return answer([])
        ids = result.diagnostics.id_annotations_by_reason
        return answer([ids[r].split("/", 1)[0] for r in result.diagnostics.reasons])

    def answers(chunks: list[Any]) -> list[Answer]:
        return flatten(chunks, one)

    return Contender(
        "cedarpy is_authorized",
        "peer",
        False,
        list,
        call,
        answers,
        "cedarpy",
        "one forbid per rule, parsed once; the request and its JSON context built per call",
    )


def contenders() -> tuple[list[Contender], dict[str, str]]:
    """Every peer that can run here, and why the others cannot."""
    found: list[Contender] = []
    missing: dict[str, str] = {}
    makers: dict[str, Callable[[], Contender]] = {
        "zen-engine": _zen_contender,
        "rule-engine": _rule_engine_contender,
        "cedarpy": _cedar_contender,
    }
    for name, make in makers.items():
        try:
            found.append(make())
        except Missing as exc:
            missing[name] = str(exc)
    return found, missing

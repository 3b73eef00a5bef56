"""The step question, as a host holds it: may this approver approve this request now?

A *pair* is what a host has at hand, in its own plain objects (tuples, Decimal, a datetime): the
request, the approver who wants to take the next pending step, and the steps already approved.
The answer every contender must give is the outcome and the controls that deny, sorted.

The rules are those of the bundled default policy (``policy/default.toml``), written out here once
for the floors and the peers: the APR-01 expense tiers and the fixed-asset (equipment) purchase
tiers, the department head's step for the requester's own department only (APR-04), the roles that
include another (``branch_director`` includes ``dept_head``), no self-approval (SOD-01) and no two
steps of one request by one person (SOD-04). :func:`check_rules` asserts the table matches the
policy the engine loads.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Final

from agency_core import Policy
from benchmarks.workload import DEPARTMENTS

__all__ = [
    "AT",
    "INCLUDES",
    "ROUTES",
    "SCOPED",
    "Answer",
    "HostApprover",
    "HostRequest",
    "Pair",
    "check_rules",
    "pairs",
    "required",
]

SEED: Final = 20261130
AT: Final = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=8)))
ROUTES: Final[dict[str, tuple[tuple[Decimal | None, tuple[str, ...]], ...]]] = {
    "expense_reimbursement": (
        (Decimal(5000), ("dept_head", "finance_reviewer")),
        (Decimal(50000), ("dept_head", "finance_reviewer", "finance_manager")),
        (None, ("dept_head", "finance_reviewer", "finance_manager", "general_manager")),
    ),
    "fixed_asset_purchase": (
        (Decimal(50000), ("dept_head", "finance_manager")),
        (None, ("dept_head", "finance_manager", "general_manager")),
    ),
}
"""Per action, (inclusive upper bound, route) tiers of the default policy; None: no bound."""
SCOPED: Final = frozenset({"dept_head"})
"""Step roles that act only for the holder's own department (APR-04)."""
INCLUDES: Final[dict[str, frozenset[str]]] = {
    "branch_director": frozenset({"branch_director", "dept_head"}),
    "branch_deputy": frozenset({"branch_deputy", "deputy_dept_head"}),
}
"""Roles that include others (``inherits`` in the policy); any other role is only itself."""
_OTHER_ROLES: Final = (
    "dept_head",
    "finance_reviewer",
    "finance_manager",
    "general_manager",
    "deputy_dept_head",
    "cashier",
    "auditor",
    "branch_director",
)
_EDGES: Final = {
    "expense_reimbursement": ("0.00", "0.01", "4999.99", "5000", "5000.01", "49999.99", "50000"),
    "fixed_asset_purchase": ("0.01", "49999.99", "50000", "50000.01"),
}

HostRequest = tuple[str, str, Decimal, str, str]
"""id, action, amount (CNY), department, requester."""
HostApprover = tuple[str, str, tuple[str, ...]]
"""id, department, roles."""
Pair = tuple[HostRequest, HostApprover, tuple[str, ...]]
"""The request, the approver, and who approved each earlier step (step i by ``history[i]``)."""
Answer = tuple[str, tuple[str, ...]]
"""(outcome, the controls of the denying findings, sorted and distinct)."""


def required(action: str, amount: Decimal, step: int) -> str:
    """The role step ``step`` of the route of (``action``, ``amount``) needs."""
    for bound, route in ROUTES[action]:
        if bound is None or amount <= bound:
            return route[step]
    raise AssertionError("the last tier has no bound")


def _route(action: str, amount: Decimal) -> tuple[str, ...]:
    return next(route for bound, route in ROUTES[action] if bound is None or amount <= bound)


def _amount(rng: random.Random, action: str) -> Decimal:
    pick = rng.random()
    if pick < 0.25:  # on and beside every tier bound (a bound belongs to the lower tier)
        return Decimal(rng.choice(_EDGES[action]))
    top = rng.choice((500_000, 5_000_000, 200_000_000))
    return Decimal(rng.randint(1, top)).scaleb(-2)


def _person(rng: random.Random) -> str:
    return f"E{rng.randint(1, 3000):05d}"


def pairs(count: int, seed: int = SEED) -> list[Pair]:
    """``count`` distinct pairs, the same for the same seed; 5 % are self-approvals."""
    rng = random.Random(seed)
    made: list[Pair] = []
    for index in range(count):
        action = "expense_reimbursement" if rng.random() < 0.7 else "fixed_asset_purchase"
        amount = _amount(rng, action)
        department = rng.choice(DEPARTMENTS)
        requester = _person(rng)
        route = _route(action, amount)
        step = rng.randrange(len(route))
        history = tuple(_person(rng) for _ in range(step))
        pick = rng.random()
        if pick < 0.05:
            approver = requester
        elif pick < 0.10 and history:
            approver = rng.choice(history)
        else:
            approver = _person(rng)
        role = route[step]
        if rng.random() < 0.75:
            roles = ("branch_director",) if role in SCOPED and rng.random() < 0.2 else (role,)
        else:
            roles = (rng.choice(_OTHER_ROLES),)
        if rng.random() < 0.2:
            roles += (rng.choice(_OTHER_ROLES),)
        own = rng.random() < 0.8
        home = department if own else rng.choice(DEPARTMENTS)
        made.append(
            (
                (f"R{index:07d}", action, amount, department, requester),
                (approver, home, roles),
                history,
            )
        )
    return made


def check_rules(policy: Policy) -> None:
    """Assert that the rules written out here are the ones ``policy`` gives (the default's)."""
    for action, tiers in ROUTES.items():
        matrix = policy.matrix(action, DEPARTMENTS[0])
        assert matrix is not None, action
        assert matrix.inclusive, action
        assert tuple(matrix.bounds) == tuple(b for b, _ in tiers if b is not None), action
        assert [tuple(s.role for s in r) for r in matrix.routes] == [r for _, r in tiers], action
        for steps in matrix.routes:
            assert {s.role for s in steps if s.scope.value == "department"} <= SCOPED, action
    for role in _OTHER_ROLES:
        assert policy.effective_roles((role,)) == INCLUDES.get(role, frozenset({role})), role

"""Static segregation analysis (SOD-02) over a generated firm: 10,000 employees, 200 roles.

The policy is generated as TOML and goes through :func:`agency_core.policy.parse_policy`, so the
real loader, invariant checks and compiler build the role closure and the conflict sets.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

from agency_core import Employee, Policy, parse_policy
from agency_core.builtin.segregation import static_conflicts
from benchmarks.harness import Measured, Row, Target, load_average
from benchmarks.workload import SEED

__all__ = ["firm", "policy_toml", "run"]

TARGET_S = 1.0


def _retention_classes() -> str:
    text = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
    return text[text.index("[retention.classes.") :]


def policy_toml(roles: int, conflicts: int, seed: int = SEED) -> str:
    """A valid policy with ``roles`` roles (inheritance up to 4 levels) and ``conflicts`` sets."""
    rng = random.Random(seed)
    names = [f"role_{i:03d}" for i in range(roles)]
    lines = [
        "[policy]",
        'name = "generated SOD benchmark policy"',
        'version = "bench"',
        "effective_from = 2026-01-01",
        "",
    ]
    depth = [0] * roles
    for i, name in enumerate(names):
        lines.append(f"[roles.{name}]")
        if i == 0:
            lines.append("rank = 1")  # it approves on the one route (APR-03 needs its rank)
        if i >= 10 and rng.random() < 0.3:  # inherit from earlier roles only: no cycles
            parents = [j for j in rng.sample(range(i), 2) if depth[j] < 3][
                : 1 + (rng.random() < 0.3)
            ]
            if parents:
                depth[i] = 1 + max(depth[j] for j in parents)
                lines.append(f"inherits = [{', '.join(repr(names[j]) for j in parents)}]")
    lines += [
        "",
        "[approval]",
        'budget_action = "budget_adjustment"',
        "[approval.actions.budget_adjustment]",
        f'tiers = [{{ route = ["{names[0]}"] }}]',
        "",
    ]
    for index in range(conflicts):
        size = rng.choice((2, 2, 2, 3, 3, 4))
        members = rng.sample(names, size)
        cardinality = 3 if size >= 3 and rng.random() < 0.4 else 2
        lines += [
            "[[segregation.static]]",
            f'name = "conflict {index:03d}"',
            f"roles = [{', '.join(repr(m) for m in members)}]",
            f"cardinality = {cardinality}",
        ]
    lines += [
        "",
        "[retention]",
        "min_backups = 1",
        "[retention.destruction]",
        f'approver_roles = ["{names[0]}", "{names[1]}", "{names[2]}"]',
        'supervisor_departments = ["archives", "accounting"]',
        "min_supervisors = 2",
        "",
        _retention_classes(),
    ]
    return "\n".join(lines).replace("'", '"')


def firm(employees: int, policy: Policy, seed: int = SEED) -> list[Employee]:
    """``employees`` employees holding 1 to 4 of the policy's roles each (seeded)."""
    rng = random.Random(seed + 1)
    roles = sorted(policy.roles)
    return [
        Employee(f"E{i:05d}", f"dept_{i % 40:02d}", frozenset(rng.sample(roles, rng.randint(1, 4))))
        for i in range(employees)
    ]


def run(
    employees: int,
    roles: int,
    conflicts: int,
    repeats: int,
    progress: Callable[[str], None] = print,
) -> tuple[list[Row], list[Target], dict[str, Any]]:
    """Time ``static_conflicts`` consuming every result, ``repeats`` times."""
    progress(f"segregation: {employees:,} employees, {roles} roles, {conflicts} conflict sets")
    text = policy_toml(roles, conflicts)
    start = time.perf_counter()
    policy = parse_policy(text.encode("utf-8"), "<generated SOD policy>")
    parse_s = time.perf_counter() - start
    people = firm(employees, policy)
    measured = Measured(employees)
    found = 0
    for _ in range(repeats):
        gc.collect()
        measured.loads.append(load_average()[0])
        start = time.perf_counter()
        found = sum(1 for _ in static_conflicts(policy, people))
        measured.passes.append(time.perf_counter() - start)
    workload = f"{employees:,} employees, {len(policy.roles)} roles, {conflicts} conflict sets"
    depth = max(len(c) for c in policy.role_closure.values())
    facts = {"conflicts_found": found, "parse_policy_s": parse_s, "max_closure": depth}
    rows = [
        Row.of(
            "segregation",
            "static_conflicts (all results consumed)",
            "ours",
            workload,
            measured,
            f"{found:,} conflicts found; employees checked per second in 'rate'",
        ),
        Row(
            "segregation",
            "parse_policy of the generated TOML (once)",
            "measure",
            workload,
            1,
            1,
            parse_s,
            parse_s,
        ),
    ]
    median = measured.median
    targets = [
        Target(
            "5 static SOD analysis",
            f"<= {TARGET_S:g} s",
            f"{median:.3f} s",
            median <= TARGET_S,
            f"{median / TARGET_S:.2f}x the budget",
        )
    ]
    return rows, targets, facts

"""The floors of the step question: a plain function and four bare pluggy hookimpls."""

from __future__ import annotations

from typing import Final

import pluggy

from benchmarks.step_workload import INCLUDES, SCOPED, Answer, Pair, required

__all__ = ["ALLOW", "DENY", "answer", "plain_step", "pluggy_manager"]

ALLOW: Final = "allow"
DENY: Final = "deny"
_ALLOWED: Final[Answer] = (ALLOW, ())


def answer(controls: set[str] | list[str]) -> Answer:
    """The answer for the controls that deny (allow when there are none)."""
    return (DENY, tuple(sorted(set(controls)))) if controls else _ALLOWED


def plain_step(pair: Pair) -> Answer:
    """The step rules, hand-written over the host's own tuples: the floor."""
    (_id, action, amount, department, requester), (person, home, roles), history = pair
    controls = []
    if person == requester:
        controls.append("SOD-01")
    if person in history:
        controls.append("SOD-04")
    role = required(action, amount, len(history))
    held = any(role == r or role in INCLUDES.get(r, ()) for r in roles)
    if not held or (role in SCOPED and home != department):
        controls.append("APR-04")
    return answer(controls) if controls else _ALLOWED


_spec = pluggy.HookspecMarker("bench_step")
_impl = pluggy.HookimplMarker("bench_step")


class _Specs:
    @_spec
    def bench_step(self, pair: Pair, role: str) -> str | None:
        """The control ``pair`` breaks, or None."""


class _SelfApproval:
    @_impl
    def bench_step(self, pair: Pair, role: str) -> str | None:
        return "SOD-01" if pair[1][0] == pair[0][4] else None


class _TwoSteps:
    @_impl
    def bench_step(self, pair: Pair, role: str) -> str | None:
        return "SOD-04" if pair[1][0] in pair[2] else None


class _Role:
    @_impl
    def bench_step(self, pair: Pair, role: str) -> str | None:
        held = any(role == r or role in INCLUDES.get(r, ()) for r in pair[1][2])
        return None if held else "APR-04"


class _Department:
    @_impl
    def bench_step(self, pair: Pair, role: str) -> str | None:
        return "APR-04" if role in SCOPED and pair[1][1] != pair[0][3] else None


def pluggy_manager() -> pluggy.PluginManager:
    """A plugin manager with one hookimpl per rule; the step's role is looked up per call."""
    manager = pluggy.PluginManager("bench_step")
    manager.add_hookspecs(_Specs)
    for plugin in (_SelfApproval(), _TwoSteps(), _Role(), _Department()):
        manager.register(plugin)
    manager.check_pending()
    return manager

"""Transitions: a subject moving from one state to another, guarded by checks that see its history.

Most department controls take this shape (a complaint closed only with a plan and the client's
answer, a case closed only with its file complete, a seal used only on an approved application).
A plugin registers a :class:`StateMachine` for its subject kind; the engine refuses a transition
the machine does not know, then asks every ``agency_check_transition`` implementation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs

from agency_core.entities import Employee
from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput, PluginError

__all__ = ["Move", "StateMachine", "Tracked", "TransitionCheck"]


def _graph(value: Mapping[str, Iterable[str]]) -> Mapping[str, frozenset[str]]:
    if not isinstance(value, Mapping):
        raise PluginError(f"transitions must map a state to the states it may go to: {value!r}")
    return MappingProxyType({state: frozenset(targets) for state, targets in value.items()})


def _states(value: Iterable[str]) -> frozenset[str]:
    # a typed converter: ``converter=frozenset`` makes mypy type the parameter with an unbound
    # type variable, so no caller could pass ``closed=`` under --strict
    return frozenset(value)


@attrs.frozen
class StateMachine:
    """The states of one kind of subject and the transitions between them.

    ``transitions`` maps each state to the states it may go to; ``closed`` are the states in which
    a tracked item of this kind is no longer open (its deadline no longer runs); ``data`` is the
    attrs class of the facts a transition check carries about the subject (None: no data).
    """

    subject: str = attrs.field(validator=_f.code)
    initial: str = attrs.field(validator=_f.code)
    transitions: Mapping[str, frozenset[str]] = attrs.field(converter=_graph)
    closed: frozenset[str] = attrs.field(factory=frozenset, converter=_states)
    data: type | None = None

    def __attrs_post_init__(self) -> None:
        states = self.states
        if self.initial not in states:
            raise PluginError(f"machine {self.subject}: initial state {self.initial!r} is unknown")
        unknown = sorted(self.closed - states)
        if unknown:
            raise PluginError(f"machine {self.subject}: closed states {unknown} are unknown")
        if self.data is not None and not attrs.has(self.data):
            raise PluginError(f"machine {self.subject}: data must be an attrs class")

    @property
    def states(self) -> frozenset[str]:
        """Every state the machine names."""
        return frozenset(self.transitions).union(*self.transitions.values(), (self.initial,))

    def targets(self, state: str) -> frozenset[str]:
        """The states ``state`` may go to."""
        return self.transitions.get(state, frozenset())

    def paths(self, start: str, avoid: str | None = None) -> dict[str, str]:
        """Every state reachable from ``start`` without entering ``avoid``, mapped to the state
        it is first reached from (breadth first, so following them back gives a shortest path;
        ``start`` maps to itself)."""
        previous = {start: start}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for there in sorted(self.targets(here)):
                if there != avoid and there not in previous:
                    previous[there] = here
                    queue.append(there)
        return previous


@attrs.frozen
class Move:
    """A transition a subject went through: from where, to where, by whom, when."""

    from_state: str = attrs.field(validator=_f.code)
    to_state: str = attrs.field(validator=_f.code)
    actor: str = attrs.field(validator=_f.code)
    at: datetime = attrs.field(validator=_f.aware)
    note: str = attrs.field(default="", validator=_f.of(str))


@attrs.frozen
class TransitionCheck:
    """May ``actor`` move ``subject`` (of ``subject_kind``) from ``from_state`` to ``to_state``?

    ``history`` is what the subject went through before, oldest first; ``data`` the facts the
    guards need, an instance of the machine's ``data`` class.
    """

    subject_kind: str = attrs.field(validator=_f.code)
    subject: str = attrs.field(validator=_f.code)
    from_state: str = attrs.field(validator=_f.code)
    to_state: str = attrs.field(validator=_f.code)
    actor: Employee = attrs.field(validator=_f.of(Employee))
    at: datetime = attrs.field(validator=_f.aware)
    data: Any = None
    history: tuple[Move, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Move)
    )

    def __attrs_post_init__(self) -> None:
        state = self.history[0].from_state if self.history else self.from_state
        for index, move in enumerate(self.history):
            if move.from_state != state:
                raise InvalidInput(
                    f"history[{index}] leaves {move.from_state} but the subject was in {state}",
                    path=f"$.history[{index}].from_state",
                )
            state = move.to_state
        if self.from_state != state:
            raise InvalidInput(
                f"{self.subject} is in {state}, not {self.from_state}", path="$.from_state"
            )

    def validate(self, machine: StateMachine) -> None:
        """Refuse a transition ``machine`` does not know, naming the states it allows."""
        first = self.history[0].from_state if self.history else self.from_state
        if first != machine.initial:
            raise InvalidInput(
                f"a {machine.subject} starts in {machine.initial}, not {first}", path="$.history"
            )
        state = machine.initial
        steps = [move.to_state for move in self.history] + [self.to_state]
        for index, to in enumerate(steps):
            if to not in machine.targets(state):
                allowed = ", ".join(sorted(machine.targets(state))) or "none (a final state)"
                last = index == len(self.history)
                where = "$.to_state" if last else f"$.history[{index}].to_state"
                raise InvalidInput(
                    f"a {machine.subject} cannot go from {state} to {to}; from {state} it may "
                    f"go to: {allowed}",
                    path=where,
                )
            state = to
        if machine.data is not None and self.data is not None:
            if not isinstance(self.data, machine.data):
                raise InvalidInput(
                    f"data of a {machine.subject} must be a {machine.data.__name__}",
                    path="$.data",
                )
        elif self.data is not None:
            raise InvalidInput(f"a {machine.subject} carries no data", path="$.data")


@attrs.frozen
class Tracked:
    """A tracked item: a subject that must reach a closed state by ``due_on`` (its last day)."""

    id: str = attrs.field(validator=_f.code)
    subject_kind: str = attrs.field(validator=_f.code)
    control: str = attrs.field(validator=_f.code)
    owner: str = attrs.field(validator=_f.code)
    state: str = attrs.field(validator=_f.code)
    open: bool = attrs.field(validator=_f.of(bool))
    due_on: date = attrs.field(validator=_f.day)
    opened_at: datetime = attrs.field(validator=_f.aware)
    history: tuple[Move, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Move)
    )

"""A prototype of a batch path for :meth:`Engine.decide_many` (not the engine's code).

It shows what a columnar batch call can reach on the approval workload, and keeps the engine's
contract: the same decisions, in the same order. Design:

1. **Eligibility, checked once per batch**: the only ``agency_approval_route`` implementation is the
   bundled table lookup, and no plugin implements ``agency_check_approval`` or
   ``agency_decision_made`` (with any of those, every request takes the per-call path).
2. **One pass of bisections**: per request, a dict lookup of the (action, department) matrix and a
   bisection of its bounds give a small integer, the index of a (matrix, tier) *template*; requests
   the fast path does not cover (another type, a budget, another currency, no matrix) are decided
   by the per-call path and kept as their decision.
3. **Decisions as columns**: a :class:`DecisionBatch` holds the template index per request. The
   outcome and route of a template are shared; a full :class:`Decision` (with its per-request
   facts) is built only when asked for, and equals what ``route_approval`` returns.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, overload

from agency_core import ApprovalRequest, Decision, Engine, Outcome
from agency_core.builtin import approvals
from benchmarks.workload import Answer

__all__ = ["DecisionBatch", "decide_many_fast", "eligible"]

_Template = tuple[Outcome, tuple[str, ...]]


def eligible(engine: Engine) -> bool:
    """Whether the fast path gives the same decisions as the per-call path for ``engine``."""
    hook = engine.plugin_manager.hook
    routes = hook.agency_approval_route.get_hookimpls()
    return (
        len(routes) == 1
        and routes[0].function is approvals.agency_approval_route
        and not hook.agency_check_approval.get_hookimpls()
        and not hook.agency_decision_made.get_hookimpls()
    )


class DecisionBatch(Sequence[Decision]):
    """The decisions of one batch, in order: a template index per request, or its decision."""

    def __init__(
        self,
        engine: Engine,
        requests: Sequence[Any],
        slots: list[int | Decision],
        templates: list[_Template],
    ) -> None:
        self._engine = engine
        self._requests = requests
        self._slots = slots
        self._templates = templates

    def __len__(self) -> int:
        return len(self._slots)

    @overload
    def __getitem__(self, index: int) -> Decision: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Decision]: ...
    def __getitem__(self, index: int | slice) -> Decision | Sequence[Decision]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        slot = self._slots[index]
        if isinstance(slot, Decision):
            return slot
        # The engine would fill the template's findings from the request; the prototype re-decides.
        return self._engine.route_approval(self._requests[index])

    def __iter__(self) -> Iterator[Decision]:
        return (self[i] for i in range(len(self)))

    def answers(self) -> list[Answer]:
        """(outcome, route roles) per request, without building any decision."""
        templates = self._templates
        result: list[Answer] = []
        for slot in self._slots:
            if isinstance(slot, Decision):
                route = slot.route.roles if slot.route is not None else ()
                result.append((slot.outcome.value, route))
            else:
                outcome, roles = templates[slot]
                result.append((outcome.value, roles))
        return result


_Entry = tuple[Callable[[Sequence[Decimal], Decimal], int], tuple[Decimal, ...], int] | None


def _entry(engine: Engine, action: str, department: str, templates: list[_Template]) -> _Entry:
    matrix = engine.policy.matrix(action, department)
    if matrix is None:
        return None
    base = len(templates)
    for steps in matrix.routes:
        outcome = Outcome.NEEDS_APPROVAL if steps else Outcome.ALLOW
        templates.append((outcome, tuple(step.role for step in steps)))
    cut = bisect_left if matrix.inclusive else bisect_right
    return cut, matrix.bounds, base


def decide_many_fast(engine: Engine, requests: Sequence[Any]) -> DecisionBatch:
    """Decide ``requests`` as :meth:`Engine.decide_many` would, through the columnar path."""
    templates: list[_Template] = []
    if not eligible(engine):
        return DecisionBatch(engine, requests, list(engine.decide_many(requests)), templates)
    decide = engine.decide
    currency = engine.policy.currency
    table: dict[str, dict[str, _Entry]] = {}
    slots: list[int | Decision] = []
    append = slots.append
    for request in requests:
        if type(request) is not ApprovalRequest or request.budget_remaining is not None:
            append(decide(request))
            continue
        money = request.amount
        by_department = table.get(request.action)
        if by_department is None:
            by_department = table[request.action] = {}
        department = request.department
        if department in by_department:
            entry = by_department[department]
        else:
            entry = by_department[department] = _entry(
                engine, request.action, department, templates
            )
        if entry is None or money.currency != currency:
            append(decide(request))
            continue
        cut, bounds, base = entry
        append(base + cut(bounds, money.amount))
    return DecisionBatch(engine, requests, slots, templates)

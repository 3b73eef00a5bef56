"""The floors: the same APR-01 expense rules as a plain function and as bare pluggy hookimpls."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import pluggy

from agency_core import ApprovalRequest
from benchmarks.workload import Answer

__all__ = ["plain_decide", "pluggy_manager"]

NEEDS: Final = "needs_approval"
_LOW: Final = Decimal(5000)
_HIGH: Final = Decimal(50000)
_TIER1: Final = ("dept_head", "finance_reviewer")
_TIER2: Final = ("dept_head", "finance_reviewer", "finance_manager")
_TIER3: Final = ("dept_head", "finance_reviewer", "finance_manager", "general_manager")
_DENIED: Final[Answer] = ("deny", ())


def plain_decide(request: ApprovalRequest) -> Answer:
    """The bundled expense tiers, hand-written: the fastest Python can answer (the floor)."""
    money = request.amount
    if request.action != "expense_reimbursement" or money.currency != "CNY":
        return _DENIED
    amount = money.amount
    if amount <= _LOW:
        return (NEEDS, _TIER1)
    if amount <= _HIGH:
        return (NEEDS, _TIER2)
    return (NEEDS, _TIER3)


_spec = pluggy.HookspecMarker("bench_floor")
_impl = pluggy.HookimplMarker("bench_floor")


class _Specs:
    @_spec(firstresult=True)
    def bench_route(self, request: ApprovalRequest) -> Answer | None:
        """The route of ``request``; the first non-None answer wins."""


class _Tiers:
    @_impl(trylast=True)
    def bench_route(self, request: ApprovalRequest) -> Answer | None:
        return plain_decide(request)


def pluggy_manager() -> pluggy.PluginManager:
    """A plugin manager with one firstresult lookup implemented by :func:`plain_decide`."""
    manager = pluggy.PluginManager("bench_floor")
    manager.add_hookspecs(_Specs)
    manager.register(_Tiers(), name="tiers")
    manager.check_pending()
    return manager

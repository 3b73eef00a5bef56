"""The state machines of the business department: a case (代办业务) and its tasks.

The order the controls ask for is the shape of the case machine: an application is accepted
before its intake is approved, the contract is signed after (BIZ-07), work runs on an approved plan
and stops while a change waits for approval (BIZ-07), the result is reviewed before the client is
notified (BIZ-09), notified before delivery and close (BIZ-06), and settled in the order client
confirmation, department manager, finance, invoice (BIZ-05). The guards in :mod:`.rules` check
the facts each transition needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from agency_business.entities import CaseFacts
from agency_core.transitions import StateMachine

__all__ = ["CASE", "TASK"]

# StateMachine.closed converts with the bare ``frozenset``, which mypy cannot solve (a core typing
# gap, as StoreExtension.sweeps): hence the ignores on ``closed=`` below.

_CASE: Final[Mapping[str, Iterable[str]]] = {
    "inquiry": {"materials_requested", "accepted", "declined"},
    "materials_requested": {"accepted", "declined"},
    "accepted": {"intake_approved", "declined"},
    "intake_approved": {"contracted", "declined"},
    "contracted": {"planned"},
    "planned": {"in_progress"},
    "in_progress": {"replanning", "completed"},
    "replanning": {"in_progress"},
    "completed": {"reviewed", "in_progress"},
    "reviewed": {"notified"},
    "notified": {"delivered"},
    "delivered": {"client_confirmed"},
    "client_confirmed": {"manager_approved"},
    "manager_approved": {"finance_approved"},
    "finance_approved": {"invoiced"},
    "invoiced": {"closed"},
}

CASE: Final = StateMachine(
    subject="case",
    initial="inquiry",
    transitions=_CASE,
    closed=frozenset({"closed", "declined"}),
    data=CaseFacts,
)
"""A case from the first inquiry to the closed file."""

_TASK: Final[Mapping[str, Iterable[str]]] = {"open": {"done", "cancelled"}}

TASK: Final = StateMachine(
    subject="business_task",
    initial="open",
    transitions=_TASK,
    closed=frozenset({"done", "cancelled"}),
)
"""A task of a case's plan: a tracked item with an owner and a deadline (BIZ-04)."""

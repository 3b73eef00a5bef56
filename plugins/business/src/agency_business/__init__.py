"""The business department (业务部) of agency-core: a client case from intake to closed file.

Controls BIZ-01..BIZ-09: the case as a state machine whose guards keep the business scope, the one
notice of missing materials, the case number, the approvals before the contract and the work, the
tasks' owners and deadlines, the review and hand-over of the result, the settlement's order and
the complete file. See ``docs/plugins/business.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agency_business.deadlines import due_on
from agency_business.entities import CaseFacts, CaseIntake
from agency_business.machines import CASE, TASK
from agency_business.policy import BusinessPolicy, ServiceItem

if TYPE_CHECKING:
    from agency_business.store import APPROVAL_PURPOSES, Case, CaseRepository

_STORE = frozenset({"APPROVAL_PURPOSES", "Case", "CaseRepository"})


def __getattr__(name: str) -> Any:
    """The store's names, imported on first use: deciding needs no SQLAlchemy."""
    if name in _STORE:
        from agency_business import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APPROVAL_PURPOSES",
    "CASE",
    "TASK",
    "BusinessPolicy",
    "Case",
    "CaseFacts",
    "CaseIntake",
    "CaseRepository",
    "ServiceItem",
    "due_on",
]

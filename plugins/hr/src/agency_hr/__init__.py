"""agency-hr: the HR department's controls (HR-01..HR-05) as an agency-core plugin."""

from typing import TYPE_CHECKING

from agency_hr.deadlines import due_on
from agency_hr.entities import (
    Appeal,
    ApprovalFacts,
    Clearance,
    Leave,
    LeaveCheck,
    Resignation,
    TrainingRecord,
)
from agency_hr.policy import HrPolicy

if TYPE_CHECKING:
    from agency_hr.store import SWEEPS, HrRepository, resignation_item

__all__ = [
    "SWEEPS",
    "Appeal",
    "ApprovalFacts",
    "Clearance",
    "HrPolicy",
    "HrRepository",
    "Leave",
    "LeaveCheck",
    "Resignation",
    "TrainingRecord",
    "due_on",
    "resignation_item",
]

_STORE = frozenset({"SWEEPS", "HrRepository", "resignation_item"})
"""Names of the store module, imported (with SQLAlchemy) only when first asked for."""


def __getattr__(name: str) -> object:
    if name in _STORE:
        from agency_hr import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

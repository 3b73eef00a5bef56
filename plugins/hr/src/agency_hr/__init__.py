"""agency-hr: the HR department's controls (HR-01..HR-05) as an agency-core plugin."""

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

"""The state machines of customer service: complaints, inquiries and follow-up visits.

A complaint is received (CS-01), assigned to a responsible department with a deadline (CS-02),
escalated when overdue (CS-03), given a plan, the plan told to the client (CS-06), and closed
when the client is satisfied; an unsatisfied client sends it back to the department, from
``informed`` or even after closing (CS-04).
"""

from __future__ import annotations

from typing import Final

from agency_core.transitions import StateMachine
from agency_customer_service.entities import ComplaintFacts, InquiryFacts, VisitFacts

__all__ = ["COMPLAINT", "FOLLOW_UP", "HANDLING", "INQUIRY", "MACHINES"]

COMPLAINT: Final = StateMachine(
    subject="complaint",
    initial="received",
    transitions={
        "received": {"assigned"},
        "assigned": {"planned", "escalated"},
        "escalated": {"planned"},
        "planned": {"informed"},
        "informed": {"closed", "assigned"},
        "closed": {"assigned"},
    },
    closed={"closed"},
    data=ComplaintFacts,
)
HANDLING: Final = ("received", "assigned")
"""The states in which a complaint's handling deadline runs and escalation is owed (CS-03)."""

INQUIRY: Final = StateMachine(
    subject="inquiry",
    initial="received",
    transitions={"received": {"answered"}},
    closed={"answered"},
    data=InquiryFacts,
)
FOLLOW_UP: Final = StateMachine(
    subject="follow_up",
    initial="scheduled",
    transitions={"scheduled": {"visited"}},
    closed={"visited"},
    data=VisitFacts,
)
MACHINES: Final = (COMPLAINT, INQUIRY, FOLLOW_UP)

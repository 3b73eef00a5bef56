"""Customer service (客服部) for agency-core: complaints, inquiries, follow-up visits (CS-01..06).

Register it with ``Engine(entry_points=["customer_service"])`` (or install it: the entry point
loads it), keep its state with :class:`agency_customer_service.store.CustomerService`.
"""

from agency_customer_service.deadlines import due_on, local_day
from agency_customer_service.entities import (
    ClientResponse,
    Complaint,
    ComplaintFacts,
    FollowUp,
    Inquiry,
    InquiryFacts,
    VisitFacts,
)
from agency_customer_service.machines import COMPLAINT, FOLLOW_UP, INQUIRY
from agency_customer_service.policy import CustomerServicePolicy

__all__ = [
    "COMPLAINT",
    "FOLLOW_UP",
    "INQUIRY",
    "ClientResponse",
    "Complaint",
    "ComplaintFacts",
    "CustomerServicePolicy",
    "FollowUp",
    "Inquiry",
    "InquiryFacts",
    "VisitFacts",
    "due_on",
    "local_day",
]

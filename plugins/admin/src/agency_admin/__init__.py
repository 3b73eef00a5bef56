"""agency-admin: the admin department's controls (ADM-01..ADM-08) as an agency-core plugin."""

from agency_admin.entities import (
    Acceptance,
    AcceptedLine,
    Act,
    AdminAct,
    ApprovalFacts,
    ContractLine,
    Document,
    PurchaseContract,
    PurchasePayment,
    ResolutionDone,
    SealApplication,
    SealReturn,
    SealUse,
)
from agency_admin.policy import AdminPolicy
from agency_admin.store import SWEEPS, AdminRepository, resolution_item, seal_item

__all__ = [
    "SWEEPS",
    "Acceptance",
    "AcceptedLine",
    "Act",
    "AdminAct",
    "AdminPolicy",
    "AdminRepository",
    "ApprovalFacts",
    "ContractLine",
    "Document",
    "PurchaseContract",
    "PurchasePayment",
    "ResolutionDone",
    "SealApplication",
    "SealReturn",
    "SealUse",
    "resolution_item",
    "seal_item",
]

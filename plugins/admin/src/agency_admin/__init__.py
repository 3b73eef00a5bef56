"""agency-admin: the admin department's controls (ADM-01..ADM-08) as an agency-core plugin."""

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
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

_STORE = frozenset({"SWEEPS", "AdminRepository", "resolution_item", "seal_item"})
"""Names of the store module, imported (with SQLAlchemy) only when first asked for."""


def __getattr__(name: str) -> object:
    if name in _STORE:
        from agency_admin import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

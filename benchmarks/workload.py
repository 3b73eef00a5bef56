"""Seeded workloads: expense-approval requests across every APR-01 tier, bounds included."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Final

from agency_core import ApprovalRequest, Money

__all__ = ["ACTION", "DEPARTMENTS", "SEED", "Answer", "expense_requests", "fen"]

SEED: Final = 20261123
ACTION: Final = "expense_reimbursement"
DEPARTMENTS: Final = (
    "sales",
    "finance",
    "hr",
    "legal",
    "admin",
    "business",
    "customer_service",
    "branch_shanghai",
    "branch_guangzhou",
)
_EDGES: Final = tuple(
    Decimal(v)
    for v in ("0.00", "0.01", "4999.99", "5000", "5000.01", "49999.99", "50000", "50000.01")
)

Answer = tuple[str, tuple[str, ...]]
"""What every engine must agree on: (outcome, approver roles in order)."""


def _amount(rng: random.Random) -> Decimal:
    pick = rng.random()
    if pick < 0.10:  # exact bounds and their neighbours (APR-01: a bound belongs to the lower tier)
        return rng.choice(_EDGES)
    if pick < 0.50:
        fen = rng.randint(1, 500_000)
    elif pick < 0.85:
        fen = rng.randint(500_001, 5_000_000)
    else:
        fen = rng.randint(5_000_001, 200_000_000)
    return Decimal(fen).scaleb(-2)


def expense_requests(count: int, seed: int = SEED) -> list[ApprovalRequest]:
    """``count`` expense reimbursement requests in CNY, the same for the same seed."""
    rng = random.Random(seed)
    return [
        ApprovalRequest(
            f"R{index:07d}",
            ACTION,
            Money(_amount(rng), "CNY"),
            rng.choice(DEPARTMENTS),
            f"E{rng.randint(1, 5000):05d}",
        )
        for index in range(count)
    ]


def fen(request: ApprovalRequest) -> int:
    """The amount in integer minor units (fen): exact for the peers that compare integers."""
    return int(request.amount.amount.scaleb(2))

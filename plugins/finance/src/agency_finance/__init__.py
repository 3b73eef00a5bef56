"""agency-finance: the finance department (财务部) of agency-core, controls FIN-01..FIN-09.

Register it through its entry point (``finance``) or ``Engine(plugins=[agency_finance.plugin])``;
its stored ledgers are in :class:`Finance` (``Finance(tx).payments.pay(...)``).
"""

from typing import TYPE_CHECKING

from agency_finance.entities import (
    AccountKind,
    ApprovalState,
    Attachment,
    AttachmentKind,
    BudgetFacts,
    BudgetPosition,
    BudgetSpend,
    CreditCharge,
    CreditPosition,
    DifferenceKind,
    ExpenseClaim,
    Payment,
    Reconciliation,
    StocktakeDifference,
)
from agency_finance.policy import Category, FinancePolicy

if TYPE_CHECKING:
    from agency_finance.store import (
        Budgets,
        Claims,
        Credit,
        Finance,
        Payments,
        Reconciliations,
        Stocktakes,
    )

__all__ = [
    "AccountKind",
    "ApprovalState",
    "Attachment",
    "AttachmentKind",
    "BudgetFacts",
    "BudgetPosition",
    "BudgetSpend",
    "Budgets",
    "Category",
    "Claims",
    "Credit",
    "CreditCharge",
    "CreditPosition",
    "DifferenceKind",
    "ExpenseClaim",
    "Finance",
    "FinancePolicy",
    "Payment",
    "Payments",
    "Reconciliation",
    "Reconciliations",
    "StocktakeDifference",
    "Stocktakes",
]

_STORE = frozenset(
    {"Budgets", "Claims", "Credit", "Finance", "Payments", "Reconciliations", "Stocktakes"}
)
"""Names of the store module, imported (with SQLAlchemy) only when first asked for."""


def __getattr__(name: str) -> object:
    if name in _STORE:
        from agency_finance import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The finance plugin's own hooks: one check per request kind it registers.

Each is a **check** (every plugin is asked, findings are combined, deny overrides); a firm adds
rules of its own for a finance kind by implementing the hook. Every hook takes ``check`` (the
request) and ``policy`` (the compiled policy in force) and returns findings, or None when the
plugin has nothing to say.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agency_core.hookspecs import hookspec

if TYPE_CHECKING:
    from agency_core.decision import Finding
    from agency_core.policy import Policy
    from agency_finance.entities import (
        BudgetSpend,
        CreditCharge,
        ExpenseClaim,
        Payment,
        Reconciliation,
        StocktakeDifference,
    )


@hookspec
def agency_check_expense_claim(check: ExpenseClaim, policy: Policy) -> Iterable[Finding] | None:
    """Check an expense claim's attachments and category (FIN-01, FIN-07, FEE-06)."""


@hookspec
def agency_check_budget_spend(check: BudgetSpend, policy: Policy) -> Iterable[Finding] | None:
    """Check spending against a budget's stored position (FIN-02, FIN-09, APR-08)."""


@hookspec
def agency_check_credit_charge(check: CreditCharge, policy: Policy) -> Iterable[Finding] | None:
    """Check a charge on credit against the client's limit and overdue receivables (FIN-03)."""


@hookspec
def agency_check_reconciliation(check: Reconciliation, policy: Policy) -> Iterable[Finding] | None:
    """Check a reconciliation of a client, cash or bank account (FIN-04, FIN-08)."""


@hookspec
def agency_check_stocktake_difference(
    check: StocktakeDifference, policy: Policy
) -> Iterable[Finding] | None:
    """Check a stocktake difference: explained, then approved (FIN-05)."""


@hookspec
def agency_check_payment(check: Payment, policy: Policy) -> Iterable[Finding] | None:
    """Check a payment against its stored approval (FIN-06)."""

"""The finance plugin (财务部): the module the ``finance`` entry point registers.

Hook implementations only; the rules are in :mod:`agency_finance.claims`, ``budgets``,
``credit``, ``ledgers`` and ``payments``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.transitions import StateMachine, TransitionCheck
from agency_finance import budgets, claims, credit, hookspecs, ledgers, payments
from agency_finance.entities import (
    BudgetSpend,
    CreditCharge,
    ExpenseClaim,
    Payment,
    Reconciliation,
    StocktakeDifference,
)
from agency_finance.policy import SECTION, FinancePolicy

if TYPE_CHECKING:
    from agency_core.store.extension import StoreExtension

if TYPE_CHECKING:
    from agency_core.testing.conformance import Property

VERSIONS = Path(__file__).parent / "migrations" / "versions"


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(
        Kind("expense_claim", ExpenseClaim, "agency_check_expense_claim", lambda r: r.claimant)
    )
    register(Kind("budget_spend", BudgetSpend, "agency_check_budget_spend", lambda r: r.spender))
    register(Kind("credit_charge", CreditCharge, "agency_check_credit_charge"))
    register(
        Kind(
            "reconciliation", Reconciliation, "agency_check_reconciliation", lambda r: r.reconciler
        )
    )
    register(
        Kind(
            "stocktake_difference",
            StocktakeDifference,
            "agency_check_stocktake_difference",
            lambda r: r.counted_by,
        )
    )
    register(Kind("payment", Payment, "agency_check_payment", lambda r: r.payer))


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    register(budgets.MACHINE)


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section(SECTION, FinancePolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_core.store.extension import StoreExtension
    from agency_finance.sweeps import SWEEPS  # SQLAlchemy only for a store
    from agency_finance.tables import metadata

    register(StoreExtension(label=SECTION, versions=VERSIONS, metadata=metadata, sweeps=SWEEPS))


@hookimpl
def agency_register_commands(cli: click.Group) -> None:
    from agency_finance.commands import finance

    cli.add_command(finance)


@hookimpl
def agency_check_expense_claim(check: ExpenseClaim, policy: Policy) -> Iterable[Finding]:
    return claims.check_claim(check, policy)


@hookimpl
def agency_check_budget_spend(check: BudgetSpend, policy: Policy) -> Iterable[Finding]:
    return budgets.check_spend(check, policy)


@hookimpl
def agency_check_credit_charge(check: CreditCharge, policy: Policy) -> Iterable[Finding]:
    return credit.check_credit(check, policy)


@hookimpl
def agency_check_reconciliation(check: Reconciliation, policy: Policy) -> Iterable[Finding]:
    return ledgers.check_reconciliation(check, policy)


@hookimpl
def agency_check_stocktake_difference(
    check: StocktakeDifference, policy: Policy
) -> Iterable[Finding]:
    return ledgers.check_stocktake(check, policy)


@hookimpl
def agency_check_payment(check: Payment, policy: Policy) -> Iterable[Finding]:
    return payments.check_payment(check, policy)


@hookimpl
def agency_check_transition(
    check: TransitionCheck, machine: StateMachine, policy: Policy
) -> Iterable[Finding] | None:
    if check.subject_kind != budgets.BUDGET:
        return None
    return budgets.check_budget_move(check, policy)


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_finance.conformance import PROPERTIES  # hypothesis only when the kit runs

    for prop in PROPERTIES:
        register(prop)


def _scene(store: Any, say: Callable[[str], None]) -> None:
    """The department's story in ``agency demo``."""
    from agency_finance import demo as story

    story.run(store, say)


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(
        Scene(
            "finance",
            "Finance: an expense claim from filing to payment",
            "财务部：一笔费用报销从提交到付款",
            _scene,
        )
    )

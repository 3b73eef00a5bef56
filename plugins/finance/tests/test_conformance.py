"""The finance properties bite: the plugin keeps them all, and each broken copy is caught under
the control it breaks (FIN-01..FIN-09), at the kit's default profile."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from decimal import Decimal

import agency_finance.plugin as plugin
import attrs
import pytest
from agency_finance import budgets, claims, credit, ledgers, payments
from agency_finance.conformance import PROPERTIES
from agency_finance.entities import (
    AccountKind,
    BudgetSpend,
    CreditCharge,
    DifferenceKind,
    ExpenseClaim,
    Payment,
    Reconciliation,
    StocktakeDifference,
)
from agency_finance.policy import SECTION, FinancePolicy

from agency_core import Money
from agency_core.decision import Finding, Severity
from agency_core.hookspecs import hookimpl
from agency_core.policy import Policy
from agency_core.testing import conformance
from agency_core.transitions import StateMachine, TransitionCheck


def variant(name: str, **hooks: Callable[..., Iterable[Finding]]) -> types.SimpleNamespace:
    """A copy of the finance plugin with the check hooks ``hooks`` replaced by broken ones."""
    copy = types.SimpleNamespace(__name__=f"broken_finance[{name}]")
    for attr in dir(plugin):
        if attr.startswith("agency_"):
            setattr(copy, attr, getattr(plugin, attr))
    for attr, function in hooks.items():
        setattr(copy, attr, hookimpl(function))
    return copy


def run(plugins: list[object], policy: Policy, only: list[str] | None = None) -> conformance.Report:
    return conformance.check(plugins, policy, only=only, properties=PROPERTIES)


# -- the broken copies: one realistic bug each ---------------------------------------------------


def counts_an_invoice_twice(check: ExpenseClaim, policy: Policy) -> Iterable[Finding]:
    """FIN-01: no duplicate check; an invoice attached twice is added twice."""
    total = sum(a.amount.amount for a in check.attachments)
    one_currency = all(a.amount.currency == check.amount.currency for a in check.attachments)
    reused = any(f"{a.kind.value}:{a.number}" in check.claimed_before for a in check.attachments)
    found = list(claims.check_claim(check, policy))
    if one_currency and not reused and total >= check.amount.amount:
        return [f for f in found if f.control != "FIN-01"]
    return found


def ignores_adjustments(check: BudgetSpend, policy: Policy) -> Iterable[Finding]:
    """FIN-02: the remaining budget read without its approved adjustments."""
    position = check.budget
    none = Money(0, position.adjustments.currency)
    return budgets.check_spend(
        attrs.evolve(check, budget=attrs.evolve(position, adjustments=none)), policy
    )


def reaches_the_limit(check: CreditCharge, policy: Policy) -> Iterable[Finding]:
    """FIN-03: a charge that brings the client exactly to its limit is taken as over it."""
    found = list(credit.check_credit(check, policy))
    limit = check.position.limit
    if (
        limit is not None
        and check.position.outstanding.amount + check.amount.amount == limit.amount
    ):
        found.append(
            Finding("FIN-03", Severity.APPROVAL, credit.OVER_LIMIT, {"client": check.client})
        )
    return found


def rounds_client_differences(check: Reconciliation, policy: Policy) -> Iterable[Finding]:
    """FIN-04: a client's difference under one yuan is taken for rounding."""
    small = abs(check.actual.amount - check.book.amount) < 1
    if (
        check.account_kind is AccountKind.CLIENT
        and small
        and check.book.currency == check.actual.currency
    ):
        check = attrs.evolve(check, actual=check.book)
    return ledgers.check_reconciliation(check, policy)


def surplus_is_a_gain(check: StocktakeDifference, policy: Policy) -> Iterable[Finding]:
    """FIN-05: an explained surplus (盘盈) is booked as a gain without approval."""
    found = ledgers.check_stocktake(check, policy)
    if check.difference is DifferenceKind.SURPLUS:
        return [f for f in found if f.severity is not Severity.APPROVAL]
    return found


def forgets_principals(check: Payment, policy: Policy) -> Iterable[Finding]:
    """FIN-06: the payer is compared with the approvers who acted, not with their principals."""
    history = tuple(attrs.evolve(a, on_behalf_of=None) for a in check.approval.history)
    approval = attrs.evolve(check.approval, history=history)
    return payments.check_payment(attrs.evolve(check, approval=approval), policy)


def reaches_the_standard(check: ExpenseClaim, policy: Policy) -> Iterable[Finding]:
    """FIN-07: a claim of exactly its category's standard is taken as above it."""
    found = list(claims.check_claim(check, policy))
    category = policy.section(SECTION, FinancePolicy).categories.get(check.category)
    if category is not None and category.limit == check.amount.amount:
        found.append(Finding("FIN-07", Severity.APPROVAL, claims.OVER_STANDARD, {}))
    return found


def cashier_reconciles(check: Reconciliation, policy: Policy) -> Iterable[Finding]:
    """FIN-08: the keeper is not compared for cash and bank accounts."""
    if check.account_kind is not AccountKind.CLIENT:
        check = attrs.evolve(check, keeper=None)
    return ledgers.check_reconciliation(check, policy)


def calendar_year_as_written(check: BudgetSpend, policy: Policy) -> Iterable[Finding]:
    """FIN-09: the fiscal year read off the timestamp as written, not on the firm's clock."""
    found = [f for f in budgets.check_spend(check, policy) if f.text is not budgets.OTHER_YEAR]
    at, start = check.at, policy.fiscal_year_start_month
    year = at.year if at.month >= start else at.year - 1
    position = check.budget
    if position.state == budgets.APPROVED and position.approved_at and year != position.fiscal_year:
        found.append(Finding("FIN-09", Severity.DENY, budgets.OTHER_YEAR, {"spend": check.id}))
    return found


BROKEN = {
    "FIN-01": {"agency_check_expense_claim": counts_an_invoice_twice},
    "FIN-02": {"agency_check_budget_spend": ignores_adjustments},
    "FIN-03": {"agency_check_credit_charge": reaches_the_limit},
    "FIN-04": {"agency_check_reconciliation": rounds_client_differences},
    "FIN-05": {"agency_check_stocktake_difference": surplus_is_a_gain},
    "FIN-06": {"agency_check_payment": forgets_principals},
    "FIN-07": {"agency_check_expense_claim": reaches_the_standard},
    "FIN-08": {"agency_check_reconciliation": cashier_reconciles},
    "FIN-09": {"agency_check_budget_spend": calendar_year_as_written},
}


def test_every_control_has_a_property_and_a_broken_copy() -> None:
    ids = {prop.id for prop in PROPERTIES}
    assert ids == set(BROKEN) == {f"FIN-0{n}" for n in range(1, 10)}


def test_the_plugin_registers_its_properties(policy: Policy) -> None:
    subject = conformance.Subject([plugin], policy)
    keys = {prop.key for prop in conformance.all_properties(subject)}
    assert {prop.key for prop in PROPERTIES} <= keys


def test_the_finance_plugin_keeps_every_property(policy: Policy) -> None:
    report = run([plugin], policy)
    assert report.ok, str(report)
    assert len(report.results) == len(PROPERTIES)


@pytest.mark.parametrize("control", sorted(BROKEN))
def test_a_broken_copy_is_caught_under_its_control(control: str, policy: Policy) -> None:
    report = run([variant(control, **BROKEN[control])], policy, only=[control])
    assert report.failed == (control,), str(report)


def test_the_properties_follow_a_firm_s_own_section(
    make_policy: Callable[[str], Policy],
) -> None:
    firm = make_policy(
        '\n[plugins.finance]\nno_limit_needs_approval = false\nbudget_approver_roles = ["finance_manager"]\n'
        '[plugins.finance.categories."差旅费"]\nlimit = "0.01"\n'
        '[plugins.finance.categories."杂费"]\n'
    )
    spec = conformance.Subject([plugin], firm).engine.policy.section(SECTION, FinancePolicy)
    assert set(spec.categories) == {"差旅费", "杂费"}
    assert spec.categories["差旅费"].limit == Decimal("0.01")
    report = run([plugin], firm)
    assert report.ok, str(report)


def roles_without_inheritance(
    check: TransitionCheck, machine: StateMachine, policy: Policy
) -> Iterable[Finding] | None:
    """FIN-09: the approver's roles read as held, without the roles they inherit."""
    found = plugin.agency_check_transition(check=check, machine=machine, policy=policy)
    if found is None or check.from_state != "filed":
        return found
    roles = policy.section(SECTION, FinancePolicy).budget_approver_roles
    if set(check.actor.roles) & set(roles):
        return found
    return [*found, Finding("FIN-09", Severity.DENY, budgets.NOT_MANAGEMENT, {})]


def test_budget_moves_bite_under_a_firm_with_an_inherited_approver_role(
    make_policy: Callable[[str], Policy],
) -> None:
    firm = make_policy(
        '\n[roles.chairman]\nname_en = "Chairman"\nname_zh = "董事长"\n'
        'inherits = ["general_manager"]\n'
    )
    assert run([plugin], firm, only=["FIN-09"]).ok
    broken = variant("FIN-09", agency_check_transition=roles_without_inheritance)
    report = run([broken], firm, only=["FIN-09"])
    assert report.failed == ("FIN-09",), str(report)
    assert "budget-moves" in str(report).split("FAIL ", 1)[1].split(":", 1)[0]


# -- a firm in another currency: every edge steps by its minor unit ------------------------------

UNITS = {"JPY": Decimal(1), "KWD": Decimal("0.001")}
"""A currency without decimals (yen) and one with three (dinars, fils), by minor unit."""


def assert_caught(report: conformance.Report, control: str) -> None:
    """Only ``control`` fails, on a violation of the rule (not on an example the kit cannot build)."""
    assert report.failed == (control,), str(report)
    errors = [result.error for result in report.results if not result.passed]
    assert all(isinstance(error, conformance.Violation) for error in errors), str(report)


@pytest.mark.parametrize("currency", sorted(UNITS))
def test_the_finance_plugin_keeps_every_property_in_another_currency(
    currency: str, make_policy: Callable[..., Policy]
) -> None:
    firm = make_policy(currency=currency)
    assert firm.currency == currency
    report = run([plugin], firm)
    assert report.ok, str(report)
    assert len(report.results) == len(PROPERTIES)


@pytest.mark.parametrize(
    ("currency", "control"),
    [
        (currency, control)
        for currency in sorted(UNITS)
        for control in sorted(BROKEN)
        # In yen no difference lies under one unit: rounding those away changes nothing.
        if (currency, control) != ("JPY", "FIN-04")
    ],
)
def test_a_broken_copy_is_caught_in_another_currency(
    currency: str, control: str, make_policy: Callable[..., Policy]
) -> None:
    report = run([variant(control, **BROKEN[control])], make_policy(currency=currency), [control])
    assert_caught(report, control)


def tolerates_the_limit(tolerance: Decimal) -> Callable[[CreditCharge, Policy], list[Finding]]:
    """FIN-03: the credit limit compared with a ``tolerance``: a charge that far past it passes."""

    def check(check: CreditCharge, policy: Policy) -> list[Finding]:
        limit = check.position.limit
        if limit is not None:
            lax = Money(limit.amount + tolerance, limit.currency)
            check = attrs.evolve(check, position=attrs.evolve(check.position, limit=lax))
        return list(credit.check_credit(check, policy))

    return check


@pytest.mark.parametrize("currency", sorted(UNITS))
def test_a_copy_off_by_one_minor_unit_is_caught(
    currency: str, make_policy: Callable[..., Policy]
) -> None:
    """One yen, one fils past the limit is past it: the edges step by the currency's unit (a
    step of 0.01 misses a fils and rounds to no step at all in yen)."""
    broken = variant(currency, agency_check_credit_charge=tolerates_the_limit(UNITS[currency]))
    report = run([broken], make_policy(currency=currency), ["FIN-03"])
    assert_caught(report, "FIN-03")


def rounds_the_standard(check: ExpenseClaim, policy: Policy) -> Iterable[Finding]:
    """FIN-07: the standard rounded to the currency's unit first, so a yen past 999.5 is within."""
    category = policy.section(SECTION, FinancePolicy).categories.get(check.category)
    if category is None or category.limit is None:
        return claims.check_claim(check, policy)
    rounded = Money(category.limit, check.amount.currency).amount
    return [
        f
        for f in claims.check_claim(check, policy)
        if not (f.control == "FIN-07" and check.amount.amount <= rounded)
    ]


def test_a_standard_between_two_yen_is_probed_on_both_sides(
    make_policy: Callable[..., Policy],
) -> None:
    firm = make_policy('\n[plugins.finance.categories."差旅费"]\nlimit = "999.5"\n', currency="JPY")
    assert run([plugin], firm, ["FIN-07"]).ok
    broken = variant("FIN-07", agency_check_expense_claim=rounds_the_standard)
    assert_caught(run([broken], firm, ["FIN-07"]), "FIN-07")

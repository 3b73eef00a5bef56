"""FIN-02, FIN-09, APR-08: spending draws only on an approved budget, within it or its
approved adjustments; budgets are filed by their department and approved by management."""

from __future__ import annotations

from collections.abc import Iterator

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.policy import Policy
from agency_core.transitions import StateMachine, TransitionCheck
from agency_finance.entities import BudgetFacts, BudgetSpend
from agency_finance.policy import SECTION, FinancePolicy, fiscal_year

__all__ = ["BUDGET", "MACHINE", "check_budget_move", "check_spend"]

BUDGET = "budget"
DRAFT, FILED, APPROVED = "draft", "filed", "approved"
MACHINE = StateMachine(
    subject=BUDGET,
    initial=DRAFT,
    transitions={DRAFT: frozenset({FILED}), FILED: frozenset({APPROVED, DRAFT})},
    closed={APPROVED},
    data=BudgetFacts,
)
"""A department's annual budget: drafted, filed with finance, approved by management."""

NOT_APPROVED = Text(
    zh="预算 {budget} 尚未经管理层批准（状态 {state}），不得列支",
    en="budget {budget} is not approved by management yet (it is {state}): nothing may draw on it",
)
BEFORE_APPROVAL = Text(
    zh="支出 {spend} 发生于 {at}，早于预算 {budget} 的批准时间 {approved_at}",
    en="spending {spend} at {at} precedes the approval of budget {budget} at {approved_at}",
)
OTHER_YEAR = Text(
    zh="支出 {spend} 属于 {year} 财年，不能列支 {fiscal_year} 年度预算 {budget}",
    en="spending {spend} falls in fiscal {year} and cannot draw on budget {budget} of "
    "{fiscal_year}",
)
CURRENCY = Text(
    zh="支出 {spend} 币种 {currency} 与预算 {budget} 的币种 {other} 不一致",
    en="spending {spend} in {currency} cannot draw on budget {budget} in {other}",
)
OVER = Text(
    zh="支出 {amount} 超出预算 {budget} 剩余额度 {remaining}，超支 {excess} 须先经预算调整审批"
    "（{action}）",
    en="{amount} exceeds what is left of budget {budget} ({remaining}) by {excess}; an approved "
    "budget adjustment ({action}) must come first",
)
NO_FACTS = Text(
    zh="预算 {subject} 的状态变更须附预算信息（部门、年度、金额）",
    en="a move of budget {subject} must carry the budget's facts (department, year, amount)",
)
NOT_OWN = Text(
    zh="{actor} 不属于 {department}，不能报送该部门的预算草案",
    en="{actor} is not of {department} and cannot file its budget draft",
)
NOT_MANAGEMENT = Text(
    zh="{actor} 不具有批准年度预算的管理层角色（{roles}）",
    en="{actor} holds no management role that approves annual budgets ({roles})",
)


def check_spend(spend: BudgetSpend, policy: Policy) -> Iterator[Finding]:
    """FIN-09 (an approved budget of the spending's year, approved before it) and FIN-02/APR-08
    (within it)."""
    position = spend.budget
    if position.state != APPROVED or position.approved_at is None:
        facts = {"budget": position.budget, "state": position.state}
        yield Finding("FIN-09", Severity.DENY, NOT_APPROVED, facts)
        return
    if spend.at < position.approved_at:
        facts = {
            "spend": spend.id,
            "at": spend.at.isoformat(),
            "budget": position.budget,
            "approved_at": position.approved_at.isoformat(),
        }
        yield Finding("FIN-09", Severity.DENY, BEFORE_APPROVAL, facts)
    year = fiscal_year(policy, spend.at)
    if year != position.fiscal_year:
        years: dict[str, Fact] = {
            "spend": spend.id,
            "year": year,
            "budget": position.budget,
            "fiscal_year": position.fiscal_year,
        }
        yield Finding("FIN-09", Severity.DENY, OTHER_YEAR, years)
    currencies = {position.amount.currency, position.adjustments.currency, position.spent.currency}
    if currencies != {spend.amount.currency}:
        facts = {
            "spend": spend.id,
            "currency": spend.amount.currency,
            "budget": position.budget,
            "other": position.amount.currency,
        }
        yield Finding("FEE-06", Severity.DENY, CURRENCY, facts)
        return
    excess = spend.amount.amount - position.remaining
    if excess > 0:
        currency = spend.amount.currency
        facts = {
            "budget": position.budget,
            "amount": str(spend.amount),
            "remaining": f"{position.remaining} {currency}",
            "excess": f"{excess} {currency}",
            "action": policy.budget_action,
        }
        yield Finding("FIN-02", Severity.APPROVAL, OVER, facts)


def check_budget_move(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """FIN-09: the department files its own draft; only management approves it."""
    data = check.data
    if not isinstance(data, BudgetFacts):
        yield Finding("FIN-09", Severity.DENY, NO_FACTS, {"subject": check.subject})
        return
    if check.to_state == FILED and check.actor.department != data.department:
        facts = {"actor": check.actor.id, "department": data.department}
        yield Finding("FIN-09", Severity.DENY, NOT_OWN, facts)
    if check.to_state in (APPROVED, DRAFT) and check.from_state == FILED:
        roles = policy.section(SECTION, FinancePolicy).budget_approver_roles
        if not policy.effective_roles(check.actor.roles) & set(roles):
            facts = {"actor": check.actor.id, "roles": ", ".join(roles)}
            yield Finding("FIN-09", Severity.DENY, NOT_MANAGEMENT, facts)

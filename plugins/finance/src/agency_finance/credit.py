"""FIN-03: a charge that would take a client over its credit limit, or a charge to a client with
overdue receivables, needs approval (信用额度、账期)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.policy import Policy
from agency_finance.entities import CreditCharge
from agency_finance.policy import SECTION, FinancePolicy

__all__ = ["check_credit", "due_on"]

NO_LIMIT = Text(
    zh="客户 {client} 没有核定的信用额度，赊销 {amount} 须经审批（{action}）",
    en="client {client} has no credit limit on record: {amount} on credit needs approval "
    "({action})",
)
OVER_LIMIT = Text(
    zh="客户 {client} 应收余额 {outstanding} 加本次 {amount} 超过信用额度 {limit}，"
    "须经审批（{action}）",
    en="client {client} owes {outstanding}; with {amount} more it passes its credit limit "
    "{limit}, which needs approval ({action})",
)
OVERDUE = Text(
    zh="客户 {client} 有 {count} 笔逾期应收款共 {overdue}，继续赊销须经审批（{action}）",
    en="client {client} has {count} overdue receivables ({overdue}): more credit needs approval "
    "({action})",
)
CURRENCY = Text(
    zh="客户 {client} 的信用额度以 {currency} 计，本次金额为 {amount}",
    en="the credit of client {client} is kept in {currency}, not in the currency of {amount}",
)


def due_on(policy: Policy, start: date, days: int) -> date:
    """The last day of a payment term of ``days`` calendar days from ``start`` (the issue day),
    on the policy's working calendar: counted from the next day (民法典 §201), a last day off
    moves to the next working day (§203)."""
    return policy.calendar.add_calendar_days(start, days)


def check_credit(charge: CreditCharge, policy: Policy) -> Iterator[Finding]:
    """FIN-03 on a new charge: the limit, and receivables past their term."""
    section = policy.section(SECTION, FinancePolicy)
    position = charge.position
    action = section.credit_action
    currencies = {position.outstanding.currency, position.overdue.currency}
    if position.limit is not None:
        currencies.add(position.limit.currency)
    if currencies != {charge.amount.currency}:
        facts = {
            "client": charge.client,
            "currency": position.outstanding.currency,
            "amount": str(charge.amount),
        }
        yield Finding("FEE-06", Severity.DENY, CURRENCY, facts)
        return
    if position.limit is None:
        if section.no_limit_needs_approval:
            facts = {"client": charge.client, "amount": str(charge.amount), "action": action}
            yield Finding("FIN-03", Severity.APPROVAL, NO_LIMIT, facts)
    elif position.outstanding.amount + charge.amount.amount > position.limit.amount:
        facts = {
            "client": charge.client,
            "outstanding": str(position.outstanding),
            "amount": str(charge.amount),
            "limit": str(position.limit),
            "action": action,
        }
        yield Finding("FIN-03", Severity.APPROVAL, OVER_LIMIT, facts)
    if position.overdue_count:
        overdue: dict[str, Fact] = {
            "client": charge.client,
            "count": position.overdue_count,
            "overdue": str(position.overdue),
            "action": action,
        }
        yield Finding("FIN-03", Severity.APPROVAL, OVERDUE, overdue)

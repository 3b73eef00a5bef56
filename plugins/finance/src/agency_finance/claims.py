"""FIN-01 and FIN-07: an expense claim is backed by its attachments and within its category."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from agency_core.decision import Finding, Severity, Text
from agency_core.policy import Policy
from agency_finance.entities import ExpenseClaim
from agency_finance.policy import SECTION, FinancePolicy

__all__ = ["check_claim"]

CURRENCY = Text(
    zh="报销单 {claim} 币种为 {currency}，所附 {number} 的币种为 {other}，不能合计",
    en="claim {claim} is in {currency} but attachment {number} is in {other}: they cannot be added",
)
DUPLICATE = Text(
    zh="报销单 {claim} 重复附上 {kind} {number}",
    en="claim {claim} attaches {kind} {number} more than once",
)
REUSED = Text(
    zh="{kind} {number} 已在其他报销单中报销过，不能再次报销",
    en="{kind} {number} was already claimed on another claim and cannot back this one",
)
NOT_COVERED = Text(
    zh="报销金额 {claimed} 超过所附发票、凭证合计 {total}，差额 {missing}",
    en="the claim of {claimed} is more than its invoices and vouchers ({total}) by {missing}",
)
NOT_LISTED = Text(
    zh="费用类别 {category} 不在报销范围内（可报销：{listed}）",
    en="category {category} is outside the reimbursement scope (listed: {listed})",
)
OVER_STANDARD = Text(
    zh="{category} 报销 {claimed} 超过报销标准 {limit}，须经审批",
    en="{claimed} of {category} is above its standard of {limit} and needs approval",
)
LIMIT_CURRENCY = Text(
    zh="{category} 的报销标准以 {currency} 计，报销单为 {other}",
    en="the standard of {category} is in {currency}, the claim in {other}",
)


def check_claim(claim: ExpenseClaim, policy: Policy) -> Iterator[Finding]:
    """FIN-01 (attachments cover the claim, exactly, in one currency) and FIN-07 (scope, limit)."""
    yield from _attachments(claim)
    yield from _scope(claim, policy)


def _attachments(claim: ExpenseClaim) -> Iterator[Finding]:
    currency = claim.amount.currency
    seen: set[tuple[str, str]] = set()
    total = Decimal(0)
    for attachment in claim.attachments:
        if attachment.amount.currency != currency:
            facts = {
                "claim": claim.id,
                "currency": currency,
                "number": attachment.number,
                "other": attachment.amount.currency,
            }
            yield Finding("FEE-06", Severity.DENY, CURRENCY, facts)
            return
        key = (attachment.kind.value, attachment.number)
        if key in seen:
            facts = {"claim": claim.id, "kind": key[0], "number": key[1]}
            yield Finding("FIN-01", Severity.DENY, DUPLICATE, facts)
            return
        if f"{key[0]}:{key[1]}" in claim.claimed_before:
            facts = {"claim": claim.id, "kind": key[0], "number": key[1]}
            yield Finding("FIN-01", Severity.DENY, REUSED, facts)
            return
        seen.add(key)
        total += attachment.amount.amount
    if total < claim.amount.amount:
        facts = {
            "claimed": str(claim.amount),
            "total": f"{total} {currency}",
            "missing": f"{claim.amount.amount - total} {currency}",
        }
        yield Finding("FIN-01", Severity.DENY, NOT_COVERED, facts)


def _scope(claim: ExpenseClaim, policy: Policy) -> Iterator[Finding]:
    section = policy.section(SECTION, FinancePolicy)
    category = section.categories.get(claim.category)
    if category is None:
        listed = ", ".join(sorted(section.categories)) or "-"
        facts = {"category": claim.category, "listed": listed}
        yield Finding("FIN-07", Severity.DENY, NOT_LISTED, facts)
        return
    if category.limit is None:
        return
    if claim.amount.currency != policy.currency:
        facts = {
            "category": claim.category,
            "currency": policy.currency,
            "other": claim.amount.currency,
        }
        yield Finding("FEE-06", Severity.DENY, LIMIT_CURRENCY, facts)
    elif claim.amount.amount > category.limit:
        facts = {
            "category": claim.category,
            "claimed": str(claim.amount),
            "limit": f"{category.limit} {policy.currency}",
        }
        yield Finding("FIN-07", Severity.APPROVAL, OVER_STANDARD, facts)

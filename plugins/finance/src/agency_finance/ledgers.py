"""FIN-04, FIN-08: accounts reconciled with differences explained and reported; FIN-05:
stocktake differences explained and approved."""

from __future__ import annotations

from collections.abc import Iterator

from agency_core.decision import Finding, Severity, Text
from agency_core.policy import Policy
from agency_finance.entities import AccountKind, Reconciliation, StocktakeDifference
from agency_finance.policy import SECTION, FinancePolicy

__all__ = ["check_reconciliation", "check_stocktake", "control_of"]

CURRENCY = Text(
    zh="账户 {account} 的账面余额 {book} 与实有余额 {actual} 币种不一致",
    en="account {account}: the book balance {book} and the actual {actual} are in two currencies",
)
UNEXPLAINED = Text(
    zh="账户 {account} 截至 {period_end} 账实不符，差额 {difference}，未说明原因",
    en="account {account} at {period_end} differs from the books by {difference} with no "
    "explanation",
)
REPORTED = Text(
    zh="账户 {account} 截至 {period_end} 的未达差额 {difference}：{explanation}",
    en="account {account} at {period_end} differs from the books by {difference}: {explanation}",
)
OWN_ACCOUNT = Text(
    zh="{reconciler} 经管账户 {account}，不能自行盘点核对",
    en="{reconciler} keeps account {account} and cannot reconcile it too",
)
NO_REASON = Text(
    zh="资产 {asset} 的{kind_zh} {amount} 未查明原因",
    en="the {kind} of {amount} on asset {asset} has no explanation",
)
NEEDS_APPROVAL = Text(
    zh="资产 {asset} 的{kind_zh} {amount} 须经审批后处理（{action}）",
    en="the {kind} of {amount} on asset {asset} needs approval before it is written off ({action})",
)
_KIND_ZH = {"surplus": "盘盈", "shortage": "盘亏", "damage": "毁损"}


def control_of(kind: AccountKind) -> str:
    """FIN-04 for a client's receivables, FIN-08 for cash and bank accounts."""
    return "FIN-04" if kind is AccountKind.CLIENT else "FIN-08"


def check_reconciliation(rec: Reconciliation, _policy: Policy) -> Iterator[Finding]:
    """A difference must be explained (deny) and is then reported (warning); the keeper of an
    account does not reconcile it."""
    control = control_of(rec.account_kind)
    if rec.book.currency != rec.actual.currency:
        facts = {"account": rec.account, "book": str(rec.book), "actual": str(rec.actual)}
        yield Finding("FEE-06", Severity.DENY, CURRENCY, facts)
        return
    if rec.keeper is not None and rec.keeper == rec.reconciler:
        facts = {"account": rec.account, "reconciler": rec.reconciler}
        yield Finding(control, Severity.DENY, OWN_ACCOUNT, facts)
    difference = rec.actual.amount - rec.book.amount
    if difference == 0:
        return
    facts = {
        "account": rec.account,
        "period_end": rec.period_end.isoformat(),
        "difference": f"{difference} {rec.book.currency}",
        "explanation": rec.explanation.strip(),
    }
    if not rec.explanation.strip():
        yield Finding(control, Severity.DENY, UNEXPLAINED, facts)
    else:
        yield Finding(control, Severity.WARNING, REPORTED, facts)


def check_stocktake(diff: StocktakeDifference, policy: Policy) -> Iterator[Finding]:
    """FIN-05: explained (deny without), then approved (always needs approval)."""
    facts = {
        "asset": diff.asset,
        "kind": diff.difference.value,
        "kind_zh": _KIND_ZH[diff.difference.value],
        "amount": str(diff.amount),
        "action": policy.section(SECTION, FinancePolicy).stocktake_action,
    }
    if not diff.explanation.strip():
        yield Finding("FIN-05", Severity.DENY, NO_REASON, facts)
    else:
        yield Finding("FIN-05", Severity.APPROVAL, NEEDS_APPROVAL, facts)

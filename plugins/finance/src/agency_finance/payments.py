"""FIN-06: nothing is paid before its approval route is complete (审批通过后，方可报销), the payer
is not an approver of the same request, and a request is paid once, for its approved amount."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.entities import Verdict
from agency_core.policy import Policy
from agency_finance.entities import ApprovalState, Payment

__all__ = ["check_payment", "completed_at"]

INCOMPLETE = Text(
    zh="申请 {request} 的审批尚未完成（{status}，已批 {approved}/{steps} 步），不得付款",
    en="the approval of {request} is not complete ({status}, {approved} of {steps} steps "
    "approved): nothing may be paid",
)
EARLY = Text(
    zh="付款时间 {at} 早于申请 {request} 审批完成的时间 {completed}",
    en="the payment at {at} precedes the completion of the approval of {request} at {completed}",
)
APPROVER = Text(
    zh="{payer} 审批过申请 {request}，不能再为其付款",
    en="{payer} approved a step of request {request} and cannot also pay it",
)
PAID = Text(
    zh="申请 {request} 已付款（{paid}），不得重复付款",
    en="request {request} is already paid ({paid}); it is paid once",
)
AMOUNT = Text(
    zh="付款金额 {amount} 与申请 {request} 批准的金额 {approved} 不一致",
    en="the payment of {amount} is not the amount approved on {request} ({approved})",
)


def completed_at(approval: ApprovalState) -> datetime | None:
    """When the route was complete: every step approved, in order, none rejected; else None.

    Recomputed from the steps taken, never taken from the status alone.
    """
    if approval.status != "approved":
        return None
    history = approval.history
    if any(action.verdict is Verdict.REJECT for action in history):
        return None
    if [action.step for action in history] != list(range(approval.steps)):
        return None
    return max((action.at for action in history), default=approval.submitted_at)


def check_payment(payment: Payment, _policy: Policy) -> Iterator[Finding]:
    """Every FIN-06 condition, each its own finding."""
    approval = payment.approval
    request = approval.request.id
    done = completed_at(approval)
    if done is None:
        approved = sum(1 for a in approval.history if a.verdict is Verdict.APPROVE)
        facts: dict[str, Fact] = {
            "request": request,
            "status": approval.status,
            "approved": approved,
            "steps": approval.steps,
        }
        yield Finding("FIN-06", Severity.DENY, INCOMPLETE, facts)
    elif payment.at < done:
        facts = {"request": request, "at": payment.at.isoformat(), "completed": done.isoformat()}
        yield Finding("FIN-06", Severity.DENY, EARLY, facts)
    approvers = {a.actor for a in approval.history} | {
        a.on_behalf_of for a in approval.history if a.on_behalf_of
    }
    if payment.payer in approvers:
        yield Finding(
            "FIN-06", Severity.DENY, APPROVER, {"payer": payment.payer, "request": request}
        )
    earlier = sorted(set(payment.paid) - {payment.id})
    if earlier:
        facts = {"request": request, "paid": ", ".join(earlier)}
        yield Finding("FIN-06", Severity.DENY, PAID, facts)
    if payment.amount != approval.request.amount:
        facts = {
            "request": request,
            "amount": str(payment.amount),
            "approved": str(approval.request.amount),
        }
        yield Finding("FIN-06", Severity.DENY, AMOUNT, facts)

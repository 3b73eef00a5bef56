"""The HR rules (HR-01, HR-02, HR-04, HR-05); HR-03 is kept by the store (training files)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.policy import Policy
from agency_core.transitions import TransitionCheck
from agency_hr.deadlines import due_on
from agency_hr.entities import Appeal, Clearance, LeaveCheck, Resignation
from agency_hr.policy import HrPolicy

__all__ = ["RESIGNATION", "check_appeal", "check_clearance", "check_leave", "check_resignation"]

RESIGNATION = "resignation"
"""The subject kind of a resignation's state machine."""

DENY = Severity.DENY

LATE_REQUEST = Text(
    zh="请假 {leave} 于 {requested_on} 申请，应不晚于 {latest}（提前 {days} 天）",
    en="leave {leave} was requested on {requested_on}; it had to be by {latest} "
    "({days} days in advance)",
)
FOREIGN_APPROVAL = Text(
    zh="审批 {approval}（事项 {action}，申请人 {requester}）不是请假 {leave} 的审批",
    en="approval {approval} (action {action}, requester {requester}) is not the approval of "
    "leave {leave}",
)
NOT_APPROVED = Text(
    zh="请假 {leave} 未经批准（审批状态：{status}），不得离岗",
    en="leave {leave} is not approved (approval: {status}); it may not begin",
)
NEEDS_APPROVAL = Text(
    zh="请假 {leave} 须按审批流程批准后方可休假",
    en="leave {leave} must be approved before it begins",
)
NOT_IN_WRITING = Text(
    zh="辞职 {resignation} 未以书面形式提出", en="resignation {resignation} was not made in writing"
)
SHORT_NOTICE = Text(
    zh="辞职 {resignation} 于 {submitted_on} 提出，最后工作日 {last_day} 早于 {earliest}"
    "（须提前 {days} 天）",
    en="resignation {resignation} submitted on {submitted_on} ends on {last_day}, before "
    "{earliest} ({days} days' notice)",
)
NOT_CLEARED = Text(
    zh="辞职 {resignation} 尚未完成：{missing}",
    en="resignation {resignation} cannot complete before: {missing}",
)
LATE_APPEAL = Text(
    zh="绩效申诉 {appeal} 于 {filed_on} 提出，超过申诉期限 {last_day}（结果通知后 {days} 天）",
    en="performance appeal {appeal} filed on {filed_on} is past its last day {last_day} "
    "({days} days after the result)",
)


def _hr(policy: Policy) -> HrPolicy:
    return policy.section("hr", HrPolicy)


def check_leave(check: LeaveCheck, policy: Policy) -> Iterator[Finding]:
    """HR-01: requested in advance; approved (the stored approval) before the first day."""
    spec, leave = _hr(policy), check.leave
    latest = leave.starts_on - timedelta(days=spec.leave_notice_days)
    if leave.requested_on > latest:
        facts: dict[str, Fact] = {
            "leave": leave.id,
            "requested_on": leave.requested_on.isoformat(),
            "latest": latest.isoformat(),
            "days": spec.leave_notice_days,
        }
        yield Finding("HR-01", DENY, LATE_REQUEST, facts)
    approval = check.approval
    if approval is not None and (
        approval.id != leave.id
        or approval.action != spec.leave_action
        or approval.requester != leave.employee
    ):
        facts = {
            "approval": approval.id,
            "action": approval.action,
            "requester": approval.requester,
            "leave": leave.id,
        }
        yield Finding("HR-01", DENY, FOREIGN_APPROVAL, facts)
        return
    status = approval.status if approval is not None else "none"
    if status == "approved":
        return
    if status == "rejected" or check.on >= leave.starts_on:
        yield Finding("HR-01", DENY, NOT_APPROVED, {"leave": leave.id, "status": status})
    else:
        yield Finding("HR-01", Severity.APPROVAL, NEEDS_APPROVAL, {"leave": leave.id})


def check_resignation(check: Resignation, policy: Policy) -> Iterator[Finding]:
    """HR-05: in writing, the notice period (probation's when on probation) in advance."""
    spec = _hr(policy)
    if not check.in_writing:
        yield Finding("HR-05", DENY, NOT_IN_WRITING, {"resignation": check.id})
    days = spec.probation_notice_days if check.on_probation else spec.resignation_notice_days
    earliest = due_on(policy, check.submitted_on, days)
    if check.last_day < earliest:
        facts: dict[str, Fact] = {
            "resignation": check.id,
            "submitted_on": check.submitted_on.isoformat(),
            "last_day": check.last_day.isoformat(),
            "earliest": earliest.isoformat(),
            "days": days,
        }
        yield Finding("HR-05", DENY, SHORT_NOTICE, facts)


def check_clearance(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """HR-02: a resignation completes only once every clearance item is done."""
    if check.subject_kind != RESIGNATION or check.to_state != "completed":
        return
    done = check.data.done if isinstance(check.data, Clearance) else ()
    missing = [item for item in _hr(policy).clearance_items if item not in done]
    if missing:
        facts = {"resignation": check.subject, "missing": ", ".join(missing)}
        yield Finding("HR-02", DENY, NOT_CLEARED, facts)


def check_appeal(check: Appeal, policy: Policy) -> Iterator[Finding]:
    """HR-04: an appeal is accepted only within the window after the result is notified."""
    days = _hr(policy).appeal_window_days
    last_day = due_on(policy, check.notified_on, days)
    if check.filed_on > last_day:
        facts: dict[str, Fact] = {
            "appeal": check.id,
            "filed_on": check.filed_on.isoformat(),
            "last_day": last_day.isoformat(),
            "days": days,
        }
        yield Finding("HR-04", DENY, LATE_APPEAL, facts)

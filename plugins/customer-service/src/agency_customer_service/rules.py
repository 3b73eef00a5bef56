"""The customer-service controls CS-01..CS-06 as findings.

CS-01 checks a complaint as recorded; the others guard the moves of the ``complaint``,
``inquiry`` and ``follow_up`` machines (see :mod:`agency_customer_service.machines`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.policy import Policy
from agency_core.transitions import TransitionCheck
from agency_customer_service.deadlines import due_on, local_day
from agency_customer_service.entities import (
    ClientResponse,
    Complaint,
    ComplaintFacts,
    InquiryFacts,
    VisitFacts,
)
from agency_customer_service.policy import CustomerServicePolicy

__all__ = ["SECTION", "check_complaint", "check_move", "settings"]

SECTION = "customer_service"
DENY, WARNING = Severity.DENY, Severity.WARNING

MISSING = Text(
    zh="投诉 {complaint} 记录不全：缺少{missing_zh}",
    en="complaint {complaint} is recorded without its {missing}",
)
LATE_RECORD = Text(
    zh="投诉 {complaint} 接到后 {hours} 小时才记录，应在 {limit} 小时内立即记录",
    en="complaint {complaint} was recorded {hours} hours after it was received; the limit is "
    "{limit} hours",
)
NO_FACTS = Text(
    zh="{subject} 转入 {to_state} 缺少所需事实",
    en="{subject} cannot go to {to_state} without its facts",
)
NO_DEPARTMENT = Text(
    zh="投诉 {subject} 未明确责任部门",
    en="complaint {subject} is assigned without a responsible department",
)
NO_DEADLINE = Text(
    zh="投诉 {subject} 未明确处理期限",
    en="complaint {subject} is assigned without a handling deadline",
)
LATE_DEADLINE = Text(
    zh="投诉 {subject} 的处理期限 {due_on} 晚于 {days} 个工作日的期限 {limit}",
    en="complaint {subject} is given until {due_on}, later than {days} working days ({limit})",
)
NOT_OVERDUE = Text(
    zh="投诉 {subject} 处理期限 {due_on} 未过，不需升级",
    en="complaint {subject} is not overdue (due {due_on}) and is not escalated",
)
ESCALATE_FIRST = Text(
    zh="投诉 {subject} 已超过处理期限 {due_on}，须先升级处理",
    en="complaint {subject} is past its deadline {due_on}: escalate it first",
)
NO_PLAN = Text(
    zh="投诉 {subject} 没有记录处理方案",
    en="complaint {subject} has no recorded handling plan",
)
NO_RESPONSE = Text(
    zh="投诉 {subject} 未记录客户对处理方案的意见，不能结案",
    en="complaint {subject} cannot close without the client's response to the plan",
)
UNSATISFIED = Text(
    zh="客户对投诉 {subject} 的处理方案不满意，应重新处理而非结案",
    en="the client is not satisfied with the plan for complaint {subject}: reopen it, do not "
    "close it",
)
REOPEN_SATISFIED = Text(
    zh="客户未表示不满意，投诉 {subject} 不能重新处理",
    en="complaint {subject} is reopened only when the client is not satisfied",
)
LATE_FEEDBACK = Text(
    zh="投诉 {subject} 的处理方案应在 {due_on} 前反馈客户，实际为 {on}",
    en="the plan for complaint {subject} was due to the client by {due_on}, told on {on}",
)
NO_ANSWER = Text(
    zh="咨询 {subject} 没有答复内容",
    en="inquiry {subject} is marked answered without an answer",
)
LATE_ANSWER = Text(
    zh="咨询 {subject} 应在 {due_on} 前答复，实际为 {on}",
    en="inquiry {subject} was due by {due_on}, answered on {on}",
)
NO_OUTCOME = Text(
    zh="回访 {subject} 没有记录客户意见",
    en="follow-up visit {subject} is recorded without what the client said",
)
BEFORE_DELIVERY = Text(
    zh="回访 {subject} 早于交付",
    en="follow-up visit {subject} is dated before the delivery",
)

_FIELDS_ZH = {"content": "投诉事项", "demand": "客户诉求", "contact": "联系方式"}
_CONTROL_OF = {
    ("complaint", "assigned"): "CS-02",
    ("complaint", "escalated"): "CS-03",
    ("complaint", "planned"): "CS-04",
    ("complaint", "informed"): "CS-06",
    ("complaint", "closed"): "CS-04",
    ("inquiry", "answered"): "CS-06",
    ("follow_up", "visited"): "CS-05",
}
_DATA = {"complaint": ComplaintFacts, "inquiry": InquiryFacts, "follow_up": VisitFacts}


def settings(policy: Policy) -> CustomerServicePolicy:
    """The ``customer_service`` section of ``policy``."""
    return policy.section(SECTION, CustomerServicePolicy)


def check_complaint(complaint: Complaint, policy: Policy) -> Iterator[Finding]:
    """CS-01: a complaint is recorded at once, with its content, demand and contact."""
    missing = [name for name in _FIELDS_ZH if not getattr(complaint, name).strip()]
    if missing:
        facts: dict[str, Fact] = {
            "complaint": complaint.id,
            "missing": ", ".join(missing),
            "missing_zh": "、".join(_FIELDS_ZH[name] for name in missing),
        }
        yield Finding("CS-01", DENY, MISSING, facts)
    limit = settings(policy).record_within_hours
    delay = complaint.recorded_at - complaint.received_at
    if delay > timedelta(hours=limit):
        hours = int(delay / timedelta(hours=1))
        late: dict[str, Fact] = {"complaint": complaint.id, "hours": hours, "limit": limit}
        yield Finding("CS-01", DENY, LATE_RECORD, late)


def check_move(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """The guards of the plugin's machines; nothing for another subject kind."""
    data = _DATA.get(check.subject_kind)
    if data is None:
        return
    if not isinstance(check.data, data):
        control = _CONTROL_OF.get((check.subject_kind, check.to_state))
        if control is not None:
            facts: dict[str, Fact] = {"subject": check.subject, "to_state": check.to_state}
            yield Finding(control, DENY, NO_FACTS, facts)
        return
    if isinstance(check.data, ComplaintFacts):
        yield from _complaint(check, check.data, policy)
    elif isinstance(check.data, InquiryFacts):
        yield from _inquiry(check, check.data, policy)
    elif isinstance(check.data, VisitFacts):
        yield from _visit(check, check.data)


def _complaint(check: TransitionCheck, facts: ComplaintFacts, policy: Policy) -> Iterator[Finding]:
    subject, to, on = check.subject, check.to_state, local_day(policy, check.at)
    base: dict[str, Fact] = {"subject": subject}
    overdue = facts.due_on is not None and on > facts.due_on
    due: dict[str, Fact] = {**base, "due_on": str(facts.due_on)}
    if to == "assigned":
        yield from _assigned(check, facts, policy)
    elif to == "escalated" and not overdue:
        yield Finding("CS-03", DENY, NOT_OVERDUE, due)
    elif to == "planned":
        if not facts.plan.strip():
            yield Finding("CS-04", DENY, NO_PLAN, base)
        if check.from_state == "assigned" and overdue:
            yield Finding("CS-03", DENY, ESCALATE_FIRST, due)
    elif to == "informed":
        if not facts.plan.strip():
            yield Finding("CS-04", DENY, NO_PLAN, base)
        if facts.feedback_due_on is not None and on > facts.feedback_due_on:
            late = {**base, "due_on": str(facts.feedback_due_on), "on": str(on)}
            yield Finding("CS-06", WARNING, LATE_FEEDBACK, late)
    elif to == "closed":
        if not facts.plan.strip():
            yield Finding("CS-04", DENY, NO_PLAN, base)
        if facts.response is None:
            yield Finding("CS-04", DENY, NO_RESPONSE, base)
        elif facts.response is ClientResponse.UNSATISFIED:
            yield Finding("CS-04", DENY, UNSATISFIED, base)


def _assigned(check: TransitionCheck, facts: ComplaintFacts, policy: Policy) -> Iterator[Finding]:
    """CS-02 (department and deadline), and CS-04 when an unsatisfied client reopens it."""
    base: dict[str, Fact] = {"subject": check.subject}
    start = facts.received_at
    if check.from_state != "received":  # reopened: a new period from the client's answer
        start = check.at
        if facts.response is not ClientResponse.UNSATISFIED:
            yield Finding("CS-04", DENY, REOPEN_SATISFIED, base)
    if facts.department is None:
        yield Finding("CS-02", DENY, NO_DEPARTMENT, base)
    if facts.due_on is None:
        yield Finding("CS-02", DENY, NO_DEADLINE, base)
        return
    days = settings(policy).handling_days
    limit = due_on(policy, start, days)
    if facts.due_on > limit:
        late = {**base, "due_on": str(facts.due_on), "days": days, "limit": str(limit)}
        yield Finding("CS-02", DENY, LATE_DEADLINE, late)


def _inquiry(check: TransitionCheck, facts: InquiryFacts, policy: Policy) -> Iterator[Finding]:
    base: dict[str, Fact] = {"subject": check.subject}
    if not facts.answer.strip():
        yield Finding("CS-06", DENY, NO_ANSWER, base)
    on = local_day(policy, check.at)
    if facts.due_on is not None and on > facts.due_on:
        late = {**base, "due_on": str(facts.due_on), "on": str(on)}
        yield Finding("CS-06", WARNING, LATE_ANSWER, late)


def _visit(check: TransitionCheck, facts: VisitFacts) -> Iterator[Finding]:
    base: dict[str, Fact] = {"subject": check.subject}
    if not facts.outcome.strip():
        yield Finding("CS-05", DENY, NO_OUTCOME, base)
    if check.at < facts.delivered_at:
        yield Finding("CS-05", DENY, BEFORE_DELIVERY, base)

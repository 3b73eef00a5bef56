"""The business department's rules: the intake check and the guards of a case's transitions.

Each guard returns the findings of the control it keeps, with the facts it used; a guard that
finds nothing returns an empty list. Facts are JSON scalars: sets are listed sorted, comma-joined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final

from agency_business.entities import CaseFacts, CaseIntake
from agency_business.policy import BusinessPolicy
from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.transitions import TransitionCheck

__all__ = ["GUARDS", "check_intake", "guard"]

_OUT_OF_SCOPE = Text(
    zh="事项 {service_item} 不在本公司经营范围内（{scope}），不得承接",
    en="service item {service_item} is outside the firm's business scope ({scope}); it cannot be "
    "taken on",
)
_MISSING = Text(
    zh="申请材料不齐全，一次性告知客户补充以下 {count} 项材料：{missing}",
    en="the application is incomplete; tell the client at once every material to add "
    "({count}): {missing}",
)
_COMPLETE = Text(
    zh="申请材料齐全：{service_item} 所需 {count} 项材料均已提交",
    en="the application is complete: all {count} materials {service_item} needs are in",
)
_NOTICE_NOT_ALL = Text(
    zh="补正通知必须一次性列明全部缺少的材料：缺少 {missing}，通知列明 {listed}",
    en="a notice must list every missing material at once: missing {missing}, the notice lists "
    "{listed}",
)
_NO_NUMBER = Text(
    zh="受理的申请必须按规定编号（{prefix}-年份-序号），案件 {subject} 的编号为 {number}",
    en="an accepted application gets a number under the scheme {prefix}-YYYY-NNNNNN; case "
    "{subject} has {number}",
)
_INTAKE_NOT_APPROVED = Text(
    zh="业务承接申请未经审批通过（{approval}），不得签订合同",
    en="the intake application is not approved ({approval}); the contract may not be signed",
)
_PLAN_NOT_APPROVED = Text(
    zh="执行计划未经审核通过（{approval}），不得按计划开展工作",
    en="the execution plan is not approved ({approval}); work may not start on it",
)
_CHANGE_NOT_APPROVED = Text(
    zh="执行计划的调整未经批准（{approval}），不得恢复工作",
    en="the change to the execution plan is not approved ({approval}); work may not resume",
)
_NO_TASKS = Text(
    zh="执行计划没有任何任务：每个环节都要明确责任人和完成时间",
    en="the execution plan has no task: every step needs an owner and a deadline",
)
_OPEN_TASKS = Text(
    zh="还有 {open_tasks} 项任务未完成，不能办结",
    en="{open_tasks} tasks are still open; the work is not complete",
)
_BAD_CHANNEL = Text(
    zh="办理结果通知方式 {channel} 不在规定方式之内（{channels}）",
    en="the client was not notified of the result by an allowed channel: {channel} (allowed: "
    "{channels})",
)
_NOT_HANDED = Text(
    zh="交付时须向客户提供办理结果的证明文件并告知注意事项，尚缺：{missing}",
    en="delivery hands the client the proof documents and the aftercare notes; missing: {missing}",
)
_NO_STATEMENT = Text(
    zh="结算须先向客户出具结算清单并经客户确认（清单 {issued}，确认 {confirmed}）",
    en="settlement starts with a statement given to the client and the client's confirmation "
    "(statement {issued}, confirmed {confirmed})",
)
_NOT_APPROVED_BY = Text(
    zh="结算申请须依次经 {roles} 审核通过，目前已审核：{approved}（审批状态 {approval}）",
    en="the settlement must be approved by {roles} in that order; approved so far: {approved} "
    "(approval {approval})",
)
_NO_INVOICE = Text(
    zh="财务审核通过后须开具发票，才能记为已开票",
    en="an invoice must be issued once finance has approved the settlement",
)
_FILE_INCOMPLETE = Text(
    zh="业务档案不完整，不能结案：缺少 {missing_parts}；缺少申请材料 {missing_materials}",
    en="the case file is incomplete and the case may not close: missing parts {missing_parts}; "
    "missing application materials {missing_materials}",
)

_NONE: Final = "-"


def _listed(items: Iterable[str]) -> str:
    return ", ".join(sorted(items)) or _NONE


def _deny(control: str, text: Text, **facts: Fact) -> Finding:
    return Finding(control, Severity.DENY, text, facts)


# -- intake (BIZ-01, BIZ-02) ---------------------------------------------------------------------


def _scope(service_item: str, policy: BusinessPolicy) -> list[Finding]:
    if service_item in policy.services:
        return []
    return [
        _deny("BIZ-01", _OUT_OF_SCOPE, service_item=service_item, scope=_listed(policy.services))
    ]


def _missing(service_item: str, submitted: frozenset[str], policy: BusinessPolicy) -> list[str]:
    return sorted(policy.materials(service_item) - submitted)


def check_intake(intake: CaseIntake, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-01 and BIZ-02 on an application: in scope, and every missing material in one finding."""
    out = _scope(intake.service_item, policy)
    if out:
        return out
    missing = _missing(intake.service_item, intake.submitted, policy)
    if missing:
        return [_deny("BIZ-02", _MISSING, count=len(missing), missing=", ".join(missing))]
    required = len(policy.materials(intake.service_item))
    facts: dict[str, Fact] = {"service_item": intake.service_item, "count": required}
    return [Finding("BIZ-02", Severity.INFO, _COMPLETE, facts)]


# -- the guards of a case's transitions ----------------------------------------------------------

Guard = Callable[[TransitionCheck, CaseFacts, BusinessPolicy], list[Finding]]


def _notice(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-01, BIZ-02: a notice for an application in scope lists exactly what is missing."""
    out = _scope(facts.service_item, policy)
    if out:
        return out
    missing = _missing(facts.service_item, facts.materials, policy)
    listed = sorted(facts.notice or ())
    if not missing or listed != missing:
        return [_deny("BIZ-02", _NOTICE_NOT_ALL, missing=_listed(missing), listed=_listed(listed))]
    return []


def _accept(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-01, BIZ-02, BIZ-03: in scope, complete, numbered."""
    findings = _scope(facts.service_item, policy)
    missing = _missing(facts.service_item, facts.materials, policy)
    if not findings and missing:
        findings.append(_deny("BIZ-02", _MISSING, count=len(missing), missing=", ".join(missing)))
    prefix = policy.case_number_prefix
    number = facts.case_number
    if number is None or not re.fullmatch(rf"{prefix}-[0-9]{{4}}-[0-9]{{6}}", number):
        findings.append(
            _deny("BIZ-03", _NO_NUMBER, prefix=prefix, subject=check.subject, number=number)
        )
    return findings


def _intake(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-07: the intake application is approved, and the contract signed only on it."""
    if facts.intake_approval == "approved":
        return []
    return [_deny("BIZ-07", _INTAKE_NOT_APPROVED, approval=facts.intake_approval or "none")]


def _plan(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-07: the plan is approved before anyone works on it."""
    if facts.plan_approval == "approved":
        return []
    return [_deny("BIZ-07", _PLAN_NOT_APPROVED, approval=facts.plan_approval or "none")]


def _work(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-07 (a change approved before work resumes), BIZ-04 (the plan has owned tasks)."""
    findings = []
    if check.from_state == "replanning" and facts.plan_change_approval != "approved":
        approval = facts.plan_change_approval or "none"
        findings.append(_deny("BIZ-07", _CHANGE_NOT_APPROVED, approval=approval))
    if facts.tasks == 0:
        findings.append(_deny("BIZ-04", _NO_TASKS))
    return findings


def _complete(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-04: the work is complete only when every task is."""
    if facts.open_tasks == 0:
        return []
    return [_deny("BIZ-04", _OPEN_TASKS, open_tasks=facts.open_tasks)]


def _notify(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-06: the client is told the result by one of the policy's channels."""
    if facts.notified_via in policy.notify_channels:
        return []
    return [
        _deny(
            "BIZ-06",
            _BAD_CHANNEL,
            channel=facts.notified_via or _NONE,
            channels=", ".join(policy.notify_channels),
        )
    ]


def _deliver(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-09: the proof documents and the aftercare notes are handed over."""
    missing = set(policy.handover) - facts.handed_over
    return [_deny("BIZ-09", _NOT_HANDED, missing=_listed(missing))] if missing else []


def _confirm(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-05 (with FEE-07): the client confirms a settlement statement given to them before."""
    issued, confirmed = facts.statement_issued_at, facts.client_confirmed_at
    if issued is not None and confirmed is not None and issued <= confirmed <= check.at:
        return []
    return [
        _deny(
            "BIZ-05",
            _NO_STATEMENT,
            issued=issued.isoformat() if issued else _NONE,
            confirmed=confirmed.isoformat() if confirmed else _NONE,
        )
    ]


def _approved_by(facts: CaseFacts, roles: tuple[str, ...], whole: bool) -> list[Finding]:
    approved = facts.settlement_approved_by
    in_order = approved[: len(roles)] == roles
    if in_order and (not whole or facts.settlement_approval == "approved"):
        return []
    return [
        _deny(
            "BIZ-05",
            _NOT_APPROVED_BY,
            roles=" → ".join(roles),
            approved=" → ".join(approved) or _NONE,
            approval=facts.settlement_approval or "none",
        )
    ]


def _manager(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-05: the department manager approves the settlement first."""
    return _approved_by(facts, (policy.settlement_manager_role,), whole=False)


def _finance(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-05: then finance, which completes the settlement's approval."""
    roles = (policy.settlement_manager_role, policy.settlement_finance_role)
    return _approved_by(facts, roles, whole=True)


def _invoice(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-05: the invoice comes last (the store checks it against the charges, FEE-05)."""
    return [] if facts.invoice_id is not None else [_deny("BIZ-05", _NO_INVOICE)]


def _close(check: TransitionCheck, facts: CaseFacts, policy: BusinessPolicy) -> list[Finding]:
    """BIZ-08: the file holds every part, and the application materials are all there."""
    parts = set(policy.file_parts) - facts.file_parts
    materials = set(_missing(facts.service_item, facts.materials, policy))
    if not parts and not materials:
        return []
    return [
        _deny(
            "BIZ-08",
            _FILE_INCOMPLETE,
            missing_parts=_listed(parts),
            missing_materials=_listed(materials),
        )
    ]


GUARDS: Final[dict[str, tuple[str, Guard]]] = {
    "materials_requested": ("BIZ-02", _notice),
    "accepted": ("BIZ-03", _accept),
    "intake_approved": ("BIZ-07", _intake),
    "contracted": ("BIZ-07", _intake),
    "planned": ("BIZ-07", _plan),
    "in_progress": ("BIZ-07", _work),
    "completed": ("BIZ-04", _complete),
    "notified": ("BIZ-06", _notify),
    "delivered": ("BIZ-09", _deliver),
    "client_confirmed": ("BIZ-05", _confirm),
    "manager_approved": ("BIZ-05", _manager),
    "finance_approved": ("BIZ-05", _finance),
    "invoiced": ("BIZ-05", _invoice),
    "closed": ("BIZ-08", _close),
}
"""The guard of each state a case enters, under its main control; the other states need no
facts beyond the order the machine keeps."""

_NO_FACTS = Text(
    zh="案件 {subject} 转入 {state} 需要案件事实（data），但未提供",
    en="case {subject} cannot enter {state} without the case's facts (data)",
)


def guard(check: TransitionCheck, policy: BusinessPolicy) -> list[Finding]:
    """The findings of the guard of the state ``check`` enters; facts missing deny (fail closed)."""
    entry = GUARDS.get(check.to_state)
    if entry is None:
        return []
    control, rule = entry
    if not isinstance(check.data, CaseFacts):
        return [_deny(control, _NO_FACTS, subject=check.subject, state=check.to_state)]
    return rule(check, check.data, policy)

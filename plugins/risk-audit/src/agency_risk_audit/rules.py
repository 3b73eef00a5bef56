"""RSK-01..03 and AUD-01..02: the checks behind the register, the indicators and the audits."""

from __future__ import annotations

from collections.abc import Iterator

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.policy import Policy
from agency_core.transitions import TransitionCheck
from agency_risk_audit.entities import AuditFacts, FindingFacts, IndicatorReading, Risk
from agency_risk_audit.policy import RiskAuditPolicy

__all__ = ["AUDIT", "FINDING", "check_audit", "check_finding", "check_reading", "check_risk"]

AUDIT = "audit"
FINDING = "audit_finding"
SECTION = "risk_audit"

SCORED = Text(
    zh="风险 {risk} 评分 {likelihood}×{impact}={score}，等级 {band}",
    en="risk {risk} scores {likelihood}x{impact}={score}: {band}",
)
NO_RESPONSE = Text(
    zh="风险 {risk} 没有应对策略（可选：{responses}）",
    en="risk {risk} has no response (one of {responses})",
)
BAD_RESPONSE = Text(
    zh="风险 {risk} 的应对策略 {response} 不在政策所列（{responses}）之内",
    en="risk {risk} has the response {response}, not one of {responses}",
)
NO_OWNER = Text(zh="风险 {risk} 没有责任人", en="risk {risk} has no owner")
ALERT = Text(
    zh="预警指标 {indicator} 读数 {value} 已达到阈值 {threshold}，发出预警",
    en="indicator {indicator} read {value}, reaching its threshold {threshold}: alert",
)
NO_PLAN = Text(
    zh="审计 {audit} 的审计方案缺少：{missing}",
    en="audit {audit} has no plan: {missing} missing",
)
OWN_DEPARTMENT = Text(
    zh="{auditor} 属于被审计部门 {department}，不得参与该审计（审计独立性）",
    en="{auditor} belongs to the audited department {department} and cannot audit it",
)
NO_REPORT = Text(zh="审计 {audit} 没有审计报告", en="audit {audit} has no report")
NO_FACTS = Text(
    zh="{subject} 的状态变更缺少所需事实（{needed}）",
    en="{subject} cannot move without its facts ({needed})",
)
OWN_FINDING = Text(
    zh="{actor} 是问题 {finding} 的整改责任人，不能自行销号",
    en="{actor} owns finding {finding} and cannot close it",
)


def check_risk(risk: Risk, policy: Policy) -> Iterator[Finding]:
    """RSK-01: the band the score falls in; RSK-02: a response of the policy and an owner."""
    section = policy.section(SECTION, RiskAuditPolicy)
    band = section.band(risk.score)
    facts: dict[str, Fact] = {
        "risk": risk.id,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "band": band.name,
    }
    yield Finding("RSK-01", Severity.INFO, SCORED, facts)
    responses = ", ".join(section.responses)
    if risk.response is None:
        yield Finding(
            "RSK-02", Severity.DENY, NO_RESPONSE, {"risk": risk.id, "responses": responses}
        )
    elif risk.response not in section.responses:
        facts = {"risk": risk.id, "response": risk.response, "responses": responses}
        yield Finding("RSK-02", Severity.DENY, BAD_RESPONSE, facts)
    if risk.owner is None:
        yield Finding("RSK-02", Severity.DENY, NO_OWNER, {"risk": risk.id})


def check_reading(reading: IndicatorReading) -> Iterator[Finding]:
    """RSK-03: a reading that reaches its threshold raises an alert (a WARNING finding)."""
    if reading.reached:
        facts = {
            "indicator": reading.indicator,
            "value": str(reading.value),
            "threshold": str(reading.threshold),
        }
        yield Finding("RSK-03", Severity.WARNING, ALERT, facts)


def _facts(check: TransitionCheck, kind: type, control: str) -> Finding | None:
    if isinstance(check.data, kind):
        return None
    facts = {"subject": check.subject, "needed": kind.__name__}
    return Finding(control, Severity.DENY, NO_FACTS, facts)


def check_audit(check: TransitionCheck) -> Iterator[Finding]:
    """AUD-02: fieldwork only on a complete plan, by nobody of the audited department; a report."""
    missing = _facts(check, AuditFacts, "AUD-02")
    if missing is not None:
        yield missing
        return
    facts: AuditFacts = check.data
    if check.to_state == "fieldwork":
        absent = [n for n in ("scope", "content", "method") if not getattr(facts, n).strip()]
        if absent:
            yield Finding(
                "AUD-02",
                Severity.DENY,
                NO_PLAN,
                {"audit": check.subject, "missing": ", ".join(absent)},
            )
        for person in (*facts.auditors, check.actor):
            if person.department == facts.audited_department:
                yield Finding(
                    "AUD-02",
                    Severity.DENY,
                    OWN_DEPARTMENT,
                    {"auditor": person.id, "department": facts.audited_department},
                )
    elif check.to_state == "reported" and not facts.report.strip():
        yield Finding("AUD-02", Severity.DENY, NO_REPORT, {"audit": check.subject})


def check_finding(check: TransitionCheck) -> Iterator[Finding]:
    """AUD-01: a finding is closed only by someone other than its owner."""
    if check.to_state != "closed":
        return
    missing = _facts(check, FindingFacts, "AUD-01")
    if missing is not None:
        yield missing
        return
    if check.actor.id == check.data.owner:
        yield Finding(
            "AUD-01",
            Severity.DENY,
            OWN_FINDING,
            {"actor": check.actor.id, "finding": check.subject},
        )

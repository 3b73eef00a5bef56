"""What a replacement of the risk and audit plugin must keep, for the conformance kit
(RSK-01..RSK-03, AUD-01..AUD-02).

The oracles read the plugin's own policy section (``[plugins.risk_audit]``: its bands and
responses; the shipped defaults when a replacement has none), never its functions. The spaces are
small, so most properties enumerate them whole: every likelihood x impact, every response x
owner, every transition of both machines x actors of the audited department or not x blank
(full-width space) or filled plan fields; readings one step either side of their threshold in
both directions are enumerated and sampled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from agency_core.decision import Decision, Outcome, Severity
from agency_core.entities import Employee
from agency_core.errors import PluginError
from agency_core.testing.conformance import Property, Subject, Violation
from agency_core.transitions import Move, TransitionCheck
from agency_risk_audit.entities import AuditFacts, FindingFacts, IndicatorReading, Risk
from agency_risk_audit.policy import RiskAuditPolicy

__all__ = ["PROPERTIES"]

SECTION = "risk_audit"
AUDIT, FINDING = "audit", "audit_finding"
AT = datetime(2024, 2, 29, 23, 30, tzinfo=UTC)
BLANKS = ("", " ", "\u3000")
"""Plan fields and reports that say nothing: empty, a space, a full-width space (全角空格)."""
AUDITED = "销售部"
"""The audited department (a Chinese id)."""


def _spec(subject: Subject) -> RiskAuditPolicy:
    try:
        return subject.engine.policy.section(SECTION, RiskAuditPolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return RiskAuditPolicy()


def _denies(decision: Decision, control: str) -> bool:
    return any(f.control == control and f.severity is Severity.DENY for f in decision.findings)


def _expect(control: str, deny: bool, example: object, decision: Decision, why: str) -> None:
    """Fail unless ``decision`` denies under ``control`` exactly when ``deny`` (and then denies)."""
    found = _denies(decision, control)
    if deny and not (found and decision.outcome is Outcome.DENY):
        problem = f"must deny with {control}, got {decision.outcome.value}"
    elif not deny and found:
        problem = f"must not deny with {control}"
    else:
        return
    raise Violation(control, f"{problem} ({why})", example, [decision])


# --- RSK-01, RSK-02: the register -----------------------------------------------------------------


def _risk(likelihood: int, impact: int, response: str | None, owner: str | None) -> Risk:
    return Risk("风险-1", "客户资料泄露", AUDITED, likelihood, impact, response, owner)


def _scores(subject: Subject, _thorough: bool) -> Iterable[Risk]:
    """Every likelihood x impact, on a risk that is otherwise complete."""
    response = _spec(subject).responses[0]
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            yield _risk(likelihood, impact, response, "风控-王")


def _rsk01(subject: Subject, risk: Risk) -> None:
    decision = subject.engine.decide(risk)
    score = risk.likelihood * risk.impact
    bands = [b.name for b in _spec(subject).bands if b.low <= score <= b.high]
    rated = [f.facts.get("band") for f in decision.findings if f.control == "RSK-01"]
    if rated != bands[:1]:
        raise Violation(
            "RSK-01",
            f"a score of {risk.likelihood}x{risk.impact}={score} is rated {bands[:1]}, not {rated}",
            risk,
            [decision],
        )


def _responses(subject: Subject, _thorough: bool) -> Iterable[Risk]:
    """Every response of the policy, none, and responses it does not list x an owner or none."""
    listed = _spec(subject).responses
    for response in (*listed, None, "ignore", "接受", listed[0].upper()):
        for owner in ("风控-王", None):
            yield _risk(4, 5, response, owner)


def _rsk02(subject: Subject, risk: Risk) -> None:
    decision = subject.engine.decide(risk)
    listed = _spec(subject).responses
    missing = []
    if risk.response not in listed:
        missing.append(f"response {risk.response!r} is not one of {list(listed)}")
    if risk.owner is None:
        missing.append("no owner")
    _expect("RSK-02", bool(missing), risk, decision, "; ".join(missing) or "complete")


# --- RSK-03: warning indicators -----------------------------------------------------------------


STEP = Decimal("0.0001")


def _reading(threshold: Decimal, value: Decimal, direction: str) -> IndicatorReading:
    return IndicatorReading("指标-逾期率", threshold, value, AT, direction)


def _thresholds(_subject: Subject, _thorough: bool) -> Iterable[IndicatorReading]:
    """Both directions x thresholds below, at and above zero x one step either side and on it."""
    for direction in ("at_or_above", "at_or_below"):
        for threshold in (Decimal("-5"), Decimal(0), Decimal("0.15"), Decimal(1000000)):
            for delta in (-STEP, Decimal(0), STEP):
                yield _reading(threshold, threshold + delta, direction)


def _readings(_subject: Subject) -> st.SearchStrategy[IndicatorReading]:
    numbers = st.decimals(-(10**6), 10**6, places=4)
    return st.builds(
        lambda threshold, delta, direction: _reading(threshold, threshold + delta, direction),
        numbers,
        st.sampled_from([-STEP, Decimal(0), STEP]) | numbers,
        st.sampled_from(["at_or_above", "at_or_below"]),
    )


def _rsk03(subject: Subject, reading: IndicatorReading) -> None:
    decision = subject.engine.decide(reading)
    above = reading.direction == "at_or_above"
    reached = reading.value >= reading.threshold if above else reading.value <= reading.threshold
    alerts = [f for f in decision.findings if f.control == "RSK-03"]
    alerted = any(f.severity in (Severity.WARNING, Severity.APPROVAL) for f in alerts)
    if reached != alerted or decision.outcome is Outcome.DENY:
        want = "an alert" if reached else "no alert"
        raise Violation(
            "RSK-03",
            f"{reading.value} against {reading.threshold} ({reading.direction}) must give {want}",
            reading,
            [decision],
        )


# --- AUD-01: the issue ledger -------------------------------------------------------------------


OWNER = "整改人-李"


def _finding_moves(_subject: Subject, _thorough: bool) -> Iterable[TransitionCheck]:
    """Every transition of a finding x the owner, someone of the owner's department, an auditor
    x the owner or another having rectified it; and a close without the finding's facts."""
    opened = Move("open", "rectified", OWNER, AT - timedelta(days=3))
    moves = [
        ("open", "rectified", ()),
        ("rectified", "closed", (opened,)),
        ("rectified", "open", (opened,)),
    ]
    actors = [
        Employee(OWNER, AUDITED),
        Employee("同事-赵", AUDITED),
        Employee("审计-孙", "审计部", {"auditor"}),
    ]
    for source, target, history in moves:
        for actor in actors:
            for rectifier in (OWNER, "同事-赵"):
                past = tuple(Move(m.from_state, m.to_state, rectifier, m.at) for m in history)
                facts = FindingFacts(OWNER)
                yield TransitionCheck(FINDING, "问题-1", source, target, actor, AT, facts, past)
    yield TransitionCheck(
        FINDING, "问题-1", "rectified", "closed", actors[2], AT, None, moves[1][2]
    )


def _aud01(subject: Subject, check: TransitionCheck) -> None:
    decision = subject.engine.check_transition(check)
    if check.to_state != "closed":
        _expect("AUD-01", False, check, decision, f"{check.from_state} to {check.to_state}")
    elif not isinstance(check.data, FindingFacts):
        _expect("AUD-01", True, check, decision, "a close without the finding's owner")
    else:
        own = check.actor.id == check.data.owner
        _expect(
            "AUD-01", own, check, decision, f"{check.actor.id} closes, owner {check.data.owner}"
        )


# --- AUD-02: plan, independence, report ---------------------------------------------------------


def _audit(
    target: str,
    actor: Employee,
    auditors: tuple[Employee, ...],
    plan: tuple[str, str, str] = ("销售合规", "合同与收费", "抽样检查"),
    report: str = "",
) -> TransitionCheck:
    facts = AuditFacts(AUDITED, auditors, *plan, report)
    history = (Move("planned", "fieldwork", "审计-孙", AT - timedelta(days=30)),)
    if target == "fieldwork":
        return TransitionCheck(AUDIT, "审计-2024", "planned", target, actor, AT, facts)
    return TransitionCheck(AUDIT, "审计-2024", "fieldwork", target, actor, AT, facts, history)


def _audit_moves(_subject: Subject, _thorough: bool) -> Iterable[TransitionCheck]:
    """Fieldwork x a lead and auditors of the audited department or not x each plan field blank;
    the report x blank or written."""
    lead, insider = Employee("审计-孙", "审计部"), Employee("销售-钱", AUDITED)
    other = Employee("审计-周", "审计部")
    for actor in (lead, insider):
        for auditors in ((other,), (other, insider), (insider,)):
            yield _audit("fieldwork", actor, auditors)
    plan = ["销售合规", "合同与收费", "抽样检查"]
    for index in range(3):
        for blank in BLANKS:
            edited = list(plan)
            edited[index] = blank
            yield _audit("fieldwork", lead, (other,), (edited[0], edited[1], edited[2]))
    for report in (*BLANKS, "审计报告：发现三项问题"):
        yield _audit("reported", lead, (other,), report=report)
    yield TransitionCheck(AUDIT, "审计-2024", "planned", "fieldwork", lead, AT, None)


def _aud02(subject: Subject, check: TransitionCheck) -> None:
    decision = subject.engine.check_transition(check)
    facts = check.data
    if not isinstance(facts, AuditFacts):
        _expect("AUD-02", True, check, decision, "a move without the audit's facts")
        return
    wrong = []
    if check.to_state == "fieldwork":
        plan = {"scope": facts.scope, "content": facts.content, "method": facts.method}
        wrong += [f"no {name}" for name, text in plan.items() if not text.strip()]
        wrong += [
            f"{person.id} is of the audited department"
            for person in (*facts.auditors, check.actor)
            if person.department == facts.audited_department
        ]
    elif check.to_state == "reported" and not facts.report.strip():
        wrong.append("no report")
    _expect("AUD-02", bool(wrong), check, decision, "; ".join(wrong) or "planned, independent")


PROPERTIES = (
    Property(
        "RSK-01",
        "score-band",
        "every likelihood x impact is rated the band of the policy its product falls in",
        None,
        _rsk01,
        cases=_scores,
    ),
    Property(
        "RSK-02",
        "response-owner",
        "a risk without an owner, or without a response the policy lists, is denied",
        None,
        _rsk02,
        cases=_responses,
    ),
    Property(
        "RSK-03",
        "alert-at-threshold",
        "a reading raises an alert exactly when it reaches its threshold (equal counts)",
        _readings,
        _rsk03,
        cases=_thresholds,
    ),
    Property(
        "AUD-01",
        "closed-by-other",
        "a finding is closed only by someone other than its owner; other moves are free",
        None,
        _aud01,
        cases=_finding_moves,
    ),
    Property(
        "AUD-02",
        "plan-independent-report",
        "fieldwork on a whole plan by nobody of the audited department; reported with a report",
        None,
        _aud02,
        cases=_audit_moves,
    ),
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""

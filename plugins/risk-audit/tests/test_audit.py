"""AUD-01 and AUD-02 as transition checks: a finding's owner never closes it; audits are planned,
independent and reported."""

from __future__ import annotations

from datetime import UTC, datetime

import agency_risk_audit.plugin
import pytest
from agency_risk_audit import AuditFacts, FindingFacts
from hypothesis import given
from hypothesis import strategies as st

from agency_core import Employee, Engine
from agency_core.decision import Outcome
from agency_core.errors import InvalidInput
from agency_core.transitions import Move, TransitionCheck

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEAD = Employee("A1", "audit", {"auditor"})
HELPER = Employee("A2", "audit", {"auditor"})
SALES = Employee("S1", "sales")


def to_closed(actor: Employee, owner: str, data: object = "facts") -> TransitionCheck:
    history = (Move("open", "rectified", owner, AT),)
    facts = FindingFacts(owner) if data == "facts" else data
    return TransitionCheck("audit_finding", "F1", "rectified", "closed", actor, AT, facts, history)


def test_aud01_owner_cannot_close_own_finding(engine: Engine) -> None:
    decision = engine.decide(to_closed(SALES, "S1"))
    assert decision.outcome is Outcome.DENY
    assert {f.control for f in decision.violations} == {"AUD-01"}


def test_aud01_someone_else_closes(engine: Engine) -> None:
    assert engine.decide(to_closed(LEAD, "S1")).outcome is Outcome.ALLOW


def test_aud01_closing_without_the_owner_fails_closed(engine: Engine) -> None:
    decision = engine.decide(to_closed(LEAD, "S1", data=None))
    assert decision.outcome is Outcome.DENY
    assert {f.control for f in decision.violations} == {"AUD-01"}


@given(st.sampled_from(["S1", "S2", "A1", "A2"]), st.sampled_from(["S1", "S2", "A1", "A2"]))
def test_aud01_a_finding_is_never_closed_by_its_owner(actor: str, owner: str) -> None:
    engine = Engine(plugins=[agency_risk_audit.plugin])
    decision = engine.decide(to_closed(Employee(actor, "any"), owner))
    assert (decision.outcome is Outcome.DENY) is (actor == owner)


def test_aud01_finding_machine_refuses_skipping_rectification(engine: Engine) -> None:
    check = TransitionCheck("audit_finding", "F1", "open", "closed", LEAD, AT, FindingFacts("S1"))
    with pytest.raises(InvalidInput, match="rectified"):
        engine.decide(check)


def audit_facts(**changes: object) -> AuditFacts:
    values: dict[str, object] = {
        "audited_department": "sales",
        "auditors": (LEAD, HELPER),
        "scope": "2025 expense claims",
        "content": "claims over 5000",
        "method": "sampling",
        **changes,
    }
    return AuditFacts(**values)  # type: ignore[arg-type]


def to_fieldwork(facts: AuditFacts, actor: Employee = LEAD) -> TransitionCheck:
    return TransitionCheck("audit", "AU1", "planned", "fieldwork", actor, AT, facts)


def test_aud02_complete_independent_plan_starts(engine: Engine) -> None:
    assert engine.decide(to_fieldwork(audit_facts())).outcome is Outcome.ALLOW


@pytest.mark.parametrize("missing", ["scope", "content", "method"])
def test_aud02_plan_needs_scope_content_method(engine: Engine, missing: str) -> None:
    decision = engine.decide(to_fieldwork(audit_facts(**{missing: " "})))
    assert decision.outcome is Outcome.DENY
    assert missing in decision.violations[0].message()


def test_aud02_no_auditor_of_the_audited_department(engine: Engine) -> None:
    decision = engine.decide(to_fieldwork(audit_facts(auditors=(LEAD, SALES))))
    assert decision.outcome is Outcome.DENY
    assert {f.facts["auditor"] for f in decision.violations} == {"S1"}
    led_by_sales = engine.decide(to_fieldwork(audit_facts(), actor=SALES))
    assert led_by_sales.outcome is Outcome.DENY


def test_aud02_report_needed(engine: Engine) -> None:
    history = (Move("planned", "fieldwork", "A1", AT),)
    empty = TransitionCheck(
        "audit", "AU1", "fieldwork", "reported", LEAD, AT, audit_facts(), history
    )
    assert engine.decide(empty).outcome is Outcome.DENY
    filed = TransitionCheck(
        "audit",
        "AU1",
        "fieldwork",
        "reported",
        LEAD,
        AT,
        audit_facts(report="two findings"),
        history,
    )
    assert engine.decide(filed).outcome is Outcome.ALLOW


@pytest.mark.parametrize(
    ("field", "value"),
    [("audited_department", ""), ("auditors", ()), ("auditors", ("A1",)), ("scope", None)],
)
def test_bad_audit_facts_name_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInput, match=field):
        audit_facts(**{field: value})


def test_bad_finding_facts_name_the_field() -> None:
    with pytest.raises(InvalidInput, match="owner"):
        FindingFacts("")

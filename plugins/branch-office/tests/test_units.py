"""BR-03: a service unit is applied for with plan, staffing, premises and budget, approved by
management, then registered (备案); a change gives its reason in advance."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import attrs
import pytest
from agency_branch_office import UnitFacts

from agency_core import Employee, Engine
from agency_core.decision import Outcome
from agency_core.errors import InvalidInput
from agency_core.transitions import Move, TransitionCheck

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
APPLICANT = Employee("D1", "sh-sales", {"dept_head"})
GM = Employee("GM", "hq", {"general_manager"})
FULL = UnitFacts("open a Suzhou desk", "3 staff", "rented office", "CNY 400000")
PATH = ["drafted", "applied", "approved", "registered", "change_applied", "change_approved"]


def move(to: str, actor: Employee, facts: object = FULL, at: datetime = AT) -> TransitionCheck:
    states = PATH[: PATH.index(to)] if to in PATH else PATH
    history = tuple(Move(a, b, "GM", AT) for a, b in itertools.pairwise(states))
    return TransitionCheck("service_unit", "U1", states[-1], to, actor, at, facts, history)


@pytest.mark.parametrize("missing", ["plan", "staffing", "premises", "budget"])
def test_br03_application_needs_every_part(engine: Engine, missing: str) -> None:
    decision = engine.decide(move("applied", APPLICANT, attrs.evolve(FULL, **{missing: ""})))
    assert decision.outcome is Outcome.DENY
    assert missing in decision.violations[0].message()
    assert engine.decide(move("applied", APPLICANT)).outcome is Outcome.ALLOW


def test_br03_management_approves(engine: Engine) -> None:
    assert engine.decide(move("approved", GM)).outcome is Outcome.ALLOW
    decision = engine.decide(move("approved", APPLICANT))
    assert decision.outcome is Outcome.DENY
    assert {f.control for f in decision.violations} == {"BR-03"}


def test_br03_registration_needs_its_number(engine: Engine) -> None:
    assert engine.decide(move("registered", GM)).outcome is Outcome.DENY
    filed = attrs.evolve(FULL, registration="SZ-2026-001")
    assert engine.decide(move("registered", GM, filed)).outcome is Outcome.ALLOW


def test_br03_cannot_skip_approval(engine: Engine) -> None:
    check = TransitionCheck(
        "service_unit",
        "U1",
        "applied",
        "registered",
        GM,
        AT,
        FULL,
        (Move("drafted", "applied", "D1", AT),),
    )
    with pytest.raises(InvalidInput, match="approved"):
        engine.decide(check)


def test_br03_change_gives_its_reason_in_advance(engine: Engine) -> None:
    ahead = attrs.evolve(FULL, reason="moving premises", effective_on=date(2026, 4, 1))
    assert engine.decide(move("change_applied", APPLICANT, ahead)).outcome is Outcome.ALLOW
    for facts in (
        attrs.evolve(ahead, reason=" "),
        attrs.evolve(ahead, effective_on=date(2026, 3, 2)),  # the same day: not in advance
        attrs.evolve(ahead, effective_on=None),
    ):
        decision = engine.decide(move("change_applied", APPLICANT, facts))
        assert decision.outcome is Outcome.DENY
        assert {f.control for f in decision.violations} == {"BR-03"}
    assert engine.decide(move("change_approved", APPLICANT, ahead)).outcome is Outcome.DENY
    assert engine.decide(move("change_approved", GM, ahead)).outcome is Outcome.ALLOW


def test_br03_moving_without_facts_is_denied(engine: Engine) -> None:
    decision = engine.decide(move("applied", APPLICANT, None))
    assert decision.outcome is Outcome.DENY


@pytest.mark.parametrize(
    ("field", "value"), [("plan", None), ("effective_on", AT), ("registration", 1)]
)
def test_bad_unit_facts_name_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInput, match=field):
        attrs.evolve(FULL, **{field: value})


def test_br03_advance_counts_in_the_firms_time_zone(engine: Engine) -> None:
    """23:30 UTC on 1 March is 2 March in Shanghai: a change effective 2 March is not ahead."""
    late_evening = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    facts = attrs.evolve(FULL, reason="moving premises", effective_on=date(2026, 3, 2))
    decision = engine.decide(move("change_applied", APPLICANT, facts, at=late_evening))
    assert decision.outcome is Outcome.DENY
    ahead = attrs.evolve(facts, effective_on=date(2026, 3, 3))
    assert engine.decide(move("change_applied", APPLICANT, ahead, at=late_evening)).outcome is (
        Outcome.ALLOW
    )

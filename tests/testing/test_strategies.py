"""The strategies: valid by construction, registered for from_type; invalid ones are refused."""

from __future__ import annotations

import re

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agency_core
import agency_core.entities
import agency_core.requests
from agency_core import Engine, Money, Outcome, RecordCheck
from agency_core.entities import CURRENCIES
from agency_core.errors import AgencyError, MoneyError
from agency_core.policy import default_policy, parse_policy
from agency_core.requests import ChargeCheck
from agency_core.testing import strategies as S
from agency_core.testing._scenarios import double_steps, self_approvals
from agency_core.testing.conformance import Subject

PUBLIC = [getattr(agency_core.entities, n) for n in agency_core.entities.__all__]
PUBLIC += [getattr(agency_core.requests, n) for n in agency_core.requests.__all__]
PUBLIC += [agency_core.Route, agency_core.RouteStep]
ENTITY_TYPES = [kind for kind in PUBLIC if isinstance(kind, type) and attrs.has(kind)]
ENGINE = Engine()
SUBJECT = Subject()


@pytest.mark.parametrize("kind", ENTITY_TYPES, ids=lambda k: k.__name__)
@settings(max_examples=15)
@given(data=st.data())
def test_from_type_builds_every_public_entity(kind: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(kind))
    assert type(value) is kind


def test_every_request_kind_has_a_strategy() -> None:
    # Transitions exist only for the state machines plugins register: the kit draws them from
    # the engine under test, not from the policy (see test_conformance).
    assert set(S.KIND_STRATEGIES) == set(agency_core.KINDS) - {"transition"}


@given(S.money())
def test_money_has_the_currency_precision(money: Money) -> None:
    assert money.amount.as_tuple().exponent == -CURRENCIES[money.currency]
    assert Money(money.amount, money.currency) == money


@given(S.records())
def test_records_are_numbered_and_dated_plausibly(record: agency_core.Record) -> None:
    prefixes = "|".join(default_policy().prefixes[c] for c in record.classes)
    assert re.fullmatch(rf"({prefixes})-{record.closed_on.year:04d}-\d{{6}}", record.number)
    assert record.event_on is None or record.event_on >= record.closed_on
    assert all(h.placed_on >= record.closed_on for h in record.holds)
    decision = ENGINE.check_record(RecordCheck(record, record.closed_on))
    assert "RET-05" not in decision.controls


@given(S.charge_checks())
def test_charges_follow_contract_and_schedule(check: ChargeCheck) -> None:
    (schedule,) = check.schedules
    published = schedule.item(check.charge.item)
    assert published is not None
    assert schedule.in_force(check.contract.signed_at.date())
    assert check.contract.fees[check.charge.item] <= published.price
    assert ENGINE.check_charge(check).outcome is Outcome.ALLOW


@given(S.approval_requests())
def test_every_generated_request_has_a_route(request: agency_core.ApprovalRequest) -> None:
    decision = ENGINE.route_approval(request)
    assert decision.route is not None
    assert decision.route.steps


@given(self_approvals(SUBJECT))
def test_self_approval_scenarios_are_otherwise_allowed(check: agency_core.StepCheck) -> None:
    other = attrs.evolve(check.request, requester="Q1")
    assert ENGINE.check_step(attrs.evolve(check, request=other)).outcome is Outcome.ALLOW


@given(double_steps(SUBJECT))
def test_double_step_scenarios_are_otherwise_allowed(check: agency_core.StepCheck) -> None:
    fresh = [attrs.evolve(h, actor=f"N{h.step}", on_behalf_of=None) for h in check.history]
    assert ENGINE.check_step(attrs.evolve(check, history=fresh)).outcome is Outcome.ALLOW


@given(amount=S.bad_amounts(), currency=S.currencies())
def test_bad_amounts_are_refused(amount: object, currency: str) -> None:
    with pytest.raises(MoneyError):
        Money(amount, currency)  # type: ignore[arg-type]


@given(currency=S.unknown_currencies())
def test_unknown_currencies_are_refused(currency: object) -> None:
    with pytest.raises(MoneyError):
        Money("1", currency)  # type: ignore[arg-type]


@settings(max_examples=300)
@given(S.broken_policies())
def test_policy_loader_raises_only_agency_errors(data: bytes) -> None:
    try:
        policy = parse_policy(data)
    except AgencyError:
        return
    assert policy.sha256

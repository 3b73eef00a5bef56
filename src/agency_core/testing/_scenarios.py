"""Scenario strategies of the conformance suite: requests that break exactly one control.

Each scenario is otherwise valid (the right role, department, order and delegation), so the only
reason to deny it is the control under test; a plugin that forgets the control lets it through.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from agency_core.decision import Route
from agency_core.engine import Request
from agency_core.entities import (
    CURRENCIES,
    ApprovalRequest,
    Delegation,
    Employee,
    FeeAdjustment,
    Money,
    StepAction,
    Verdict,
)
from agency_core.policy import add_years, statutory_minimums
from agency_core.requests import ChargeCheck, DisposalCheck, StepCheck
from agency_core.testing import strategies as S

if TYPE_CHECKING:
    from agency_core.testing.conformance import Subject

LATEST: Final = date(2100, 12, 31)
APPROVE = Verdict.APPROVE
SELF = ("direct", "deputy_for_requester", "requester_as_deputy")
DOUBLE = ("direct", "then_as_deputy", "principal_again", "deputy_took_it_for_them")
UNPUBLISHED = ("not_listed", "schedule_ended")


def _unit(currency: str) -> Money:
    return Money(Decimal(1).scaleb(-CURRENCIES[currency]), currency)


@st.composite
def routed(draw: st.DrawFn, subject: Subject, min_steps: int = 1) -> tuple[ApprovalRequest, Route]:
    """A request and the route the engine under test gives it, with at least ``min_steps``."""
    request = draw(S.approval_requests(subject.policy, budget=False))
    route = subject.engine.route_approval(request).route
    assume(route is not None and len(route.steps) >= min_steps)
    assert route is not None
    return request, route


def _history(route: Route, upto: int, at: datetime) -> list[StepAction]:
    """Steps ``0 .. upto-1`` approved in order by distinct people ``H0``, ``H1`` ..."""
    return [StepAction(i, f"H{i}", APPROVE, at - timedelta(hours=upto - i)) for i in range(upto)]


def _direct(
    request: ApprovalRequest,
    route: Route,
    index: int,
    actor: str,
    roles: set[str],
    at: datetime,
    history: list[StepAction],
) -> StepCheck:
    person = Employee(actor, request.department, frozenset(roles | {route.steps[index].role}))
    return StepCheck(request, route, StepAction(index, actor, APPROVE, at), person, None, history)


def _delegated(
    request: ApprovalRequest,
    route: Route,
    index: int,
    principal: tuple[str, set[str]],
    actor: tuple[str, set[str]],
    at: datetime,
    history: list[StepAction],
) -> StepCheck:
    (p, p_roles), (a, a_roles) = principal, actor
    boss = Employee(p, request.department, frozenset(p_roles | {route.steps[index].role}))
    deputy = Employee(a, request.department, frozenset(a_roles))
    action = StepAction(index, a, APPROVE, at, on_behalf_of=p)
    delegation = Delegation(p, a, at - timedelta(days=1), at + timedelta(days=1), "away")
    return StepCheck(request, route, action, deputy, boss, history, [delegation])


def _when() -> st.SearchStrategy[datetime]:
    return S.aware_datetimes(date(2026, 1, 1), date(2030, 12, 31))


@st.composite
def self_approvals(draw: st.DrawFn, subject: Subject, how: str | None = None) -> StepCheck:
    """SOD-01: the requester takes a step of their own request: directly, through a deputy
    acting for them, or as the deputy of someone else."""
    request, route = draw(routed(subject))
    index = draw(st.integers(0, len(route.steps) - 1))
    at = draw(_when())
    history = _history(route, index, at)
    deputies = sorted(subject.policy.delegates.get(route.steps[index].role, ()))
    how = how or draw(st.sampled_from(SELF))
    if how == "direct" or not deputies:
        return _direct(request, route, index, request.requester, set(), at, history)
    role = draw(st.sampled_from(deputies))
    if how == "deputy_for_requester":
        return _delegated(
            request, route, index, (request.requester, set()), ("D1", {role}), at, history
        )
    return _delegated(
        request, route, index, ("P1", set()), (request.requester, {role}), at, history
    )


@st.composite
def double_steps(draw: st.DrawFn, subject: Subject, how: str | None = None) -> StepCheck:
    """SOD-04: someone who took an earlier step of the route (in person, through a deputy, or
    whose deputy took it for them) takes a later one, holding every role needed."""
    request, route = draw(routed(subject, min_steps=2))
    index = draw(st.integers(1, len(route.steps) - 1))
    earlier = draw(st.integers(0, index - 1))
    at = draw(_when())
    history = _history(route, index, at)
    first = {route.steps[earlier].role}
    deputies = sorted(subject.policy.delegates.get(route.steps[index].role, ()))
    how = how or draw(st.sampled_from(DOUBLE))
    done = history[earlier]
    if how == "deputy_took_it_for_them":
        history[earlier] = attrs.evolve(done, actor="G9", on_behalf_of="S1")
        return _direct(request, route, index, "S1", first, at, history)
    if how == "direct" or not deputies:
        history[earlier] = attrs.evolve(done, actor="S1")
        return _direct(request, route, index, "S1", first, at, history)
    role = draw(st.sampled_from(deputies))
    history[earlier] = attrs.evolve(done, actor="S1")
    if how == "then_as_deputy":
        return _delegated(request, route, index, ("P1", set()), ("S1", first | {role}), at, history)
    return _delegated(request, route, index, ("S1", first), ("D1", {role}), at, history)


@st.composite
def off_contract_charges(draw: st.DrawFn, subject: Subject) -> ChargeCheck:
    """FEE-01: a charge other than the agreed fee, with no approved adjustment for it."""
    check = draw(S.charge_checks(subject.policy))
    agreed = check.contract.fees[check.charge.item]
    amount = draw(S.near(agreed) | S.money(agreed.currency).filter(lambda m: m != agreed))
    item = check.charge.item
    adjustments = draw(
        st.lists(
            st.one_of(
                st.builds(FeeAdjustment, item=st.just(item), amount=st.just(amount)),
                st.builds(
                    FeeAdjustment,
                    item=st.just(item),
                    amount=S.money(agreed.currency).filter(lambda m: m != amount),
                    approved=st.just(True),
                ),
            ),
            max_size=2,
        )
    )
    contract = attrs.evolve(check.contract, adjustments=adjustments)
    return ChargeCheck(attrs.evolve(check.charge, amount=amount), contract, check.schedules)


@st.composite
def unpublished_charges(draw: st.DrawFn, subject: Subject, how: str | None = None) -> ChargeCheck:
    """FEE-02: a charge of the agreed fee for an item the schedule in force does not list, or
    under a contract signed on or after the day the schedule ended (the day after its last)."""
    check = draw(S.charge_checks(subject.policy))
    schedule = check.schedules[0]
    how = how or draw(st.sampled_from(UNPUBLISHED))
    if schedule.effective_to is not None and how == "schedule_ended":
        ended = schedule.effective_to
        day = draw(st.just(ended) | S.edge_days(ended, ended + timedelta(days=3650)))
        signed = draw(S.instants_on(day, subject.policy))
        contract = attrs.evolve(check.contract, signed_at=signed, disclosed_at=signed)
        return attrs.evolve(check, contract=contract)
    listed = {item.code for item in check.schedules[0].items}
    item = draw(st.sampled_from([i for i in S.ITEMS if i not in listed]))
    fee = draw(S.money(subject.policy.currency, min_value=1))
    contract = attrs.evolve(check.contract, fees={**check.contract.fees, item: fee})
    charge = attrs.evolve(check.charge, item=item, amount=fee, third_party=False)
    return ChargeCheck(charge, contract, check.schedules)


@st.composite
def overpriced_charges(draw: st.DrawFn, subject: Subject) -> ChargeCheck:
    """FEE-03: a contract fee above the published price, charged exactly as agreed."""
    check = draw(S.charge_checks(subject.policy))
    published = check.schedules[0].item(check.charge.item)
    assert published is not None
    zero = Money(0, published.price.currency)
    extra = draw(st.just(zero) | S.money(published.price.currency, max_value=10_000))
    fee = published.price + _unit(published.price.currency) + extra
    contract = attrs.evolve(check.contract, fees={**check.contract.fees, check.charge.item: fee})
    return ChargeCheck(attrs.evolve(check.charge, amount=fee), contract, check.schedules)


@st.composite
def early_disposals(draw: st.DrawFn, subject: Subject) -> tuple[str, DisposalCheck]:
    """RET-01/02: a record of a statutory class, destroyed before the statutory period ends."""
    policy = subject.policy
    record_class = draw(st.sampled_from(sorted(set(statutory_minimums()) & set(policy.retention))))
    record = draw(S.records(policy, classes=[record_class], holds_and_loans=False))
    minimum = statutory_minimums()[record_class]
    start = policy.retention_start(minimum, record)
    if minimum.years is None or start is None:
        return record_class, DisposalCheck(record, draw(S.days(record.closed_on, LATEST)))
    last = add_years(start, minimum.years) - timedelta(days=1)
    on = draw(st.just(last) | S.days(record.closed_on, last))
    return record_class, DisposalCheck(record, on)


def batches(subject: Subject) -> st.SearchStrategy[list[Request]]:
    """Lists of requests of every kind, with approval requests repeated under new ids."""
    one: st.SearchStrategy[Request] = st.one_of(
        S.requests(subject.policy), S.approval_requests(subject.policy)
    )

    def repeat(items: list[Request]) -> list[Request]:
        again: list[Request] = [
            attrs.evolve(r, id=f"{r.id}b", requester="E100")
            for r in items
            if isinstance(r, ApprovalRequest)
        ]
        return items + again

    return st.lists(one, min_size=1, max_size=6).map(repeat)


@st.composite
def histories(draw: st.DrawFn, subject: Subject) -> list[Request]:
    """Requests of every kind, each approval request with a twin for another amount (often in
    another tier), so an answer that depends on an earlier request shows."""
    requests = draw(st.lists(S.requests(subject.policy), min_size=1, max_size=4))
    requests.append(draw(S.approval_requests(subject.policy)))
    twins = [
        attrs.evolve(r, id=f"{r.id}t", amount=draw(S.amounts(subject.policy)))
        for r in requests
        if isinstance(r, ApprovalRequest)
    ]
    return requests + twins

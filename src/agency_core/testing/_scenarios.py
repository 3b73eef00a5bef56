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

from agency_core.checks import ChargeCheck, DisposalCheck, StepCheck
from agency_core.decision import Route
from agency_core.engine import Request
from agency_core.entities import (
    CURRENCIES,
    ApprovalRequest,
    Delegation,
    Employee,
    FeeAdjustment,
    Hold,
    Loan,
    Money,
    Record,
    StepAction,
    Verdict,
)
from agency_core.policy import Basis, RetentionRule, add_years, statutory_minimums
from agency_core.testing import strategies as S

if TYPE_CHECKING:
    from agency_core.testing.conformance import Subject

LATEST: Final = date(2100, 12, 31)
APPROVE = Verdict.APPROVE


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
def self_approvals(draw: st.DrawFn, subject: Subject) -> StepCheck:
    """SOD-01: the requester takes a step of their own request: directly, through a deputy
    acting for them, or as the deputy of someone else."""
    request, route = draw(routed(subject))
    index = draw(st.integers(0, len(route.steps) - 1))
    at = draw(_when())
    history = _history(route, index, at)
    deputies = sorted(subject.policy.delegates.get(route.steps[index].role, ()))
    how = draw(st.sampled_from(("direct", "deputy_for_requester", "requester_as_deputy")))
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
def double_steps(draw: st.DrawFn, subject: Subject) -> StepCheck:
    """SOD-04: someone who took an earlier step of the route (in person or through a deputy)
    takes a later one, holding every role needed."""
    request, route = draw(routed(subject, min_steps=2))
    index = draw(st.integers(1, len(route.steps) - 1))
    earlier = draw(st.integers(0, index - 1))
    at = draw(_when())
    history = _history(route, index, at)
    first = {route.steps[earlier].role}
    deputies = sorted(subject.policy.delegates.get(route.steps[index].role, ()))
    how = draw(st.sampled_from(("direct", "then_as_deputy", "principal_again")))
    done = history[earlier]
    if how == "direct" or not deputies:
        history[earlier] = attrs.evolve(done, actor="S1")
        return _direct(request, route, index, "S1", first, at, history)
    role = draw(st.sampled_from(deputies))
    history[earlier] = attrs.evolve(done, actor="S1")
    if how == "then_as_deputy":
        return _delegated(request, route, index, ("P1", set()), ("S1", first | {role}), at, history)
    return _delegated(request, route, index, ("S1", first), ("D1", {role}), at, history)


@st.composite
def amount_pairs(draw: st.DrawFn, subject: Subject) -> tuple[ApprovalRequest, ApprovalRequest]:
    """APR-03: the same request for a smaller and a larger (or equal) amount."""
    request = draw(S.approval_requests(subject.policy))
    other = draw(S.amounts(subject.policy))
    low, high = sorted((request.amount, other), key=lambda m: m.amount)
    return attrs.evolve(request, amount=low), attrs.evolve(request, amount=high)


@st.composite
def off_contract_charges(draw: st.DrawFn, subject: Subject) -> ChargeCheck:
    """FEE-01: a charge other than the agreed fee, with no approved adjustment for it."""
    check = draw(S.charge_checks(subject.policy))
    agreed = check.contract.fees[check.charge.item]
    amount = draw(S.money(agreed.currency).filter(lambda m: m != agreed))
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
def unpublished_charges(draw: st.DrawFn, subject: Subject) -> ChargeCheck:
    """FEE-02: a charge of the agreed fee for an item the schedule in force does not list."""
    check = draw(S.charge_checks(subject.policy))
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
    extra = draw(S.money(published.price.currency, max_value=10_000))
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


def _expired(draw: st.DrawFn, subject: Subject) -> tuple[Record, date]:
    """A record of one fiscal-year class and a day on which its period is long over."""
    rules = [
        r
        for r in subject.policy.retention.values()
        if r.years is not None and r.basis is Basis.FISCAL_YEAR
    ]
    rule: RetentionRule = draw(st.sampled_from(sorted(rules, key=lambda r: r.record_class)))
    record = draw(S.records(subject.policy, classes=[rule.record_class], holds_and_loans=False))
    record = attrs.evolve(record, classes=frozenset({rule.record_class}))
    start = subject.policy.retention_start(rule, record)
    assert start is not None
    assert rule.years is not None
    return record, draw(S.days(add_years(start, rule.years), LATEST))


@st.composite
def held_disposals(draw: st.DrawFn, subject: Subject) -> DisposalCheck:
    """RET-03: an expired record under a hold that still binds on the day."""
    record, on = _expired(draw, subject)
    placed = draw(S.days(record.closed_on, on))
    released = draw(st.none() | S.days(on + timedelta(days=1), LATEST + timedelta(days=1)))
    hold = Hold("H1", draw(st.sampled_from(("litigation", "unsettled debt"))), placed, released)
    return DisposalCheck(attrs.evolve(record, holds=[hold]), on)


@st.composite
def loaned_disposals(draw: st.DrawFn, subject: Subject) -> DisposalCheck:
    """RET-06: an expired record that is out on loan on the day."""
    record, on = _expired(draw, subject)
    lent = draw(S.days(record.closed_on, on))
    due = lent + draw(st.timedeltas(timedelta(0), timedelta(days=60)))
    returned = draw(st.none() | S.days(on + timedelta(days=1), LATEST + timedelta(days=1)))
    loan = Loan("L1", "E1", lent, due, draw(st.booleans()), returned)
    return DisposalCheck(attrs.evolve(record, loans=[loan]), on)


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

"""APR properties: routes from the policy's matrix (oracles), authority, delegation, order.

The expected answers are computed here from the reference policy (its matrices, roles, deputies)
without the engine, so a plugin whose route or check differs from the policy is caught.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from agency_core.decision import Outcome, Route
from agency_core.entities import (
    CURRENCIES,
    ApprovalRequest,
    Delegation,
    Employee,
    Money,
    Scope,
    StepAction,
    Verdict,
)
from agency_core.policy import Matrix, Policy, lower_approvals
from agency_core.requests import StepCheck
from agency_core.testing import strategies as S
from agency_core.testing._kit import Property, Subject, Violation, expect

__all__ = ["PROPERTIES", "edge_requests", "expected_route"]

APPROVE, REJECT = Verdict.APPROVE, Verdict.REJECT
AUTHORITY = ("own", "other_department", "lacking")
Step = tuple[str, Scope]


# --- The oracle ---------------------------------------------------------------------------------


def _matrix(policy: Policy, action: str, department: str) -> Matrix | None:
    return policy.matrices.get((action, department)) or policy.matrices.get((action, None))


def _tier(matrix: Matrix, amount: Decimal) -> int:
    """Bounds are upper bounds: inclusive ones keep an amount on the bound in the lower tier."""
    if matrix.inclusive:
        return sum(1 for bound in matrix.bounds if amount > bound)
    return sum(1 for bound in matrix.bounds if amount >= bound)


def _steps(policy: Policy, matrix: Matrix, amount: Decimal) -> list[Step]:
    roles = [step.role for step in matrix.routes[_tier(matrix, amount)]]
    return [(role, policy.roles[role].scope) for role in roles]


def over_budget(request: ApprovalRequest) -> bool:
    """Whether the request spends beyond its department's remaining budget (APR-08)."""
    budget = request.budget_remaining
    return budget is not None and request.amount.amount > budget.amount


def expected_route(policy: Policy, request: ApprovalRequest) -> list[Step] | None:
    """The route's (role, scope) steps the policy gives ``request`` (None: the policy has none)."""
    matrix = _matrix(policy, request.action, request.department)
    if matrix is None:
        return None
    steps = _steps(policy, matrix, request.amount.amount)
    budget = request.budget_remaining
    if budget is not None and over_budget(request):
        adjustment = _matrix(policy, policy.budget_action, request.department)
        if adjustment is not None:
            held = {role for role, _ in steps}
            extra = _steps(policy, adjustment, request.amount.amount - budget.amount)
            steps += [step for step in extra if step[0] not in held]
    return steps


def _family(policy: Policy, request: ApprovalRequest) -> str:
    """The property a request belongs to: APR-08 when it carries a budget, else its matrix's
    control (APR-01, APR-02, or APR-08 for budget adjustments themselves)."""
    if request.budget_remaining is not None:
        return "APR-08"
    matrix = _matrix(policy, request.action, request.department)
    return matrix.control if matrix is not None else "APR-01"


def _route_oracle(subject: Subject, request: ApprovalRequest) -> None:
    """The route must be the policy's. A wrong tier route is reported under the matrix's control
    (APR-01, APR-02); a right tier route with a wrong budget adjustment under APR-08."""
    policy = subject.policy
    decision = subject.engine.route_approval(request)
    matrix = _matrix(policy, request.action, request.department)
    assert matrix is not None
    tier = _steps(policy, matrix, request.amount.amount)
    expected = expected_route(policy, request)
    got = [(s.role, s.scope) for s in decision.route.steps] if decision.route else None
    shown = [role for role, _ in expected or []]
    problem = f"the route must be the policy's {shown} (with each role's scope)"
    adjustment = _matrix(policy, policy.budget_action, request.department)
    budget = request.budget_remaining
    extra = set()  # roles a budget adjustment may add, at or over the budget's edge
    if budget is not None and adjustment is not None and request.amount.amount >= budget.amount:
        extra = {step.role for route in adjustment.routes for step in route}
    own = [step for step in got or [] if step in tier or step[0] not in extra]
    if decision.outcome is Outcome.DENY or got is None or own != tier:
        raise Violation(matrix.control, problem, request, [decision])
    if got != expected:
        raise Violation("APR-08", f"{problem}; over budget, the adjustment's", request, [decision])
    if over_budget(request) and not any(f.control == "APR-08" for f in decision.findings):
        raise Violation(
            "APR-08", "spending beyond the budget must be reported", request, [decision]
        )


# --- Requests on every edge ---------------------------------------------------------------------


def _departments(policy: Policy) -> list[str]:
    named = {d for _action, d in policy.matrices if d is not None}
    return sorted(set(S.DEPARTMENTS) | named)


def _edges(policy: Policy, matrix: Matrix) -> list[Decimal]:
    """Zero, each bound, one minor unit either side, and far above the last."""
    unit = Decimal(1).scaleb(-CURRENCIES[policy.currency])
    edges = {Decimal(0), Decimal(10) ** 9}
    for bound in matrix.bounds:
        edges |= {bound, bound + unit, max(bound - unit, Decimal(0))}
    return sorted(edges)


def _budgets(policy: Policy, amount: Decimal, thorough: bool) -> list[Decimal | None]:
    unit = Decimal(1).scaleb(-CURRENCIES[policy.currency])
    budgets: list[Decimal | None] = [None, amount]
    if amount >= unit:
        budgets.append(amount - unit)
    if thorough:
        budgets.append(Decimal(0))
    return budgets


def edge_requests(policy: Policy, thorough: bool = True) -> Iterator[ApprovalRequest]:
    """Every action x department x tier edge, without a budget, with exactly the amount left,
    and one minor unit short of it (with no budget left at all when ``thorough``)."""
    currency, n = policy.currency, 0
    for action in sorted({a for a, _d in policy.matrices}):
        for department in _departments(policy):
            matrix = _matrix(policy, action, department)
            assert matrix is not None
            for amount in _edges(policy, matrix):
                for budget in _budgets(policy, amount, thorough):
                    n += 1
                    left = None if budget is None else Money(budget, currency)
                    yield ApprovalRequest(
                        f"R{n}", action, Money(amount, currency), department, "E1", left
                    )


def _route_cases(control: str) -> object:
    def cases(subject: Subject, thorough: bool) -> Iterable[ApprovalRequest]:
        policy = subject.policy
        return [r for r in edge_requests(policy, thorough) if _family(policy, r) == control]

    return cases


def _route_examples(control: str) -> object:
    @st.composite
    def examples(draw: st.DrawFn, subject: Subject) -> ApprovalRequest:
        policy = subject.policy
        request = draw(S.approval_requests(policy, budget=False))
        if control == "APR-08":
            left = draw(
                st.just(request.amount) | S.money(policy.currency, max_value=request.amount.amount)
            )
            return attrs.evolve(request, budget_remaining=left)
        actions = sorted({m.action for m in policy.matrices.values() if m.control == control})
        assume(actions)
        request = attrs.evolve(request, action=draw(st.sampled_from(actions)))
        more = Money(request.amount.amount + draw(st.integers(1, 10**6)), policy.currency)
        budget = draw(st.none() | st.just(more))
        return attrs.evolve(request, budget_remaining=budget)

    return examples


# --- APR-03 -------------------------------------------------------------------------------------


def _monotonic(subject: Subject, pair: tuple[ApprovalRequest, ApprovalRequest]) -> None:
    policy = subject.policy
    small, large = (subject.engine.route_approval(r) for r in pair)
    order = {Outcome.ALLOW: 0, Outcome.NEEDS_APPROVAL: 1, Outcome.DENY: 2}
    problem = ""
    if order[large.outcome] < order[small.outcome]:
        problem = f"{small.outcome.value} for the smaller amount, {large.outcome.value} for more"
    elif small.route and large.route:
        ranks = {name: role.rank or 0 for name, role in policy.roles.items()}
        lower = lower_approvals(large.route.roles, small.route.roles, ranks)
        problem = f"the larger amount needs {lower}" if lower else ""
    if problem:
        raise Violation(
            "APR-03",
            f"approvals must not shrink as the amount grows: {problem}",
            pair,
            [small, large],
        )


def adjacent_pairs(
    subject: Subject, thorough: bool
) -> Iterator[tuple[ApprovalRequest, ApprovalRequest]]:
    """Neighbouring edge amounts of every action and department, with and without a budget."""
    policy, currency = subject.policy, subject.policy.currency
    for action in sorted({a for a, _d in policy.matrices}):
        for department in _departments(policy):
            matrix = _matrix(policy, action, department)
            assert matrix is not None
            edges = _edges(policy, matrix)
            budgets: list[Money | None] = [None, Money(edges[len(edges) // 2], currency)]
            if thorough:
                budgets += [Money(e, currency) for e in edges]
            for budget in budgets:
                for low, high in pairwise(edges):
                    yield (
                        ApprovalRequest(
                            "R1", action, Money(low, currency), department, "E1", budget
                        ),
                        ApprovalRequest(
                            "R2", action, Money(high, currency), department, "E1", budget
                        ),
                    )


@st.composite
def amount_pairs(draw: st.DrawFn, subject: Subject) -> tuple[ApprovalRequest, ApprovalRequest]:
    """The same request for a smaller and a larger (or equal) amount."""
    request = draw(S.approval_requests(subject.policy))
    other = draw(S.amounts(subject.policy))
    low, high = sorted((request.amount, other), key=lambda m: m.amount)
    return attrs.evolve(request, amount=low), attrs.evolve(request, amount=high)


# --- Steps: a request, the policy's route, a step of it -----------------------------------------


@st.composite
def policy_routed(
    draw: st.DrawFn, subject: Subject, min_steps: int = 1
) -> tuple[ApprovalRequest, Route]:
    """A request (no budget) and the route the engine under test gives it, with at least
    ``min_steps``: the engine decides a step only on the route it gives (APR-01), so step rules
    are tested on that route (the route properties judge the route itself)."""
    request = draw(S.approval_requests(subject.policy, budget=False))
    route = subject.engine.route_approval(request).route
    assume(route is not None and len(route.steps) >= min_steps)
    assert route is not None
    return request, route


def _history(upto: int, at: datetime, delegated: bool = False) -> list[StepAction]:
    """Steps ``0 .. upto-1`` approved in order by ``H0``, ``H1``..., maybe through deputies."""
    return [
        StepAction(
            i,
            f"G{i}" if delegated and i % 2 == 0 else f"H{i}",
            APPROVE,
            at - timedelta(hours=upto - i),
            on_behalf_of=f"H{i}" if delegated and i % 2 == 0 else None,
        )
        for i in range(upto)
    ]


def _when() -> st.SearchStrategy[datetime]:
    return S.aware_datetimes(date(2026, 1, 1), date(2030, 12, 31))


def _holder(policy: Policy, role: str) -> st.SearchStrategy[str]:
    """A role that is ``role`` or inherits it."""
    roles = sorted(r for r, closure in policy.role_closure.items() if role in closure) or [role]
    return st.sampled_from(roles)


@st.composite
def authority_cases(
    draw: st.DrawFn, subject: Subject, how: str | None = None
) -> tuple[StepCheck, bool]:
    """APR-04: the next step taken in person by a holder of its role (or of a role inheriting
    it), from the requester's department or another, or by someone lacking the role; with
    whether the policy forbids it."""
    policy = subject.policy
    request, route = draw(policy_routed(subject))
    index = draw(st.integers(0, len(route.steps) - 1))
    at = draw(_when())
    role = route.steps[index].role
    how = how or draw(st.sampled_from(AUTHORITY))
    department = request.department
    if how == "other_department":
        department = draw(st.sampled_from([d for d in _departments(policy) if d != department]))
    if how == "lacking":
        roles = draw(
            st.frozensets(
                st.sampled_from(
                    sorted(r for r in policy.roles if role not in policy.role_closure.get(r, {r}))
                ),
                max_size=2,
            )
        )
    else:
        roles = frozenset({draw(_holder(policy, role))})
    person = Employee("A1", department, roles)
    action = StepAction(index, "A1", APPROVE, at)
    check = StepCheck(request, route, action, person, None, _history(index, at))
    forbidden = how == "lacking" or (
        how == "other_department" and policy.roles[role].scope is Scope.DEPARTMENT
    )
    return check, forbidden


def _authority(subject: Subject, example: tuple[StepCheck, bool]) -> None:
    check, forbidden = example
    expect("APR-04", forbidden, check, subject.engine.check_step(check))


# --- APR-05 -------------------------------------------------------------------------------------

REASONS = ("材料不全", "金额有误，请重新提交", "missing invoice", "Beleg fehlt", "見積書なし")


@st.composite
def reasoned_rejections(draw: st.DrawFn, subject: Subject) -> StepCheck:
    """APR-05: the next step rejected, with a written reason (often Chinese), by its holder."""
    request, route = draw(policy_routed(subject))
    index = draw(st.integers(0, len(route.steps) - 1))
    at = draw(_when())
    role = route.steps[index].role
    person = Employee("A1", request.department, frozenset({role}))
    reason = draw(st.sampled_from(REASONS))
    action = StepAction(index, "A1", REJECT, at, reason)
    return StepCheck(request, route, action, person, None, _history(index, at))


def _reasoned(subject: Subject, check: StepCheck) -> None:
    decision = subject.engine.check_step(check)
    if decision.outcome is Outcome.DENY:
        raise Violation(
            "APR-05", "a rejection with a written reason must be accepted", check, [decision]
        )


# --- APR-06 -------------------------------------------------------------------------------------

WINDOW = ("first_instant", "last_instant", "end", "before_start", "a_day_after", "chained")


@st.composite
def delegation_cases(
    draw: st.DrawFn, subject: Subject, how: str | None = None
) -> tuple[StepCheck, bool]:
    """APR-06: a deputy takes a principal's step at an edge of the delegation's period (its
    first and last instant, its end, a day after it), or through a chain; with whether the
    policy forbids it. The instant is written in another offset than the period."""
    policy = subject.policy
    request, route = draw(policy_routed(subject))
    candidates = [i for i, s in enumerate(route.steps) if policy.delegates.get(s.role)]
    assume(candidates)
    index = draw(st.sampled_from(candidates))
    role = route.steps[index].role
    deputy_role = draw(st.sampled_from(sorted(policy.delegates[role])))
    starts = draw(_when())
    length = draw(
        st.sampled_from([timedelta(days=1), timedelta(days=2), timedelta(microseconds=1)])
        | st.timedeltas(timedelta(minutes=1), timedelta(days=60))
    )
    ends = starts + length
    how = how or draw(st.sampled_from(WINDOW))
    at = {
        "first_instant": starts,
        "last_instant": ends - timedelta(microseconds=1),
        "end": ends,
        "before_start": starts - timedelta(microseconds=1),
        "a_day_after": ends + timedelta(days=1) - timedelta(microseconds=1),
        "chained": starts,
    }[how]
    at = at.astimezone(draw(st.sampled_from(S.TIMEZONES)))
    boss = Employee("P1", request.department, frozenset({role}))
    deputy = Employee("D1", request.department, frozenset({deputy_role}))
    if how == "chained":
        granted = [
            Delegation("P1", "M1", starts, ends, "away"),
            Delegation("M1", "D1", starts, ends, "away too"),
        ]
    else:
        granted = [Delegation("P1", "D1", starts, ends, "出差")]
    action = StepAction(index, "D1", APPROVE, at, on_behalf_of="P1")
    check = StepCheck(request, route, action, deputy, boss, _history(index, at), granted)
    return check, how not in ("first_instant", "last_instant")


def _delegation(subject: Subject, example: tuple[StepCheck, bool]) -> None:
    check, forbidden = example
    expect("APR-06", forbidden, check, subject.engine.check_step(check))


# --- APR-07 -------------------------------------------------------------------------------------

ORDER = ("next", "early", "again", "after_rejection", "complete")


@st.composite
def order_cases(
    draw: st.DrawFn, subject: Subject, how: str | None = None
) -> tuple[StepCheck, bool]:
    """APR-07: a step taken next, early, again, after a rejection or after the last approval;
    histories include steps deputies took; with whether the policy forbids it."""
    request, route = draw(policy_routed(subject))
    n = len(route.steps)
    at = draw(_when())
    delegated = draw(st.booleans())
    how = how or draw(st.sampled_from(ORDER))
    index = draw(st.integers(0, n - 1))
    history = _history(index, at, delegated)
    if how == "early":
        assume(index >= 1)
        del history[draw(st.integers(0, index - 1))]
    elif how == "again":
        assume(index + 1 < n)
        history = _history(index + 1, at, delegated)
    elif how == "after_rejection":
        assume(index >= 1)
        gone = draw(st.integers(0, index - 1))
        history[gone] = attrs.evolve(history[gone], verdict=REJECT, reason="材料不全")
    elif how == "complete":
        history = _history(n, at, delegated)
    role = route.steps[index].role
    person = Employee("A1", request.department, frozenset({role}))
    check = StepCheck(request, route, StepAction(index, "A1", APPROVE, at), person, None, history)
    return check, how != "next"


def _order(subject: Subject, example: tuple[StepCheck, bool]) -> None:
    check, forbidden = example
    expect("APR-07", forbidden, check, subject.engine.check_step(check))


PROPERTIES: tuple[Property, ...] = (
    Property(
        "APR-01",
        "route-oracle",
        "the route is the policy matrix's, at, below and above every bound",
        _route_examples("APR-01"),  # type: ignore[arg-type]
        _route_oracle,
        _route_cases("APR-01"),  # type: ignore[arg-type]
    ),
    Property(
        "APR-02",
        "route-oracle",
        "large disbursements and major costs are routed as the policy says",
        _route_examples("APR-02"),  # type: ignore[arg-type]
        _route_oracle,
        _route_cases("APR-02"),  # type: ignore[arg-type]
    ),
    Property(
        "APR-03",
        "monotonic",
        "a larger amount never needs fewer or lower approvals",
        amount_pairs,
        _monotonic,
        adjacent_pairs,
    ),
    Property(
        "APR-04",
        "authority-oracle",
        "a step needs its role, and a department role the requester's own department",
        authority_cases,
        _authority,
        kinds=AUTHORITY,
    ),
    Property(
        "APR-05",
        "reasoned-rejection",
        "a rejection with a written reason (in any language) is accepted",
        reasoned_rejections,
        _reasoned,
    ),
    Property(
        "APR-06",
        "delegation-window",
        "a deputy acts from the first to the last instant of a direct delegation, never after",
        delegation_cases,
        _delegation,
        kinds=WINDOW,
    ),
    Property(
        "APR-07",
        "order-oracle",
        "steps are taken in order, once, and never after a rejection or the last approval",
        order_cases,
        _order,
        kinds=ORDER,
    ),
    Property(
        "APR-08",
        "budget-oracle",
        "spending beyond the budget adds the budget-adjustment route for the excess",
        _route_examples("APR-08"),  # type: ignore[arg-type]
        _route_oracle,
        _route_cases("APR-08"),  # type: ignore[arg-type]
    ),
)
"""The APR properties."""

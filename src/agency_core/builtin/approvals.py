"""APR: approval thresholds and delegation of authority (审批权限, 副职代行)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache

from agency_core.decision import Fact, Finding, Route, RouteStep, Severity, Text
from agency_core.entities import ApprovalRequest, Employee, Scope, Verdict
from agency_core.hookspecs import hookimpl
from agency_core.policy import Matrix, Policy
from agency_core.requests import StepCheck
from agency_core.step_batch import StepBatch

DENY = Severity.DENY
PLUGIN = __name__

ROUTED = Text(
    zh="{action} 金额档位 {tier}，审批链：{route}",
    en="{action} in the tier {tier} needs: {route}",
)
CURRENCY = Text(
    zh="{action} 金额 {amount} 的币种与审批矩阵币种 {currency} 不一致",
    en="{action} of {amount} cannot be routed: the approval matrix is in {currency}",
)
OVER_BUDGET = Text(
    zh="金额 {amount} 超出部门 {department} 剩余预算 {budget}，"
    "超支 {excess} 须经预算调整审批：{route}",
    en="{amount} exceeds the remaining budget {budget} of {department} by {excess}; "
    "the budget adjustment needs: {route}",
)
NO_STEP = Text(
    zh="审批链共 {steps} 步，没有第 {step} 步",
    en="the route has {steps} steps; there is no step {step}",
)
ORDER = Text(
    zh="第 {step} 步不能审批：{problem_zh}",
    en="step {step} cannot be decided: {problem}",
)
NOT_HOLDER = Text(
    zh="{person} 不具有第 {step} 步所需的角色 {role}",
    en="{person} does not hold the role {role} that step {step} needs",
)
OTHER_DEPARTMENT = Text(
    zh="{person} 是 {their} 的 {role}，不能审批 {department} 的申请",
    en="{person} is {role} of {their} and cannot approve for {department}",
)
NO_DELEGATION = Text(
    zh="{actor} 在 {at} 没有 {principal} 的有效授权",
    en="{actor} holds no delegation from {principal} in force at {at}",
)
CHAINED = Text(
    zh="授权不得转授：{principal} → {middle} → {actor}",
    en="delegation cannot be chained: {principal} → {middle} → {actor}",
)
NOT_DEPUTY = Text(
    zh="{actor} 不具有可代行 {role} 的副职角色（{deputies}）",
    en="{actor} holds no role that may deputise for {role} ({deputies})",
)


@hookimpl(trylast=True)
def agency_approval_route(request: ApprovalRequest, policy: Policy) -> Route | None:
    action, amount = request.action, request.amount
    matrix = policy.matrix(action, request.department)
    route = _routed(policy, matrix, action, amount.amount, amount.currency)
    budget = request.budget_remaining
    if route is None or amount.currency != policy.currency or budget is None or amount <= budget:
        return route
    if budget.currency != amount.currency:
        facts = {"action": request.action, "amount": str(amount), "currency": budget.currency}
        return Route(request.action, (), (Finding("FEE-06", DENY, CURRENCY, facts, PLUGIN),))
    excess = amount - budget
    adjustment = policy.matrix(policy.budget_action, request.department)
    extra = adjustment.routes[adjustment.tier(excess.amount)] if adjustment else ()
    held = {step.role for step in route.steps}
    steps = route.steps + tuple(step for step in extra if step.role not in held)
    facts = {
        "amount": str(amount),
        "budget": str(budget),
        "department": request.department,
        "excess": str(excess),
        "route": _names(extra),
    }
    over = Finding("APR-08", Severity.APPROVAL, OVER_BUDGET, facts, PLUGIN)
    return Route(request.action, steps, (*route.findings, over))


@hookimpl(trylast=True)
def agency_approval_routes(steps: StepBatch, policy: Policy) -> list[Route | None]:
    return tier_routes(policy, steps.action, steps.department, steps.amount, steps.currency)


def tier_routes(
    policy: Policy,
    actions: Sequence[str],
    departments: Sequence[str],
    amounts: Sequence[Decimal],
    currencies: Sequence[str],
) -> list[Route | None]:
    """The bundled route of every row (amounts without a budget), each (action, department)
    looked up once: its tier's route, refused in another currency (FEE-06), None when the
    matrix has no such action."""
    matrices: dict[tuple[str, str], Matrix | None] = {}
    routes = []
    for action, department, amount, currency in zip(
        actions, departments, amounts, currencies, strict=True
    ):
        key = (action, department)
        if key in matrices:
            matrix = matrices[key]
        else:
            matrix = matrices[key] = policy.matrix(action, department)
        routes.append(_routed(policy, matrix, action, amount, currency))
    return routes


def _routed(
    policy: Policy, matrix: Matrix | None, action: str, amount: Decimal, currency: str
) -> Route | None:
    if matrix is None:
        return None
    if currency != policy.currency:
        facts = {"action": action, "amount": f"{amount} {currency}", "currency": policy.currency}
        return Route(action, (), (Finding("FEE-06", DENY, CURRENCY, facts, PLUGIN),))
    return _tier_route(matrix, matrix.tier(amount), currency)


@lru_cache(maxsize=4096)
def _tier_route(matrix: Matrix, tier: int, currency: str) -> Route:
    """The route of one tier, built once: it depends on the tier, never on the exact amount."""
    steps = matrix.routes[tier]
    facts: dict[str, Fact] = {
        "action": matrix.action,
        "tier": f"{matrix.describe(tier)} {currency}",
        "route": _names(steps),
    }
    severity = Severity.APPROVAL if steps else Severity.INFO
    return Route(matrix.action, steps, (Finding(matrix.control, severity, ROUTED, facts, PLUGIN),))


def _names(steps: tuple[RouteStep, ...]) -> str:
    return " → ".join(step.role for step in steps) or "-"


_ORDER_PROBLEMS = {
    "rejected": ("the request was rejected; its route has ended", "申请已被退回，审批结束"),
    "approved": ("the request is already approved", "申请已审批完毕"),
    "done": ("this step is already approved", "该步骤已审批"),
    "early": ("the steps before it are not approved yet", "前序步骤尚未审批"),
}


@hookimpl
def agency_check_step(check: StepCheck, policy: Policy) -> list[Finding]:
    steps = check.route.steps
    index = check.action.step
    if index >= len(steps):
        return _no_step(check.route, index)
    findings = []
    order = _order(check)
    if order is not None:
        findings.append(order)
    holder = check.principal or check.actor  # APR-04 asks of the authority used
    authority = _authority_of(
        policy,
        steps[index],
        index,
        holder.id,
        holder.department,
        holder.roles,
        check.request.department,
    )
    if authority is not None:
        findings.append(authority)
    if check.principal is not None:
        findings += _delegation(check, policy, steps[index], check.principal)
    return findings


@hookimpl
def agency_check_steps(
    steps: StepBatch, routes: Sequence[Route | None], policy: Policy
) -> list[tuple[int, Finding]]:
    """:func:`agency_check_step` on every routed row. A row's earlier steps are approved in
    order and its actor acts in their own name, so APR-07 has only the step past the route's end
    to refuse, and APR-06 nothing."""
    findings = []
    department, roles, request_department = (
        steps.actor_department,
        steps.actor_roles,
        steps.department,
    )
    for row, (actor, route) in enumerate(zip(steps.actor, routes, strict=True)):
        if route is None:
            continue
        index = len(steps.approved[row])
        if index >= len(route.steps):
            findings += [(row, finding) for finding in _no_step(route, index)]
            continue
        refused = _authority_of(
            policy,
            route.steps[index],
            index,
            actor,
            department[row],
            roles[row],
            request_department[row],
        )
        if refused is not None:
            findings.append((row, refused))
    return findings


def _no_step(route: Route, index: int) -> list[Finding]:
    """APR-07: a step past the route's end. A route this plugin refused (FEE-06: a request in
    another currency) has no steps; its step is denied for the route's own reasons instead."""
    refused = [f for f in route.findings if f.severity is DENY and f.plugin == PLUGIN]
    facts: dict[str, Fact] = {"steps": len(route.steps), "step": index}
    return refused or [Finding("APR-07", DENY, NO_STEP, facts, PLUGIN)]


def _order(check: StepCheck) -> Finding | None:
    """APR-07: steps in order, nothing decided twice, a rejection ends the route."""
    if not check.history and check.action.step == 0 and check.route.steps:
        return None  # the first step of a route, nothing decided yet
    approved = set()
    rejected = False
    for taken in check.history:
        if taken.verdict is Verdict.APPROVE:
            approved.add(taken.step)
        elif taken.verdict is Verdict.REJECT:
            rejected = True
    steps = len(check.route.steps)
    following = 0
    while following < steps and following in approved:
        following += 1
    step = check.action.step
    if rejected:
        problem = "rejected"
    elif following == steps:
        problem = "approved"
    elif step in approved:
        problem = "done"
    elif step != following:
        problem = "early"
    else:
        return None
    en, zh = _ORDER_PROBLEMS[problem]
    facts = {"step": step, "problem": en, "problem_zh": zh}
    return Finding("APR-07", DENY, ORDER, facts, PLUGIN)


def _authority_of(
    policy: Policy,
    step: RouteStep,
    index: int,
    person: str,
    their: str,
    roles: Collection[str],
    department: str,
) -> Finding | None:
    """APR-04 for ``person`` of department ``their`` holding ``roles``, on step ``index``."""
    if not policy.holds(roles, step.role):
        facts: dict[str, Fact] = {"person": person, "role": step.role, "step": index}
        return Finding("APR-04", DENY, NOT_HOLDER, facts, PLUGIN)
    if step.scope is Scope.DEPARTMENT and their != department:
        facts = {"person": person, "role": step.role, "their": their, "department": department}
        return Finding("APR-04", DENY, OTHER_DEPARTMENT, facts, PLUGIN)
    return None


def _delegation(
    check: StepCheck, policy: Policy, step: RouteStep, principal: Employee
) -> Iterator[Finding]:
    """APR-06: a direct delegation in force, to a role that may deputise for the step's role."""
    actor, at = check.actor.id, check.action.at
    direct = [d for d in check.delegations if d.principal == principal.id and d.delegate == actor]
    if not any(d.covers(at) for d in direct):
        middle = next(
            (
                first.delegate
                for first in check.delegations
                for second in check.delegations
                if first.principal == principal.id
                and first.delegate == second.principal
                and second.delegate == actor
                and first.covers(at)
                and second.covers(at)
            ),
            None,
        )
        if middle is not None:
            facts: dict[str, Fact] = {"principal": principal.id, "middle": middle, "actor": actor}
            yield Finding("APR-06", DENY, CHAINED, facts, PLUGIN)
        else:
            facts = {
                "actor": actor,
                "principal": principal.id,
                "at": at.isoformat(),
            }
            yield Finding("APR-06", DENY, NO_DELEGATION, facts, PLUGIN)
    deputies = frozenset().union(
        *(
            policy.delegates.get(role, frozenset())
            for role in policy.effective_roles(principal.roles)
            if step.role in policy.role_closure.get(role, frozenset((role,)))
        )
    )
    if not deputies & policy.effective_roles(check.actor.roles):
        facts = {
            "actor": actor,
            "role": step.role,
            "deputies": ", ".join(sorted(deputies)) or "-",
        }
        yield Finding("APR-06", DENY, NOT_DEPUTY, facts, PLUGIN)

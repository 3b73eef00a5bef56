"""BR-01..BR-03: the branch route swap, target splits and the service unit's steps."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import attrs

from agency_branch_office.entities import TargetSplit, UnitFacts
from agency_branch_office.policy import BranchOfficePolicy
from agency_branch_office.tree import admin_department, branch_of, section
from agency_core.builtin import approvals as bundled
from agency_core.decision import Fact, Finding, Route, RouteStep, Severity, Text
from agency_core.entities import ApprovalRequest, Scope
from agency_core.errors import InvalidInput
from agency_core.policy import Policy
from agency_core.requests import StepCheck
from agency_core.step_batch import StepBatch
from agency_core.transitions import TransitionCheck

__all__ = [
    "UNIT",
    "branch_route",
    "branch_routes",
    "check_step",
    "check_steps",
    "check_targets",
    "check_unit",
    "split",
]

UNIT = "service_unit"

SWAPPED = Text(
    zh="{department} 属于办事处 {branch}：费用报销由办事处行政部 {admin} 的 {reviewer} 审核，"
    "代替 {replaced}",
    en="{department} belongs to branch {branch}: its expense claims are reviewed by {reviewer} "
    "of the branch admin department {admin} instead of {replaced}",
)
NO_ADMIN = Text(
    zh="办事处 {branch} 没有行政部，无法确定费用报销的审核人",
    en="branch {branch} has no admin department to review its expense claims",
)
WRONG_ADMIN = Text(
    zh="{person} 不属于办事处 {branch} 的行政部 {admin}，不能审核其费用报销",
    en="{person} is not of {admin}, the admin department of branch {branch}, and cannot review "
    "its expense claims",
)
UNEVEN = Text(
    zh="{branch} {year} 年目标：{part} 合计 {total}，不等于 {expected}",
    en="{branch} target for {year}: the {part} add up to {total}, not {expected}",
)
MISSING = Text(
    zh="服务机构 {unit} 的申请缺少：{missing}",
    en="the application of service unit {unit} lacks: {missing}",
)
NOT_MANAGEMENT = Text(
    zh="{person} 不是公司管理层（{roles}），不能批准服务机构 {unit} 的设立或变更",
    en="{person} is not management ({roles}) and cannot approve service unit {unit}",
)
NO_REGISTRATION = Text(
    zh="服务机构 {unit} 尚无备案号", en="service unit {unit} has no registration (备案) number"
)
NO_REASON = Text(
    zh="服务机构 {unit} 的变更没有说明理由", en="the change of service unit {unit} gives no reason"
)
LATE = Text(
    zh="服务机构 {unit} 的变更须至少提前 {days} 天申请（生效日 {effective}）",
    en="the change of service unit {unit} must be applied for {days} days before it takes "
    "effect ({effective})",
)
NO_FACTS = Text(zh="服务机构 {unit} 缺少所需事实", en="service unit {unit} moved without its facts")


# -- BR-01: the route swap ------------------------------------------------------------------------


def branch_route(request: ApprovalRequest, policy: Policy) -> Route | None:
    """The firm-wide route of an expense claim at a branch, the finance review replaced by the
    branch admin review; None for anything else (the bundled route answers)."""
    spec = section(policy)
    if request.action != spec.expense_action:
        return None
    branch = branch_of(policy, request.department)
    if branch is None:
        return None
    firm = bundled.agency_approval_route(request, policy)
    return _swapped(policy, spec, request.action, request.department, branch, firm)


def branch_routes(steps: StepBatch, policy: Policy) -> list[Route | None]:
    """:func:`branch_route` of every row of a batch (whose requests carry no budget)."""
    spec = section(policy)
    routes: list[Route | None] = []
    for row, (action, department) in enumerate(zip(steps.action, steps.department, strict=True)):
        branch = branch_of(policy, department) if action == spec.expense_action else None
        if branch is None:
            routes.append(None)
            continue
        amount, currency = (steps.amount[row],), (steps.currency[row],)
        (firm,) = bundled.tier_routes(policy, (action,), (department,), amount, currency)
        routes.append(_swapped(policy, spec, action, department, branch, firm))
    return routes


def _swapped(
    policy: Policy,
    spec: BranchOfficePolicy,
    action: str,
    department: str,
    branch: str,
    firm: Route | None,
) -> Route | None:
    """``firm`` (the bundled route of a claim of ``department`` at ``branch``) with the finance
    review replaced by the branch admin review."""
    if firm is None or spec.replaces not in firm.roles:
        return firm
    admin = admin_department(policy, branch)
    if admin is None:
        facts: dict[str, Fact] = {"branch": branch}
        return Route(action, (), (Finding("BR-01", Severity.DENY, NO_ADMIN, facts),))
    reviewer = RouteStep(spec.reviewer_role, Scope.COMPANY)
    steps: list[RouteStep] = []
    for step in firm.steps:
        new = reviewer if step.role == spec.replaces else step
        if new not in steps:
            steps.append(new)
    facts = {
        "department": department,
        "branch": branch,
        "admin": admin,
        "reviewer": spec.reviewer_role,
        "replaced": spec.replaces,
    }
    renamed = tuple(_renamed(f, spec.replaces, spec.reviewer_role) for f in firm.findings)
    swapped = Finding("BR-01", Severity.INFO, SWAPPED, facts)
    return Route(action, tuple(steps), (*renamed, swapped))


def _renamed(finding: Finding, old: str, new: str) -> Finding:
    """``finding`` with ``old`` replaced by ``new`` in its route fact (it names the steps)."""
    route = finding.facts.get("route")
    if not isinstance(route, str):
        return finding
    names = " → ".join(new if name == old else name for name in route.split(" → "))
    return attrs.evolve(finding, facts={**finding.facts, "route": names})


def check_step(check: StepCheck, policy: Policy) -> Iterator[Finding]:
    """BR-01: the branch admin review is taken only by someone of that branch's admin department.

    The step's scope is the company (a department scope would demand the claimant's own
    department); this guard narrows it to the admin department of the claimant's branch.
    """
    steps = check.route.steps
    index = check.action.step
    if index < len(steps) and steps[index].role == section(policy).reviewer_role:
        holder = check.principal or check.actor
        refused = _outside_admin(policy, holder.id, holder.department, check.request.department)
        if refused is not None:
            yield refused


def check_steps(
    steps: StepBatch, routes: Sequence[Route | None], policy: Policy
) -> Iterator[tuple[int, Finding]]:
    """:func:`check_step` on every routed row of a batch (no delegate acts in a batch)."""
    reviewer = section(policy).reviewer_role
    for row, route in enumerate(routes):
        if route is None:
            continue
        index = len(steps.approved[row])
        if index < len(route.steps) and route.steps[index].role == reviewer:
            refused = _outside_admin(
                policy, steps.actor[row], steps.actor_department[row], steps.department[row]
            )
            if refused is not None:
                yield row, refused


def _outside_admin(policy: Policy, person: str, their: str, department: str) -> Finding | None:
    """BR-01's refusal when ``person`` (of ``their`` department) is not of the admin department
    of the branch ``department`` belongs to."""
    branch = branch_of(policy, department)
    admin = admin_department(policy, branch) if branch is not None else None
    if admin is not None and their == admin:
        return None
    facts: dict[str, Fact] = {"person": person, "branch": branch, "admin": admin}
    return Finding("BR-01", Severity.DENY, WRONG_ADMIN, facts)


# -- BR-02: target splits -------------------------------------------------------------------------


def split(total: Decimal, weights: Sequence[int], places: int = 2) -> tuple[Decimal, ...]:
    """``total`` split by ``weights`` into amounts of ``places`` decimals that add up exactly.

    Each part is rounded down, and the cents left over go, one each, to the parts with the
    largest remainders (earliest first on ties).
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise InvalidInput(f"weights must be >= 0 and not all 0, not {list(weights)}")
    unit = Decimal(1).scaleb(-places)
    if total != total.quantize(unit):
        raise InvalidInput(f"{total} has more than {places} decimals", path="$.annual")
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [x.quantize(unit, rounding=ROUND_DOWN) for x in exact]
    left = int((total - sum(parts, Decimal(0))) / unit)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += unit
    return tuple(parts)


def check_targets(check: TargetSplit) -> Iterator[Finding]:
    """BR-02: quarters, months (per quarter too) and people add up exactly to the annual target."""
    parts: list[tuple[str, Decimal, Decimal]] = [
        ("quarters", sum(check.quarters, Decimal(0)), check.annual),
        ("months", sum(check.months, Decimal(0)), check.annual),
        ("people", sum((p.amount for p in check.people), Decimal(0)), check.annual),
    ]
    for q, quarter in enumerate(check.quarters):
        months = sum(check.months[3 * q : 3 * q + 3], Decimal(0))
        parts.append((f"months of Q{q + 1}", months, quarter))
    for part, total, expected in parts:
        if total != expected:
            facts: dict[str, Fact] = {
                "branch": check.branch,
                "year": check.year,
                "part": part,
                "total": str(total),
                "expected": str(expected),
            }
            yield Finding("BR-02", Severity.DENY, UNEVEN, facts)


# -- BR-03: service units -------------------------------------------------------------------------


def check_unit(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """BR-03: apply with plan, staffing, premises and budget; management approves; register;
    a change gives its reason in advance."""
    unit = check.subject
    if not isinstance(check.data, UnitFacts):
        yield Finding("BR-03", Severity.DENY, NO_FACTS, {"unit": unit})
        return
    facts, spec, to = check.data, section(policy), check.to_state
    if to == "applied":
        fields = ("plan", "staffing", "premises", "budget")
        missing = [name for name in fields if not getattr(facts, name).strip()]
        if missing:
            yield Finding(
                "BR-03", Severity.DENY, MISSING, {"unit": unit, "missing": ", ".join(missing)}
            )
    elif to in ("approved", "change_approved"):
        roles = policy.effective_roles(check.actor.roles)
        if not roles & set(spec.approver_roles):
            yield Finding(
                "BR-03",
                Severity.DENY,
                NOT_MANAGEMENT,
                {"person": check.actor.id, "roles": ", ".join(spec.approver_roles), "unit": unit},
            )
    elif to == "registered" and not facts.registration.strip():
        yield Finding("BR-03", Severity.DENY, NO_REGISTRATION, {"unit": unit})
    elif to == "change_applied":
        if not facts.reason.strip():
            yield Finding("BR-03", Severity.DENY, NO_REASON, {"unit": unit})
        notice = spec.change_notice_days
        latest = policy.local_date(check.at) + timedelta(days=notice)
        if facts.effective_on is None or facts.effective_on < latest:
            effective = facts.effective_on.isoformat() if facts.effective_on else None
            yield Finding(
                "BR-03", Severity.DENY, LATE, {"unit": unit, "days": notice, "effective": effective}
            )

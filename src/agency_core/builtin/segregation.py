"""SOD: segregation of duties (不相容职务相互分离): self-approval, static and dynamic conflicts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from agency_core.decision import Fact, Finding, Route, Severity, Text
from agency_core.entities import Employee
from agency_core.hookspecs import hookimpl
from agency_core.policy import ConflictSet, Policy
from agency_core.requests import DutyCheck, RoleGrant, StepCheck
from agency_core.step_batch import StepBatch

__all__ = ["static_conflicts"]

DENY = Severity.DENY
PLUGIN = __name__

SELF_APPROVAL = Text(
    zh="{person} 不能审批自己提交的申请 {request}{how_zh}",
    en="{person} cannot approve request {request} that they submitted{how}",
)
TWO_STEPS = Text(
    zh="{person} 已审批本申请第 {other} 步，不能再审批第 {step} 步",
    en="{person} already took step {other} of this request and cannot take step {step}",
)
DUTY_CONFLICT = Text(
    zh="{actor} 已在 {subject} 上执行 {done}，不能再执行不相容的 {duty}（{conflict_zh}）",
    en="{actor} already did {done} on {subject} and may not also do {duty} ({conflict})",
)
ROLE_CONFLICT = Text(
    zh="授予 {role} 后 {employee} 将同时持有 {roles}，违反不相容职务“{conflict_zh}”"
    "（不得同时持有 {limit} 个及以上）",
    en="granting {role} would give {employee} {roles}, breaking {conflict} "
    "(fewer than {limit} allowed)",
)
HELD_CONFLICT = Text(
    zh="{employee} 已同时持有不相容角色 {roles}（{conflict_zh}）",
    en="{employee} already holds conflicting roles {roles} ({conflict})",
)


@hookimpl
def agency_check_step(check: StepCheck, policy: Policy) -> list[Finding]:
    people = (check.actor.id,) if check.principal is None else (check.actor.id, check.principal.id)
    requester, step = check.request.requester, check.action.step
    findings = []
    if requester in people:
        findings.append(_self_approval(requester, check.request.id, check.principal is not None))
    for taken in check.history:
        if taken.step != step and (taken.actor in people or taken.on_behalf_of in people):
            person = min(p for p in (taken.actor, taken.on_behalf_of) if p and p in people)
            findings.append(_two_steps(person, taken.step, step))
            break
    return findings


@hookimpl
def agency_check_steps(
    steps: StepBatch, routes: Sequence[Route | None], policy: Policy
) -> list[tuple[int, Finding]]:
    """:func:`agency_check_step` on every routed row: no delegate acts, so the actor is the
    only person; every earlier step is another step."""
    findings = []
    requesters, ids, approved = steps.requester, steps.request_id, steps.approved
    for row, (actor, route) in enumerate(zip(steps.actor, routes, strict=True)):
        if route is None:
            continue
        if actor == requesters[row]:
            findings.append((row, _self_approval(actor, ids[row], False)))
        earlier = approved[row]
        for step, (who, _when) in enumerate(earlier):
            if who == actor:
                findings.append((row, _two_steps(actor, step, len(earlier))))
                break
    return findings


def _self_approval(person: str, request: str, delegated: bool) -> Finding:
    facts: dict[str, Fact] = {
        "person": person,
        "request": request,
        "how": " (through a delegation)" if delegated else "",
        "how_zh": "（经授权代行）" if delegated else "",
    }
    return Finding("SOD-01", DENY, SELF_APPROVAL, facts, PLUGIN)


def _two_steps(person: str, other: int, step: int) -> Finding:
    facts: dict[str, Fact] = {"person": person, "other": other, "step": step}
    return Finding("SOD-04", DENY, TWO_STEPS, facts, PLUGIN)


@hookimpl
def agency_check_duty(check: DutyCheck, policy: Policy) -> Iterator[Finding]:
    incompatible = policy.duty_conflicts.get(check.duty, frozenset())
    for done in check.performed:
        if done.actor == check.actor and done.duty in incompatible:
            names = policy.duty_conflict_names[frozenset((done.duty, check.duty))]
            facts: dict[str, Fact] = {
                "actor": check.actor,
                "subject": check.subject,
                "done": done.duty,
                "duty": check.duty,
                "conflict": names[0],
                "conflict_zh": names[1],
            }
            yield Finding("SOD-03", DENY, DUTY_CONFLICT, facts)


@hookimpl
def agency_check_role_grant(check: RoleGrant, policy: Policy) -> Iterator[Finding]:
    employee = check.employee
    before = policy.effective_roles(employee.roles)
    after = before | policy.effective_roles((check.role,))
    for conflict in policy.static_conflicts:
        held_before = before & conflict.roles
        held_after = after & conflict.roles
        if len(held_after) >= conflict.cardinality and held_after != held_before:
            facts: dict[str, Fact] = {
                "employee": employee.id,
                "role": check.role,
                "roles": ", ".join(sorted(held_after)),
                "conflict": conflict.name,
                "conflict_zh": conflict.name_zh,
                "limit": conflict.cardinality,
            }
            yield Finding("SOD-02", DENY, ROLE_CONFLICT, facts)
        elif len(held_before) >= conflict.cardinality:
            facts = {
                "employee": employee.id,
                "roles": ", ".join(sorted(held_before)),
                "conflict": conflict.name,
                "conflict_zh": conflict.name_zh,
            }
            yield Finding("SOD-02", Severity.WARNING, HELD_CONFLICT, facts)


def static_conflicts(
    policy: Policy, employees: Iterable[Employee]
) -> Iterator[tuple[Employee, ConflictSet, frozenset[str]]]:
    """Every (employee, conflict set, roles held of it) that breaks SOD-02, counting inheritance."""
    by_role: dict[str, list[ConflictSet]] = {}
    for conflict in policy.static_conflicts:
        for role in conflict.roles:
            by_role.setdefault(role, []).append(conflict)
    for employee in employees:
        held = policy.effective_roles(employee.roles)
        candidates = {c.name: c for role in held for c in by_role.get(role, ())}
        for _name, conflict in sorted(candidates.items()):
            roles = held & conflict.roles
            if len(roles) >= conflict.cardinality:
                yield employee, conflict, roles

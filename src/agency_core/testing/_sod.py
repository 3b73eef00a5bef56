"""SOD properties: static conflicts (inherited roles, cardinality above 2) and dynamic ones.

The oracles read the reference policy's conflict sets, role inheritance and duty conflicts.
SOD-02 is also checked under a variant of the policy that adds a conflict set of cardinality 3
and roles inheriting conflicting roles, since a firm's policy may have both.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import attrs
from hypothesis import strategies as st

from agency_core.entities import Employee, Scope
from agency_core.policy import ConflictSet, Policy
from agency_core.requests import DutyCheck, PerformedDuty, RoleGrant
from agency_core.testing import strategies as S
from agency_core.testing._kit import Property, Subject, expect

__all__ = ["PROPERTIES", "conflicting_grant", "variant_policy"]

PEOPLE = ("E1", "E2", "张三", "李四")
"""Employee ids, some Chinese."""


_VARIANTS: dict[str, Policy] = {}


def variant_policy(policy: Policy) -> Policy:
    """``policy`` plus a conflict set of three roles with cardinality 3, and a role inheriting a
    member of each conflict set (``kit_senior_<role>``), to reach SOD-02's edges."""
    if policy.sha256 in _VARIANTS:
        return _VARIANTS[policy.sha256]
    free = sorted(
        r
        for r in policy.roles
        if not any(r in c.roles for c in policy.static_conflicts)
        and policy.role_closure.get(r, frozenset({r})) == frozenset({r})
    )
    triple = frozenset(free[:3])
    conflicts = (*policy.static_conflicts, ConflictSet("kit: any three", triple, 3, "三者不可兼"))
    roles, closure = dict(policy.roles), dict(policy.role_closure)
    for conflict in conflicts:
        member = sorted(conflict.roles)[0]
        code = f"kit_senior_{member}"
        base = policy.roles[member]
        roles[code] = attrs.evolve(
            base, code=code, scope=Scope.COMPANY, inherits=frozenset({member})
        )
        closure[code] = frozenset({code}) | policy.role_closure.get(member, frozenset({member}))
    variant = _VARIANTS[policy.sha256] = attrs.evolve(
        policy,
        version=f"{policy.version}+kit",
        sha256=f"{policy.sha256}+kit",
        roles=roles,
        role_closure=closure,
        static_conflicts=conflicts,
    )
    return variant


def conflicting_grant(policy: Policy, grant: RoleGrant) -> bool:
    """The oracle: the grant makes the employee hold ``cardinality`` roles of a conflict set,
    counting inherited roles, that they did not hold before (SOD-02)."""
    before = policy.effective_roles(grant.employee.roles)
    after = before | policy.effective_roles({grant.role})
    return any(
        len(after & c.roles) >= c.cardinality and after & c.roles != before & c.roles
        for c in policy.static_conflicts
    )


@st.composite
def role_grants(draw: st.DrawFn, subject: Subject) -> tuple[bool, RoleGrant]:
    """A grant near one conflict set: someone holding some of its roles (or roles inheriting
    them, or others) given one more; under the policy or its variant (True)."""
    variant = draw(st.booleans())
    policy = variant_policy(subject.policy) if variant else subject.policy
    conflict = draw(st.sampled_from(policy.static_conflicts))
    near = sorted(
        r for r, closure in policy.role_closure.items() if closure & conflict.roles
    ) or sorted(conflict.roles)
    anyone = st.sampled_from(sorted(policy.roles))
    held = draw(st.frozensets(st.sampled_from(near) | anyone, max_size=conflict.cardinality))
    person = Employee(draw(st.sampled_from(PEOPLE)), draw(S.departments(policy)), held)
    return variant, RoleGrant(person, draw(st.sampled_from(near) | anyone))


def grant_cases(subject: Subject, thorough: bool) -> Iterator[tuple[bool, RoleGrant]]:
    """Every set of up to ``cardinality`` roles near each conflict set (its members and the
    roles inheriting them), granted each such role, under the policy and its variant."""
    for variant in (False, True):
        policy = variant_policy(subject.policy) if variant else subject.policy
        for conflict in policy.static_conflicts:
            near = sorted(r for r, c in policy.role_closure.items() if c & conflict.roles)
            for size in range(conflict.cardinality + 1):
                for held in combinations(near, size):
                    for role in near:
                        yield variant, RoleGrant(Employee("E1", "sales", frozenset(held)), role)


def _static(subject: Subject, example: tuple[bool, RoleGrant]) -> None:
    variant, grant = example
    policy = variant_policy(subject.policy) if variant else subject.policy
    engine = subject.under(policy) if variant else subject.engine
    why = f"under {policy.version}" if variant else ""
    expect("SOD-02", conflicting_grant(policy, grant), grant, engine.check_role_grant(grant), why)


@st.composite
def duty_checks(draw: st.DrawFn, subject: Subject) -> DutyCheck:
    """A duty on a subject after duties done by the same person or others, in either order."""
    policy = subject.policy
    duties = st.sampled_from(sorted(set(policy.duty_conflicts) | {"prepare", "archive"}))
    people = st.sampled_from(PEOPLE)
    performed = st.lists(st.builds(PerformedDuty, duty=duties, actor=people), max_size=4)
    return DutyCheck(
        draw(st.sampled_from(("K1", "案件-7"))), draw(duties), draw(people), draw(performed)
    )


def duty_cases(subject: Subject, thorough: bool) -> Iterator[DutyCheck]:
    """Every duty after every other duty, by the same person and by someone else."""
    duties = sorted(set(subject.policy.duty_conflicts) | {"prepare"})
    for duty in duties:
        for done in duties:
            for actor in ("E1", "张三"):
                yield DutyCheck("K1", duty, "E1", [PerformedDuty(done, actor)])


def _dynamic(subject: Subject, check: DutyCheck) -> None:
    incompatible = subject.policy.duty_conflicts.get(check.duty, frozenset())
    forbidden = any(p.actor == check.actor and p.duty in incompatible for p in check.performed)
    expect("SOD-03", forbidden, check, subject.engine.check_duty(check))


PROPERTIES: tuple[Property, ...] = (
    Property(
        "SOD-02",
        "conflict-oracle",
        "a grant reaching a conflict set's cardinality (inherited roles counted) is refused",
        role_grants,
        _static,
        grant_cases,
    ),
    Property(
        "SOD-03",
        "duty-oracle",
        "nobody takes two incompatible duties on one subject, in either order",
        duty_checks,
        _dynamic,
        duty_cases,
    ),
)
"""The SOD properties besides SOD-01 and SOD-04 (in :mod:`conformance`)."""

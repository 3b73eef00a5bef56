"""Deliberately broken plugins: the conformance suite must catch each with the right control."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import Final

from agency_core import ChargeCheck, Finding, Policy, Route, RouteStep, StepCheck, hookimpl
from agency_core.builtin import segregation
from agency_core.entities import ApprovalRequest, Scope
from agency_core.policy import RetentionRule

SEGREGATION = "agency_core.builtin.segregation"


class SelfApproval:
    """Segregation that forgets SOD-01: a requester may approve their own request."""

    __name__ = "broken.self_approval"

    @hookimpl
    def agency_check_step(self, check: StepCheck, policy: Policy) -> Iterator[Finding]:
        for finding in segregation.agency_check_step(check=check, policy=policy):
            if finding.control != "SOD-01":
                yield finding


class FewerApprovals:
    """Routes above 100,000 to the department head alone: fewer approvals for more money."""

    __name__ = "broken.fewer_approvals"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        if request.amount.amount > 100_000:
            return Route(request.action, [RouteStep("dept_head", Scope.DEPARTMENT)])
        return None


class LowerApprovals:
    """Above 100,000 every approver after the first is the deputy of the role the tiers name: as
    many approvals as before, but of lower rank (APR-03 judges by rank, not by count)."""

    __name__ = "broken.lower_approvals"
    DEPUTY: Final = MappingProxyType(
        {"finance_manager": "deputy_finance_manager", "general_manager": "deputy_general_manager"}
    )

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        matrix = policy.matrix(request.action, request.department)
        if matrix is None or request.amount.amount <= 100_000:
            return None
        steps = matrix.routes[matrix.tier(request.amount.amount)]
        return Route(request.action, [RouteStep(self.DEPUTY.get(s.role, s.role)) for s in steps])


class PromotedApprovals:
    """Above 100,000 the department head's step goes to the management committee: a higher rank
    in place of a lower one keeps APR-03 although the role names differ."""

    __name__ = "promoted_approvals"

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        matrix = policy.matrix(request.action, request.department)
        if matrix is None or request.amount.amount <= 100_000:
            return None
        roles = [s.role for s in matrix.routes[matrix.tier(request.amount.amount)]]
        promoted = ["management_committee", *(r for r in roles if r != "dept_head")]
        return Route(request.action, [RouteStep(r) for r in dict.fromkeys(promoted)])


class ShortRetention:
    """Keeps every finite-period record class for 3 years: below the statutory minimum."""

    __name__ = "broken.short_retention"

    @hookimpl(tryfirst=True)
    def agency_retention_rule(self, record_class: str, policy: Policy) -> RetentionRule | None:
        rule = policy.retention.get(record_class)
        if rule is None or rule.years is None:
            return None
        return RetentionRule(record_class, 3, rule.basis)


class Crashing:
    """A fee check with a bug: it looks up the item in a table that lacks most items."""

    __name__ = "broken.crashing"

    @hookimpl
    def agency_check_charge(self, check: ChargeCheck, policy: Policy) -> list[Finding]:
        surcharges = {"registration": 0}
        surcharges[check.charge.item]  # KeyError for every other item
        return []

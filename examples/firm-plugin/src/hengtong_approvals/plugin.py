"""Hengtong's approval rule: an expense claim is routed only along a route that the department
head reviews first and finance checks next (APR-01, 初审 then 财务审核).

The tiers are the firm's policy data (its ``policy.toml``: the finance manager from 2,000 CNY);
the bundled plugin routes whatever the matrix says. Hengtong's replacement routes by the same
matrix but refuses, fail closed, a policy whose expense route would skip either review, so an
edit of the policy file that lets small claims through on the department head alone denies every
such claim instead of routing it. Steps (APR-04..07) are checked as the bundled plugin checks them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from agency_core import hookimpl
from agency_core.builtin import approvals as bundled
from agency_core.decision import Finding, Route, Severity, Text
from agency_core.entities import ApprovalRequest
from agency_core.policy import Policy
from agency_core.requests import StepCheck

__all__ = ["CLAIMS", "FINANCE", "FIRST_REVIEW", "agency_approval_route", "agency_check_step"]

CLAIMS: Final = "expense_reimbursement"
"""The action the firm's rule is about."""
FIRST_REVIEW: Final = "dept_head"
"""The role that reviews every claim first (初审)."""
FINANCE: Final = frozenset({"finance_reviewer", "deputy_finance_manager", "finance_manager"})
"""The roles whose check (财务审核) must come second."""

SKIPS_A_REVIEW = Text(
    zh="{action} 的审批链 {route} 未先经部门负责人初审、再经财务审核，本公司不予报销流转",
    en="the route {route} of {action} does not have the department head review first and "
    "finance check next: the firm does not route such a claim",
)


@hookimpl
def agency_approval_route(request: ApprovalRequest, policy: Policy) -> Route | None:
    """The matrix's route; for an expense claim, only when it begins with the two reviews."""
    route = bundled.agency_approval_route(request, policy)
    if route is None or request.action != CLAIMS or not route.steps:
        return route  # not routed, not a claim, or already denied (a foreign currency)
    roles = route.roles
    if roles[0] == FIRST_REVIEW and len(roles) > 1 and roles[1] in FINANCE:
        return route
    facts = {"action": request.action, "route": " → ".join(roles)}
    return Route(request.action, (), (Finding("APR-01", Severity.DENY, SKIPS_A_REVIEW, facts),))


@hookimpl
def agency_check_step(check: StepCheck, policy: Policy) -> Iterable[Finding]:
    """APR-04..07 exactly as the bundled plugin checks a step: the firm changes only routing."""
    return bundled.agency_check_step(check, policy)

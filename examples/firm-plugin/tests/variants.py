"""Two ways a firm could write its small-claims wish as a plugin, both against the controls.

The wish: "expense claims up to 2,000 CNY need only the department head". APR-01 says every
expense claim is reviewed by the department head and then checked by finance, whatever the
amount, so the conformance kit must reject both.
"""

from __future__ import annotations

from decimal import Decimal

from agency_core import hookimpl
from agency_core.builtin import approvals as bundled
from agency_core.decision import Route, RouteStep
from agency_core.entities import ApprovalRequest
from agency_core.policy import Policy

SMALL = Decimal("2000")


def _small_claim(request: ApprovalRequest, route: Route | None) -> bool:
    return (
        route is not None
        and bool(route.steps)
        and request.action == "expense_reimbursement"
        and request.amount.amount <= SMALL
    )


class HeadOnly:
    """Claims up to 2,000 CNY go to the department head alone: breaks APR-01 (no finance check),
    though more money still needs more approvals (APR-03 holds)."""

    __name__ = "head_only"
    agency_check_step = staticmethod(bundled.agency_check_step)

    @hookimpl
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        route = bundled.agency_approval_route(request, policy)
        if route is not None and _small_claim(request, route):
            steps = tuple(step for step in route.steps if step.role != "finance_reviewer")
            return Route(request.action, steps, route.findings)
        return route


class ManagerSignsOff:
    """Claims up to 2,000 CNY: the department head, then the general manager signs them off
    himself instead of finance. A claim of 2,000.01 CNY then needs no one of his rank: breaks
    APR-03 (and APR-01: no finance check)."""

    __name__ = "manager_signs_off"
    agency_check_step = staticmethod(bundled.agency_check_step)

    @hookimpl
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        route = bundled.agency_approval_route(request, policy)
        if route is not None and _small_claim(request, route):
            role = "general_manager"
            steps = (route.steps[0], RouteStep(role, policy.roles[role].scope))
            return Route(request.action, steps, route.findings)
        return route


HEAD_ONLY = HeadOnly()
MANAGER_SIGNS_OFF = ManagerSignsOff()

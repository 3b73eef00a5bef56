"""What a replacement of the branch-office plugin must keep, for the conformance kit (BR-01).

The examples come from the plugin's own policy section: every unit of the firm's reporting tree,
branch departments included, at every bound of the expense tiers and one fen either side. The
oracle walks the tree itself and swaps the finance review of the policy matrix's route; it never
asks the plugin's own functions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from agency_branch_office.policy import BranchOfficePolicy
from agency_branch_office.tree import SECTION
from agency_core import ApprovalRequest, Money, Outcome
from agency_core.errors import PluginError
from agency_core.testing.conformance import Property, Subject, Violation

__all__ = ["PROPERTIES"]

_FEN = Decimal("0.01")


def _spec(subject: Subject) -> BranchOfficePolicy:
    try:
        return subject.engine.policy.section(SECTION, BranchOfficePolicy)
    except PluginError:  # a replacement without the section: the shipped defaults
        return BranchOfficePolicy()


def _claims(subject: Subject) -> st.SearchStrategy[ApprovalRequest]:
    spec = _spec(subject)
    matrix = subject.policy.matrix(spec.expense_action, "")
    bounds = matrix.bounds if matrix is not None else ()
    edges = sorted({b + d for b in bounds for d in (-_FEN, Decimal(0), _FEN)} | {Decimal(1)})
    amounts = st.sampled_from(edges) | st.decimals(1, 10**7, places=2)
    return st.builds(
        lambda unit, amount: ApprovalRequest(
            "BR-Q1", spec.expense_action, Money(amount, subject.policy.currency), unit, "BR-C1"
        ),
        st.sampled_from(sorted(u.id for u in spec.units)),
        amounts,
    )


def _branch(spec: BranchOfficePolicy, unit: str) -> str | None:
    by_id = {u.id: u for u in spec.units}
    seen: set[str] = set()
    while unit in by_id and unit not in seen:
        seen.add(unit)
        if by_id[unit].level == "branch":
            return unit
        unit = by_id[unit].parent
    return None


def _swapped(subject: Subject, claim: ApprovalRequest) -> None:
    spec = _spec(subject)
    matrix = subject.policy.matrix(claim.action, claim.department)
    if matrix is None:
        return
    firm = [step.role for step in matrix.routes[matrix.tier(claim.amount.amount)]]
    branch = _branch(spec, claim.department)
    decision = subject.engine.route_approval(claim)
    got = list(decision.route.roles) if decision.route is not None else []
    if branch is None or spec.replaces not in firm:
        expected: Any = firm
    elif not any(u.admin and u.parent == branch for u in spec.units):
        expected = Outcome.DENY
    else:
        swapped = [spec.reviewer_role if role == spec.replaces else role for role in firm]
        expected = list(dict.fromkeys(swapped))
    if expected is Outcome.DENY:
        if decision.outcome is not Outcome.DENY:
            raise Violation(
                "BR-01", "a branch without an admin department must deny", claim, [decision]
            )
    elif got != expected:
        where = f"branch {branch}" if branch else "head office"
        raise Violation(
            "BR-01",
            f"the route at {claim.department} ({where}) must be {expected}, not {got}",
            claim,
            [decision],
        )


PROPERTIES = (
    Property(
        "BR-01",
        "branch-review",
        "at a branch the branch admin department reviews instead of finance; elsewhere no change",
        _claims,
        _swapped,
    ),
)
"""The properties a replacement must keep (also registered by the plugin for ``check()``)."""

"""The branch office plugin's own hook: the check of a target split."""

from __future__ import annotations

from collections.abc import Iterable

from agency_branch_office.entities import TargetSplit
from agency_core.decision import Finding
from agency_core.hookspecs import hookspec
from agency_core.policy import Policy


@hookspec
def agency_check_target_split(check: TargetSplit, policy: Policy) -> Iterable[Finding] | None:
    """Check a sales target split by quarter, month and person (BR-02).

    :param check: the annual target and its splits.
    :param policy: the compiled policy in force.
    :returns: findings (a DENY for every split that does not add up), or None.
    """

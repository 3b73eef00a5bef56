"""The HR plugin's own check hooks, one per kind of request it registers."""

from __future__ import annotations

from collections.abc import Iterable

from agency_core.decision import Finding
from agency_core.hookspecs import hookspec
from agency_core.policy import Policy
from agency_hr.entities import Appeal, LeaveCheck, Resignation


@hookspec
def agency_check_leave(check: LeaveCheck, policy: Policy) -> Iterable[Finding] | None:
    """Check a leave: requested in advance, approved before it begins (HR-01).

    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_resignation(check: Resignation, policy: Policy) -> Iterable[Finding] | None:
    """Check a resignation application: in writing, the set time in advance (HR-05).

    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_performance_appeal(check: Appeal, policy: Policy) -> Iterable[Finding] | None:
    """Check that a performance appeal is filed within the window (HR-04).

    :returns: findings, or None when the plugin has nothing to say.
    """

"""The business department's own hooks (added to the engine in ``agency_addhooks``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agency_core.hookspecs import hookspec

if TYPE_CHECKING:
    from agency_business.entities import CaseIntake
    from agency_core.decision import Finding
    from agency_core.policy import Policy


@hookspec
def agency_check_case_intake(check: CaseIntake, policy: Policy) -> Iterable[Finding] | None:
    """Check an application for a case before it is taken on (BIZ-01, BIZ-02).

    :param check: the service item asked for and the materials handed in.
    :param policy: the compiled policy in force (``[plugins.business]`` as its ``business``
        section).
    :returns: findings (a BIZ-02 finding lists every missing material at once), or None when the
        plugin has nothing to say.
    """

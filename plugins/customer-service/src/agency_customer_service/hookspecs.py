"""The customer-service plugin's own hooks, added to the engine in ``agency_addhooks``."""

from __future__ import annotations

from collections.abc import Iterable

from agency_core.decision import Finding
from agency_core.hookspecs import hookspec
from agency_core.policy import Policy
from agency_customer_service.entities import Complaint


@hookspec
def agency_check_complaint(check: Complaint, policy: Policy) -> Iterable[Finding] | None:
    """Check that a complaint is recorded as CS-01 requires (at once, with content, demand and
    contact).

    :param check: the complaint as recorded.
    :param policy: the compiled policy in force (section ``customer_service``).
    :returns: findings, or None when the plugin has nothing to say.
    """

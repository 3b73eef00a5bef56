"""The admin plugin's own check hooks, one per kind of request it registers."""

from __future__ import annotations

from collections.abc import Iterable

from agency_admin.entities import AdminAct, PurchasePayment, SealUse
from agency_core.decision import Finding
from agency_core.hookspecs import hookspec
from agency_core.policy import Policy


@hookspec
def agency_check_seal_use(check: SealUse, policy: Policy) -> Iterable[Finding] | None:
    """Check a seal's use: approved application, named document, never blank (ADM-01, ADM-02).

    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_admin_act(check: AdminAct, policy: Policy) -> Iterable[Finding] | None:
    """Check that supplies, repairs, scrapping, asset registration are approved (ADM-03/04/07).

    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_purchase_payment(
    check: PurchasePayment, policy: Policy
) -> Iterable[Finding] | None:
    """Check that goods were accepted against the contract before payment (ADM-06).

    :returns: findings, or None when the plugin has nothing to say.
    """

"""The hooks of agency-core: the public API between the engine and policy plugins.

Three kinds of hook, never mixed (see ``docs/hooks.md``):

* **checks** (``agency_check_*``) are called on every plugin; each returns the findings it has,
  and the engine combines them (deny overrides; plugin order never matters);
* **lookups** answer one question; the first non-None answer wins (``firstresult``), and the
  bundled default is registered ``trylast`` so a firm's plugin overrides it;
* **events** (``agency_decision_made``) let plugins observe a decision, never change it.

The engine calls every hook with keyword arguments. A plugin that raises from a check or a lookup
makes the decision deny, naming the plugin and the hook (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from agency_core.checks import (
        ChargeCheck,
        CollectionCheck,
        DestructionCheck,
        DisposalCheck,
        DutyCheck,
        InvoiceCheck,
        RecordCheck,
        RoleGrant,
        StepCheck,
    )
    from agency_core.decision import Decision, Finding, Route
    from agency_core.entities import ApprovalRequest
    from agency_core.policy import Policy, Retention, RetentionRule

PROJECT = "agency_core"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Mark a plugin's function as a hook implementation: ``@hookimpl def agency_check_charge(...)``."""

# -------------------------------------------------------------------------------------------------
# Lookups: one answer, the first non-None wins. Bundled defaults are registered trylast.
# -------------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def agency_approval_route(request: ApprovalRequest, policy: Policy) -> Route | None:
    """Return the approval route for ``request`` (APR-01, APR-02, APR-08).

    :param request: the action, amount, department and requester to route.
    :param policy: the compiled policy in force.
    :returns: the ordered steps and the findings that explain them (a route with no steps means no
        approval is needed), or None to let another plugin answer. When no plugin answers, the
        engine denies the request: an action without a route is a gap in the policy.

    Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def agency_retention_rule(record_class: str, policy: Policy) -> RetentionRule | None:
    """Return the retention rule of ``record_class`` (RET-01).

    :param record_class: a record class code such as ``"voucher"``.
    :param policy: the compiled policy in force.
    :returns: how long the class is kept and from when it counts, or None to let another plugin
        answer. A class nobody answers for is unknown: a disposal of such a record is denied.

    Stops at the first non-None result.
    """


# -------------------------------------------------------------------------------------------------
# Checks: every plugin is asked; each returns its findings. None and an empty iterable both mean
# "nothing to say". A DENY finding denies, an APPROVAL finding needs approval.
# -------------------------------------------------------------------------------------------------


@hookspec
def agency_check_charge(check: ChargeCheck, policy: Policy) -> Iterable[Finding] | None:
    """Check a charge against its contract and the published fee schedule (FEE-01..04, FEE-08).

    :param check: the charge, its contract, and the published schedules.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_invoice(check: InvoiceCheck, policy: Policy) -> Iterable[Finding] | None:
    """Check that an invoice matches the business actually done (FEE-05, FEE-08).

    :param check: the invoice, the case's charges, and the charges already invoiced.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_collection(check: CollectionCheck, policy: Policy) -> Iterable[Finding] | None:
    """Check a collection of payment for work done (FEE-07).

    :param check: the case, the amount, the time, the charges and the settlement statement.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_approval(
    request: ApprovalRequest, route: Route, policy: Policy
) -> Iterable[Finding] | None:
    """Check an approval request once its route is known (for example credit limits, FIN-03).

    :param request: the request being routed.
    :param route: the route the lookup gave.
    :param policy: the compiled policy in force.
    :returns: findings; an APPROVAL finding adds nothing to the route, it says why approval is
        needed; a DENY finding refuses the request outright. None when there is nothing to say.
    """


@hookspec
def agency_check_step(check: StepCheck, policy: Policy) -> Iterable[Finding] | None:
    """Check that an employee may take an approval step (APR-04..07, SOD-01, SOD-04).

    :param check: the request, its route, the step action, the actor (and principal when a delegate
        acts), the steps already taken and the delegations in force.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_duty(check: DutyCheck, policy: Policy) -> Iterable[Finding] | None:
    """Check that a person may perform a duty on a subject (SOD-03, dynamic conflicts).

    :param check: the subject, the duty, the actor and the duties performed before.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_role_grant(check: RoleGrant, policy: Policy) -> Iterable[Finding] | None:
    """Check that giving a role to an employee breaks no static conflict (SOD-02).

    :param check: the employee (with the roles they hold) and the role to grant.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_disposal(
    check: DisposalCheck, retention: Retention, policy: Policy
) -> Iterable[Finding] | None:
    """Check that a record may be destroyed on a date (RET-01..03, RET-06).

    :param check: the record and the date.
    :param retention: the record's retention as the lookups gave it (due date, deciding class).
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_destruction(
    check: DestructionCheck, retention: dict[str, Retention], policy: Policy
) -> Iterable[Finding] | None:
    """Check a destruction list against the destruction procedure (RET-04).

    :param check: the destruction list, the listed records and the staff who signed.
    :param retention: each listed record's retention, by record number.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_record(check: RecordCheck, policy: Policy) -> Iterable[Finding] | None:
    """Check how a record is kept: numbering, loans, backups (RET-05, RET-06, RET-07).

    :param check: the record and the date of the check.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """


# -------------------------------------------------------------------------------------------------
# Events: observe, never change.
# -------------------------------------------------------------------------------------------------


@hookspec
def agency_decision_made(request: object, decision: Decision) -> None:
    """Called after every decision the engine makes, with the request that produced it.

    :param request: the check or approval request that was decided.
    :param decision: the decision, final: implementations must not try to change it.

    The return value is ignored. An implementation that raises turns the decision into a deny
    (an unrecorded decision must not allow anything) naming the plugin.
    """

"""The hooks of agency-core: the public API between the engine and policy plugins.

Three kinds of hook, never mixed (see ``docs/hooks.md``):

* **checks** (``agency_check_*``) are called on every plugin; each returns the findings it has,
  and the engine combines them (deny overrides; plugin order never matters);
* **lookups** answer one question; the first non-None answer wins (``firstresult``), and the
  bundled default is registered ``trylast`` so a firm's plugin overrides it;
* **events** (``agency_decision_made``) let plugins observe a decision, never change it;
* **registrations** (``agency_addhooks``, ``agency_register_*``) let a plugin bring its own hooks,
  request kinds, state machines, policy section, tables and sweeps, and commands.

The engine calls every hook with keyword arguments. A plugin that raises from a check or a lookup
makes the decision deny, naming the plugin and the hook (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from agency_core.calendar import Deadline, Period
    from agency_core.decision import Decision, Finding, Route
    from agency_core.entities import ApprovalRequest
    from agency_core.kinds import Kind, Registrar, Scene, Section
    from agency_core.plugins import HookRegistry
    from agency_core.policy import Policy, Retention, RetentionRule
    from agency_core.requests import (
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
    from agency_core.step_batch import StepBatch
    from agency_core.store.extension import StoreExtension
    from agency_core.testing.conformance import Property
    from agency_core.transitions import StateMachine, TransitionCheck

PROJECT = "agency_core"
hookspec = pluggy.HookspecMarker(PROJECT)
"""Mark a function as a hook specification (a plugin's own hooks, added in ``agency_addhooks``)."""
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Mark a plugin's function as a hook implementation: ``@hookimpl def agency_check_charge(...)``."""


# -------------------------------------------------------------------------------------------------
# Start-up: what plugins bring besides rules. Called once, while the engine is composed.
# -------------------------------------------------------------------------------------------------


@hookspec(historic=True)
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    """Add the hook specs a plugin brings, as pytest's ``pytest_addhooks`` does.

    :param pluginmanager: call ``pluginmanager.add_hookspecs(module)`` with a module or class of
        ``@hookspec`` functions, every one named ``agency_...``. A name another plugin (or the
        core) already declares is refused, naming both.

    Historic: a plugin registered later is called too. The return value is ignored.
    """


@hookspec
def agency_register_kinds(register: Registrar[Kind]) -> None:
    """Register the request kinds a plugin decides, as llm's ``register_models(register)``.

    :param register: call ``register(Kind(...))`` once per kind. The engine then decides that
        kind like the built-in ones: ``decide``, ``decide_many``, ``agency decide`` (JSON in and
        out), ``agency schema`` and the decision log. A name already registered is refused,
        naming both plugins.

    The return value is ignored.
    """


@hookspec
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    """Register state machines: subjects whose transitions are checked (``kind: "transition"``).

    :param register: call ``register(StateMachine(...))`` once per subject kind (a complaint, a
        case, an audit finding...). A subject kind already registered is refused.

    The return value is ignored.
    """


@hookspec
def agency_register_policy(register: Registrar[Section]) -> None:
    """Register a plugin's policy section: the table ``[plugins.NAME]`` of a policy file.

    :param register: call ``register(Section(name, spec))``; ``spec`` is a frozen attrs class whose
        fields all have defaults (the plugin's shipped defaults). The policy file's table is
        structured with the strict converter, its errors name ``$.plugins.NAME...``, and the
        section's effective values are part of the policy's sha256.

    The return value is ignored.
    """


@hookspec
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    """Register what a plugin keeps in the store: its tables, migrations and audit sweeps.

    :param register: call ``register(StoreExtension(...))`` with the plugin's Alembic branch
        (a ``branch_labels`` name and its versions directory), its SQLAlchemy ``MetaData`` and
        its set-based sweeps. ``agency db upgrade`` applies every branch; ``agency audit`` runs
        every sweep.

    The return value is ignored.
    """


@hookspec
def agency_register_properties(register: Registrar[Property]) -> None:
    """Declare the properties a replacement of this plugin must keep, for the conformance kit.

    :param register: call ``register(Property(...))`` (``agency_core.testing.conformance``) once
        per invariant, under the plugin's own control IDs; its ``examples`` strategy should draw
        from the plugin's own policy section (its departments, roles, actions). ``check()`` and
        ``pytest --agency-conformance`` run them with the core's properties.

    The return value is ignored.
    """


@hookspec
def agency_register_demos(register: Registrar[Scene]) -> None:
    """Register a plugin's scenes for ``agency demo``: its department at work in the firm's day.

    :param register: call ``register(Scene(name, title_en, title_zh, run))``; ``run(store, say)``
        acts on the demo's store (every branch migrated, the engine with every plugin) and tells
        what happened through ``say``.

    The return value is ignored.
    """


@hookspec
def agency_register_commands(cli: click.Group) -> None:
    """Add ``agency`` subcommands, as datasette's ``register_commands(cli)`` does.

    :param cli: the ``agency`` click group; decorate functions with ``@cli.command()``.

    The return value is ignored.
    """


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


@hookspec
def agency_approval_routes(steps: StepBatch, policy: Policy) -> Sequence[Route | None] | None:
    """The batch form of :func:`agency_approval_route`, for :meth:`Engine.check_steps
    <agency_core.Engine.check_steps>`; optional, for speed.

    A plugin that implements it implements ``agency_approval_route`` too, and answers for every
    row ``i`` what ``agency_approval_route`` answers for ``steps.request(i)``. When it raises or
    answers garbage, the engine asks ``agency_approval_route`` row by row instead.

    :param steps: the step questions, as columns; their requests carry no budget.
    :param policy: the compiled policy in force.
    :returns: one route or None (let the next plugin answer) per row, in order; or None for
        every row.
    """


@hookspec(firstresult=True)
def agency_deadline(start: datetime, period: Period, policy: Policy) -> Deadline | None:
    """Return when a period that starts with an event at ``start`` ends (CS-02, BIZ-04, ...).

    :param start: the event (an aware datetime); the period counts from the next day (民法典 §201).
    :param period: how many working or calendar days.
    :param policy: the compiled policy in force (its time zone and working calendar).
    :returns: the last day and the instant the period ends, or None to let another plugin answer.
        The bundled default counts on the policy's working calendar and raises
        :class:`~agency_core.errors.CalendarError` for a year the calendar does not know.

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
def agency_check_steps(
    steps: StepBatch, routes: Sequence[Route | None], policy: Policy
) -> Iterable[tuple[int, Finding]] | None:
    """The batch form of :func:`agency_check_step`, for :meth:`Engine.check_steps
    <agency_core.Engine.check_steps>`; optional, for speed.

    A plugin that implements it implements ``agency_check_step`` too, and for every row ``i``
    whose route is not None it must say what ``agency_check_step`` says of
    ``steps.check(i, routes[i])``: the kit's ``batch-agrees`` property checks that. When it
    raises or answers garbage, the engine asks ``agency_check_step`` row by row instead.

    :param steps: the step questions, as columns.
    :param routes: per row, the route the policy gives its request; None for rows that are
        already decided (no route, or a route lookup that failed), which the plugin skips.
    :param policy: the compiled policy in force.
    :returns: ``(row, finding)`` pairs, each row's findings in the order ``agency_check_step``
        gives them, or None when the plugin has nothing to say.
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


@hookspec
def agency_check_transition(
    check: TransitionCheck, machine: StateMachine, policy: Policy
) -> Iterable[Finding] | None:
    """Check that a subject may move from one state to another (a complaint closed, a case...).

    :param check: the subject kind and id, the states, the actor, the time, the subject's data
        and the transitions it went through before.
    :param machine: the subject kind's state machine (the engine has already refused a
        transition the machine does not know).
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say (for another subject kind).
    """


# -------------------------------------------------------------------------------------------------
# Events: observe, never change.
# -------------------------------------------------------------------------------------------------


@hookspec
def agency_decision_made(request: object, decision: Decision) -> Callable[[], None] | None:
    """Called with every decision the engine makes and the request that produced it.

    :param request: the request that was decided.
    :param decision: the decision; implementations cannot change it.
    :returns: None, or a callable the engine calls once the decision is final (record it there:
        a log keeps exactly what the host receives).

    Raising vetoes: the decision becomes a deny with an ENG-01 finding naming the plugin (an
    unrecorded decision must not allow anything), and every observer is asked again with the
    new decision until no new veto comes; only the callables returned for the final decision are
    called. Every observer is asked whatever the others do, so registration order never matters.
    """

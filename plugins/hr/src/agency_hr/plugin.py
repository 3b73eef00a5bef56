"""The HR plugin, registered under the entry point ``hr``: hook implementations only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.transitions import StateMachine, TransitionCheck
from agency_hr import hookspecs, rules
from agency_hr.entities import Appeal, Clearance, LeaveCheck, Resignation
from agency_hr.policy import HrPolicy

if TYPE_CHECKING:
    from agency_core.store.extension import StoreExtension
    from agency_core.testing.conformance import Property


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(Kind("leave", LeaveCheck, "agency_check_leave", actor=lambda r: r.leave.employee))
    register(Kind("resignation", Resignation, "agency_check_resignation", lambda r: r.employee))
    register(
        Kind("performance_appeal", Appeal, "agency_check_performance_appeal", lambda r: r.employee)
    )


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    register(
        StateMachine(
            rules.RESIGNATION,
            "applied",
            {"applied": {"completed", "withdrawn"}},
            # StateMachine converts closed with a bare ``frozenset``, which mypy cannot type.
            closed={"completed", "withdrawn"},
            data=Clearance,
        )
    )


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section("hr", HrPolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_hr import store  # SQLAlchemy only for a store

    register(store.extension())


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_hr.conformance import PROPERTIES

    for prop in PROPERTIES:
        register(prop)


@hookimpl
def agency_register_commands(cli: click.Group) -> None:
    @cli.group("hr")
    def hr() -> None:
        """The HR department's controls (agency-hr)."""

    @hr.command("demo")
    @click.pass_context
    def demo(ctx: click.Context) -> None:
        """Leave, a resignation and an appeal on a scratch SQLite store, with the audit."""
        import agency_hr.plugin
        from agency_core.engine import Engine
        from agency_hr.demo import run

        policy = getattr(ctx.find_root().obj, "policy", None)
        engine = Engine.from_policy(policy, entry_points=False, plugins=[agency_hr.plugin])
        run(engine, click.echo)


@hookimpl
def agency_check_leave(check: LeaveCheck, policy: Policy) -> Iterator[Finding]:
    return rules.check_leave(check, policy)


@hookimpl
def agency_check_resignation(check: Resignation, policy: Policy) -> Iterator[Finding]:
    return rules.check_resignation(check, policy)


@hookimpl
def agency_check_performance_appeal(check: Appeal, policy: Policy) -> Iterator[Finding]:
    return rules.check_appeal(check, policy)


@hookimpl
def agency_check_transition(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    session = sys.modules.get("agency_core.store.session")
    if session is not None and session.active_transaction() is not None:
        from agency_hr import store  # a transaction is open: the store is loaded already

        check = store.with_stored_clearance(check)
    return rules.check_clearance(check, policy)


def _scene(store: Any, say: Callable[[str], None]) -> None:
    """The department's story in ``agency demo``."""
    from agency_hr import demo as story

    story.run(store.engine, say)


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(
        Scene("hr", "HR: leave, a resignation and an appeal", "人事：请假、辞职与申诉", _scene)
    )

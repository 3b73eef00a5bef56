"""The admin plugin, registered under the entry point ``admin``: hook implementations only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click

from agency_admin import hookspecs, rules
from agency_admin.entities import AdminAct, PurchasePayment, ResolutionDone, SealReturn, SealUse
from agency_admin.policy import AdminPolicy
from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.transitions import StateMachine, TransitionCheck

if TYPE_CHECKING:
    from agency_core.store.extension import StoreExtension
    from agency_core.testing.conformance import Property


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(Kind("seal_use", SealUse, "agency_check_seal_use", lambda r: r.user.id))
    register(Kind("admin_act", AdminAct, "agency_check_admin_act", lambda r: r.actor))
    register(Kind("purchase_payment", PurchasePayment, "agency_check_purchase_payment"))


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    # StateMachine converts ``closed`` with a bare ``frozenset``, which mypy cannot type.
    register(
        StateMachine(
            rules.SEAL_USE,
            "out",
            {"out": {"returned"}},
            closed={"returned"},
            data=SealReturn,
        )
    )
    register(
        StateMachine(
            rules.RESOLUTION,
            "assigned",
            {"assigned": {"in_progress", "done"}, "in_progress": {"done"}},
            closed={"done"},
            data=ResolutionDone,
        )
    )


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section("admin", AdminPolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_admin import store  # SQLAlchemy only for a store

    register(store.extension())


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_admin.conformance import PROPERTIES

    for prop in PROPERTIES:
        register(prop)


@hookimpl
def agency_register_commands(cli: click.Group) -> None:
    @cli.group("admin")
    def admin() -> None:
        """The admin department's controls (agency-admin)."""

    @admin.command("demo")
    @click.pass_context
    def demo(ctx: click.Context) -> None:
        """A seal's day on a scratch SQLite store: refusals, the audit, the return."""
        import agency_admin.plugin
        from agency_admin.demo import run
        from agency_core.engine import Engine

        policy = getattr(ctx.find_root().obj, "policy", None)
        engine = Engine.from_policy(policy, entry_points=False, plugins=[agency_admin.plugin])
        run(engine, click.echo)


@hookimpl
def agency_check_seal_use(check: SealUse, policy: Policy) -> Iterator[Finding]:
    return rules.check_seal_use(check, policy)


@hookimpl
def agency_check_admin_act(check: AdminAct, policy: Policy) -> Iterator[Finding]:
    return rules.check_act(check, policy)


@hookimpl
def agency_check_purchase_payment(check: PurchasePayment, policy: Policy) -> Iterator[Finding]:
    return rules.check_payment(check, policy)


@hookimpl
def agency_check_transition(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    seal = check
    session = sys.modules.get("agency_core.store.session")
    if session is not None and session.active_transaction() is not None:
        from agency_admin import store  # a transaction is open: the store is loaded already

        seal = store.with_stored_custodian(check)
    yield from rules.check_seal_return(seal, policy)
    yield from rules.check_resolution(check, policy)


def _scene(store: Any, say: Callable[[str], None]) -> None:
    """The department's story in ``agency demo``."""
    from agency_admin import demo as story

    story.run(store.engine, say)


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(
        Scene(
            "admin",
            "Admin: a seal applied for, used and returned",
            "行政部：印章的申请、使用与归还",
            _scene,
        )
    )

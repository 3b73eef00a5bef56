"""The customer-service plugin (客服部), registered by the entry point ``customer_service``."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.transitions import StateMachine, TransitionCheck
from agency_customer_service import hookspecs, rules
from agency_customer_service.entities import Complaint
from agency_customer_service.machines import MACHINES
from agency_customer_service.policy import CustomerServicePolicy

if TYPE_CHECKING:
    import click

    from agency_core.store.extension import StoreExtension
    from agency_core.testing.conformance import Property


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(Kind("complaint", Complaint, "agency_check_complaint", lambda c: c.recorded_by))


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    for machine in MACHINES:
        register(machine)


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section(rules.SECTION, CustomerServicePolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_customer_service.store import EXTENSION  # SQLAlchemy only when a store is used

    register(EXTENSION)


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_customer_service.conformance import PROPERTIES  # hypothesis only for the kit

    for prop in PROPERTIES:
        register(prop)


@hookimpl
def agency_check_complaint(check: Complaint, policy: Policy) -> Iterable[Finding]:
    return list(rules.check_complaint(check, policy))


@hookimpl
def agency_check_transition(
    check: TransitionCheck, machine: StateMachine, policy: Policy
) -> Iterable[Finding]:
    return list(rules.check_move(check, policy))


@hookimpl
def agency_register_commands(cli: click.Group) -> None:
    @cli.group("customer-service")
    def group() -> None:
        """Customer service (客服部): complaints, inquiries and follow-up visits."""

    @group.command("demo")
    def demo() -> None:
        """Follow a complaint from receipt to close, with its escalation, on a scratch SQLite."""
        import click

        import agency_core.store as st
        from agency_core import Engine
        from agency_customer_service.story import walkthrough

        engine = Engine(plugins=[sys.modules[__name__]], entry_points=False)
        with tempfile.TemporaryDirectory() as directory:
            store = st.open(f"sqlite:///{directory}/demo.db", engine=engine)
            try:
                store.upgrade()
                for line in walkthrough(store):
                    click.echo(line)
            finally:
                store.dispose()


def _scene(store: Any, say: Callable[[str], None]) -> None:
    """The department's story in ``agency demo``."""
    from agency_customer_service.story import walkthrough

    for line in walkthrough(store):
        say(line)


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(
        Scene(
            "customer_service",
            "Customer service: a complaint, its escalation and close",
            "客服部：一件投诉的受理、升级与结案",
            _scene,
        )
    )

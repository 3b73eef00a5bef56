"""The business department plugin (entry point ``business``): hook implementations only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agency_business import hookspecs, rules
from agency_business.entities import CaseIntake
from agency_business.machines import CASE, TASK
from agency_business.policy import SECTION, BusinessPolicy
from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.transitions import StateMachine, TransitionCheck

if TYPE_CHECKING:
    import click

    from agency_core.store.extension import StoreExtension
    from agency_core.testing.conformance import Property

_VERSIONS = Path(__file__).parent / "migrations" / "versions"


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(Kind("case_intake", CaseIntake, "agency_check_case_intake", lambda r: r.actor))


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    register(CASE)
    register(TASK)


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section(SECTION, BusinessPolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_business.store import metadata  # SQLAlchemy only when a store is composed
    from agency_business.sweeps import SWEEPS
    from agency_core.store.extension import StoreExtension

    register(StoreExtension("business", _VERSIONS, metadata, SWEEPS))


@hookimpl
def agency_register_commands(cli: click.Group) -> None:
    from agency_business.commands import business

    cli.add_command(business)


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_business.conformance import PROPERTIES  # hypothesis only when the kit runs

    for prop in PROPERTIES:
        register(prop)


@hookimpl
def agency_check_case_intake(check: CaseIntake, policy: Policy) -> Iterable[Finding]:
    return rules.check_intake(check, policy.section(SECTION, BusinessPolicy))


@hookimpl
def agency_check_transition(
    check: TransitionCheck, machine: StateMachine, policy: Policy
) -> Iterable[Finding] | None:
    if check.subject_kind != CASE.subject:
        return None
    return rules.guard(check, policy.section(SECTION, BusinessPolicy))


def _scene(store: Any, say: Callable[[str], None]) -> None:
    """The department's story in ``agency demo``."""
    from agency_business import demo as story

    story.run(store, say)


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(
        Scene(
            "business",
            "Business: a case from inquiry to closed file",
            "业务部：一件代办业务从咨询到结案",
            _scene,
        )
    )

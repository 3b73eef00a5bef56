"""The branch office plugin (entry point ``branch_office``): hook implementations only.

Its route lookup is registered ``tryfirst`` and answers only for expense claims of departments
the reporting tree places under a branch, so it replaces the bundled route there and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agency_branch_office import hookspecs, rules
from agency_branch_office.entities import TargetSplit, UnitFacts
from agency_branch_office.policy import BranchOfficePolicy
from agency_branch_office.tree import SECTION
from agency_core.decision import Finding, Route
from agency_core.entities import ApprovalRequest
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.requests import StepCheck
from agency_core.step_batch import StepBatch
from agency_core.transitions import StateMachine, TransitionCheck

if TYPE_CHECKING:
    from agency_core.store.extension import StoreExtension
    from agency_core.testing.conformance import Property


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(Kind("target_split", TargetSplit, "agency_check_target_split"))


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    register(
        StateMachine(
            rules.UNIT,
            "drafted",
            {
                "drafted": frozenset({"applied"}),
                "applied": frozenset({"approved"}),
                "approved": frozenset({"registered"}),
                "registered": frozenset({"change_applied"}),
                "change_applied": frozenset({"change_approved"}),
                "change_approved": frozenset({"registered"}),
            },
            closed=frozenset({"registered"}),
            data=UnitFacts,
        )
    )


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section(SECTION, BranchOfficePolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_branch_office.store import SWEEPS, metadata  # SQLAlchemy only for a store
    from agency_core.store.extension import StoreExtension

    register(
        StoreExtension(
            "branch_office", Path(__file__).parent / "migrations" / "versions", metadata, SWEEPS
        )
    )


@hookimpl(tryfirst=True)
def agency_approval_route(request: ApprovalRequest, policy: Policy) -> Route | None:
    return rules.branch_route(request, policy)


@hookimpl(tryfirst=True)
def agency_approval_routes(steps: StepBatch, policy: Policy) -> list[Route | None]:
    return rules.branch_routes(steps, policy)


@hookimpl
def agency_check_step(check: StepCheck, policy: Policy) -> Iterator[Finding]:
    return rules.check_step(check, policy)


@hookimpl
def agency_check_steps(
    steps: StepBatch, routes: Sequence[Route | None], policy: Policy
) -> Iterator[tuple[int, Finding]]:
    return rules.check_steps(steps, routes, policy)


@hookimpl
def agency_check_target_split(check: TargetSplit) -> Iterator[Finding]:
    return rules.check_targets(check)


@hookimpl
def agency_check_transition(check: TransitionCheck, policy: Policy) -> Iterator[Finding] | None:
    if check.subject_kind != rules.UNIT:
        return None
    return rules.check_unit(check, policy)


def _scene(store: Any, say: Callable[[str], None]) -> None:
    """The department's story in ``agency demo``."""
    from agency_branch_office import demo as story

    story.run(store, say)


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(
        Scene(
            "branch_office",
            "Branch office: a branch's claim, its targets and a service desk",
            "分支机构：分公司的报销、销售目标与服务网点",
            _scene,
        )
    )


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_branch_office.conformance import PROPERTIES

    for prop in PROPERTIES:
        register(prop)

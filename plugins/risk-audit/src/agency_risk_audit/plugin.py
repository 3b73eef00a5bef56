"""The risk and audit plugin (entry point ``risk_audit``): hook implementations only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Scene, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_core.transitions import StateMachine, TransitionCheck
from agency_risk_audit import hookspecs, rules
from agency_risk_audit.entities import AuditFacts, FindingFacts, IndicatorReading, Risk
from agency_risk_audit.policy import RiskAuditPolicy

if TYPE_CHECKING:
    from agency_core.store.extension import StoreExtension

if TYPE_CHECKING:
    from agency_core.testing.conformance import Property


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(Kind("risk", Risk, "agency_check_risk", actor=lambda risk: risk.owner))
    register(Kind("indicator_reading", IndicatorReading, "agency_check_indicator_reading"))


@hookimpl
def agency_register_machines(register: Registrar[StateMachine]) -> None:
    register(
        StateMachine(
            rules.AUDIT,
            "planned",
            {"planned": frozenset({"fieldwork"}), "fieldwork": frozenset({"reported"})},
            closed=frozenset({"reported"}),
            data=AuditFacts,
        )
    )
    register(
        StateMachine(
            rules.FINDING,
            "open",
            {"open": frozenset({"rectified"}), "rectified": frozenset({"closed", "open"})},
            closed=frozenset({"closed"}),
            data=FindingFacts,
        )
    )


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section(rules.SECTION, RiskAuditPolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_core.store.extension import StoreExtension
    from agency_risk_audit.store import SWEEPS, metadata  # SQLAlchemy only for a store

    register(
        StoreExtension(
            "risk_audit",
            Path(__file__).parent / "migrations" / "versions",
            metadata,
            SWEEPS,
        )
    )


@hookimpl
def agency_check_risk(check: Risk, policy: Policy) -> Iterator[Finding]:
    return rules.check_risk(check, policy)


@hookimpl
def agency_check_indicator_reading(check: IndicatorReading) -> Iterator[Finding]:
    return rules.check_reading(check)


@hookimpl
def agency_check_transition(check: TransitionCheck) -> Iterator[Finding] | None:
    if check.subject_kind == rules.AUDIT:
        return rules.check_audit(check)
    if check.subject_kind == rules.FINDING:
        return rules.check_finding(check)
    return None


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_risk_audit.conformance import PROPERTIES  # hypothesis only when the kit runs

    for prop in PROPERTIES:
        register(prop)


def _scene(store: Any, say: Callable[[str], None]) -> None:
    """The department's story in ``agency demo``."""
    from agency_risk_audit import demo as story

    story.run(store, say)


@hookimpl
def agency_register_demos(register: Registrar[Scene]) -> None:
    register(
        Scene(
            "risk_audit",
            "Risk and audit: the register, a warning indicator, a finding closed",
            "风险与审计：风险登记、预警指标与问题整改销号",
            _scene,
        )
    )

"""The legal plugin (法务部), registered by the entry point ``legal``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy
from agency_legal import hookspecs, rules
from agency_legal.entities import ContractSigning, LegalReview
from agency_legal.policy import LegalPolicy

if TYPE_CHECKING:
    from agency_core.store.extension import StoreExtension
    from agency_core.testing.conformance import Property


@hookimpl
def agency_addhooks(pluginmanager: HookRegistry) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def agency_register_kinds(register: Registrar[Kind]) -> None:
    register(
        Kind("legal_review", LegalReview, "agency_check_legal_review", lambda r: r.reviewer.id)
    )
    register(
        Kind(
            "contract_signing", ContractSigning, "agency_check_contract_signing", lambda s: s.signer
        )
    )


@hookimpl
def agency_register_policy(register: Registrar[Section]) -> None:
    register(Section(rules.SECTION, LegalPolicy))


@hookimpl
def agency_register_store(register: Registrar[StoreExtension]) -> None:
    from agency_legal.store import EXTENSION  # SQLAlchemy only when a store is used

    register(EXTENSION)


@hookimpl
def agency_check_legal_review(check: LegalReview, policy: Policy) -> Iterable[Finding]:
    return list(rules.check_review(check, policy))


@hookimpl
def agency_check_contract_signing(check: ContractSigning, policy: Policy) -> Iterable[Finding]:
    return list(rules.check_signing(check, policy))


@hookimpl
def agency_register_properties(register: Registrar[Property]) -> None:
    from agency_legal.conformance import PROPERTIES  # hypothesis only when the kit runs

    for prop in PROPERTIES:
        register(prop)

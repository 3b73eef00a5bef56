"""The business plugin's conformance properties bite: the plugin passes them, and a replacement
with one realistic bug per control (BIZ-01..BIZ-09) is caught under exactly that control, at the
kit's default profile."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import agency_business.plugin as plugin
import pytest
from agency_business import hookspecs, rules
from agency_business.conformance import PROPERTIES
from agency_business.entities import CaseFacts, CaseIntake
from agency_business.machines import CASE, TASK
from agency_business.policy import SECTION, BusinessPolicy
from agency_business.rules import Guard
from agency_business.store import metadata
from agency_business.sweeps import SWEEPS

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.kinds import Kind, Registrar, Section
from agency_core.plugins import HookRegistry
from agency_core.policy import Policy, parse_policy
from agency_core.store.audit import Sweep
from agency_core.store.extension import StoreExtension
from agency_core.store.tracked import overdue_sweep
from agency_core.testing import conformance
from agency_core.transitions import StateMachine, TransitionCheck

FIRM = b"""
[plugins.business]
case_number_prefix = "YW"
notify_channels = ["email", "post"]
handover = ["proof_documents", "aftercare_notes", "original_documents"]

[plugins.business.services.bookkeeping]
name_zh = "\xe4\xbb\xa3\xe7\x90\x86\xe8\xae\xb0\xe8\xb4\xa6"
materials = ["service_agreement", "bank_statements"]

[plugins.business.services.tax_registration]
materials = ["application_form", "business_license"]
"""
"""A firm's own section: another scope, prefix, channel list and hand-over."""


VERSIONS = Path(plugin.__file__).parent / "migrations" / "versions"


def _firm() -> Policy:
    default = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()
    return parse_policy(default + FIRM, "firm.toml")


class Business:
    """The business plugin as a firm's developer copies it: the same hooks, with one part
    replaced (a guard, the intake check or the machine)."""

    def __init__(
        self,
        guards: dict[str, Guard] | None = None,
        intake: Any = None,
        machine: StateMachine = CASE,
        sweeps: tuple[Sweep, ...] = SWEEPS,
    ) -> None:
        self.guards = {state: rule for state, (_control, rule) in rules.GUARDS.items()}
        self.guards.update(guards or {})
        for state in [s for s, rule in self.guards.items() if rule is None]:
            del self.guards[state]
        self.intake = intake or rules.check_intake
        self.machine = machine
        self.sweeps = sweeps

    @hookimpl
    def agency_addhooks(self, pluginmanager: HookRegistry) -> None:
        pluginmanager.add_hookspecs(hookspecs)

    @hookimpl
    def agency_register_kinds(self, register: Registrar[Kind]) -> None:
        register(Kind("case_intake", CaseIntake, "agency_check_case_intake", lambda r: r.actor))

    @hookimpl
    def agency_register_machines(self, register: Registrar[StateMachine]) -> None:
        register(self.machine)
        register(TASK)

    @hookimpl
    def agency_register_policy(self, register: Registrar[Section]) -> None:
        register(Section(SECTION, BusinessPolicy))

    @hookimpl
    def agency_register_store(self, register: Registrar[StoreExtension]) -> None:
        register(StoreExtension("business", VERSIONS, metadata, self.sweeps))

    @hookimpl
    def agency_check_case_intake(self, check: CaseIntake, policy: Policy) -> Iterable[Finding]:
        return list(self.intake(check, policy.section(SECTION, BusinessPolicy)))

    @hookimpl
    def agency_check_transition(
        self, check: TransitionCheck, machine: StateMachine, policy: Policy
    ) -> Iterable[Finding] | None:
        if check.subject_kind != "case":
            return None
        rule = self.guards.get(check.to_state)
        spec = policy.section(SECTION, BusinessPolicy)
        if not isinstance(check.data, CaseFacts):
            return rules.guard(check, spec)  # fail closed, as the bundled plugin
        return [] if rule is None else list(rule(check, check.data, spec))


# -- the bugs ------------------------------------------------------------------------------------


def _accept_without_scope(check: TransitionCheck, facts: CaseFacts, spec: BusinessPolicy) -> Any:
    """BIZ-01: "intake already checked the scope", so acceptance does not."""
    return [f for f in rules._accept(check, facts, spec) if f.control != "BIZ-01"]


def _intake_first_missing(intake: CaseIntake, spec: BusinessPolicy) -> list[Finding]:
    """BIZ-02: the notice names the first missing material only."""
    findings = rules.check_intake(intake, spec)
    missing = sorted(spec.materials(intake.service_item) - intake.submitted)
    if not missing or findings[0].control != "BIZ-02":
        return findings
    return [rules._deny("BIZ-02", rules._MISSING, count=1, missing=missing[0])]


def _accept_number_prefix_only(
    check: TransitionCheck, facts: CaseFacts, spec: BusinessPolicy
) -> list[Finding]:
    """BIZ-03: ``re.match`` where ``re.fullmatch`` was meant: a longer number passes."""
    findings = [f for f in rules._accept(check, facts, spec) if f.control != "BIZ-03"]
    number = facts.case_number
    pattern = rf"{spec.case_number_prefix}-[0-9]{{4}}-[0-9]{{6}}"
    if number is None or not re.match(pattern, number):
        findings.append(rules._deny("BIZ-03", rules._NO_NUMBER, prefix="", subject="", number=""))
    return findings


def _work_tasks_only_from_plan(
    check: TransitionCheck, facts: CaseFacts, spec: BusinessPolicy
) -> list[Finding]:
    """BIZ-04: the task check forgotten when work resumes after a plan change."""
    findings = rules._work(check, facts, spec)
    if check.from_state == "replanning":
        return [f for f in findings if f.control != "BIZ-04"]
    return findings


def _finance_any_order(
    check: TransitionCheck, facts: CaseFacts, spec: BusinessPolicy
) -> list[Finding]:
    """BIZ-05: finance checks who approved, not in which order."""
    roles = {spec.settlement_manager_role, spec.settlement_finance_role}
    if roles <= set(facts.settlement_approved_by) and facts.settlement_approval == "approved":
        return []
    return [rules._deny("BIZ-05", rules._NO_INVOICE)]


_SKIPS_NOTICE = StateMachine(
    subject="case",
    initial=CASE.initial,
    transitions={**CASE.transitions, "reviewed": {"notified", "delivered"}},
    closed=frozenset(CASE.closed),  # type: ignore[arg-type]
    data=CaseFacts,
)
"""BIZ-06: a shortcut for results handed over in person: delivered without a notice."""


def _close_parts_only(
    check: TransitionCheck, facts: CaseFacts, spec: BusinessPolicy
) -> list[Finding]:
    """BIZ-08: the file's parts are checked, the application materials in them are not."""
    missing = set(spec.file_parts) - facts.file_parts
    if not missing:
        return []
    return [rules._deny("BIZ-08", rules._FILE_INCOMPLETE, missing_parts="", missing_materials="")]


def _deliver_anything(
    check: TransitionCheck, facts: CaseFacts, spec: BusinessPolicy
) -> list[Finding]:
    """BIZ-09: any one hand-over document is taken for the hand-over."""
    return [] if facts.handed_over else [rules._deny("BIZ-09", rules._NOT_HANDED, missing="")]


def _scope_of_the_defaults(intake: CaseIntake, spec: BusinessPolicy) -> list[Finding]:
    """BIZ-01: the scope read from the shipped example instead of the firm's section."""
    shipped = BusinessPolicy()
    if intake.service_item not in shipped.services:
        return [rules._deny("BIZ-01", rules._OUT_OF_SCOPE, service_item="", scope="")]
    return rules.check_intake(intake, spec)


_TASKS_ONLY = tuple(
    overdue_sweep("BIZ-04", "tasks past their deadline", "business_task")
    if sweep.control == "BIZ-04"
    else sweep
    for sweep in SWEEPS
)
"""BIZ-04: the overdue sweep narrowed to tasks: a case past its agreed date goes unreported."""

BROKEN = {
    "BIZ-01": Business(guards={"accepted": _accept_without_scope}),
    "BIZ-02": Business(intake=_intake_first_missing),
    "BIZ-03": Business(guards={"accepted": _accept_number_prefix_only}),
    "BIZ-04": Business(guards={"in_progress": _work_tasks_only_from_plan}),
    "BIZ-05": Business(guards={"finance_approved": _finance_any_order}),
    "BIZ-06": Business(machine=_SKIPS_NOTICE),
    "BIZ-07": Business(guards={"contracted": None}),  # type: ignore[dict-item]
    "BIZ-08": Business(guards={"closed": _close_parts_only}),
    "BIZ-09": Business(guards={"delivered": _deliver_anything}),
}
MORE_BROKEN = [("BIZ-04", Business(sweeps=_TASKS_ONLY))]
"""A second broken copy where a control has a second property (the store's sweep)."""


def test_every_control_has_a_property_and_a_broken_variant() -> None:
    controls = {f"BIZ-0{n}" for n in range(1, 10)}
    assert {p.id for p in PROPERTIES} == controls
    assert set(BROKEN) == controls


def test_the_plugin_registers_its_properties_for_the_kit() -> None:
    subject = conformance.Subject([plugin])
    keys = {p.key for p in conformance.all_properties(subject)}
    assert {p.key for p in PROPERTIES} <= keys


@pytest.mark.parametrize("policy", [None, _firm()], ids=["default", "firm"])
def test_the_plugin_keeps_every_property_in_time(policy: Policy | None) -> None:
    started = time.monotonic()
    report = conformance.check(plugins=[plugin], policy=policy, properties=PROPERTIES)
    assert report.failed == (), str(report)
    assert time.monotonic() - started < 60


def test_the_copy_without_a_bug_keeps_every_property() -> None:
    report = conformance.check(plugins=[Business()], properties=PROPERTIES)
    assert report.failed == (), str(report)


@pytest.mark.parametrize(("control", "broken"), [*sorted(BROKEN.items()), *MORE_BROKEN])
def test_a_broken_replacement_is_caught_under_its_control(control: str, broken: Business) -> None:
    report = conformance.check(plugins=[broken], only=[control], properties=PROPERTIES)
    assert report.failed == (control,), str(report)


def test_a_scope_read_from_the_shipped_defaults_is_caught_under_a_firms_policy() -> None:
    broken = Business(intake=_scope_of_the_defaults)
    assert conformance.check(plugins=[broken], only=["BIZ-01"], properties=PROPERTIES).failed == ()
    report = conformance.check(
        plugins=[broken], policy=_firm(), only=["BIZ-01"], properties=PROPERTIES
    )
    assert report.failed == ("BIZ-01",), str(report)

"""The branch-office plugin keeps its conformance properties, and each catches a broken copy.

Every broken variant is the plugin with one bug a firm's developer makes when copying it; it
wraps the bundled hook and feeds it through the bug, so the bug is the only difference. The kit
must report each under exactly its control ID, at the default profile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import agency_branch_office.plugin
import attrs
import pytest
from agency_branch_office import BranchOfficePolicy, TargetSplit
from agency_branch_office.conformance import PROPERTIES

from agency_core import Finding, Policy, hookimpl
from agency_core.builtin import approvals as bundled
from agency_core.decision import Route
from agency_core.entities import ApprovalRequest
from agency_core.kinds import Kind, Registrar, Section
from agency_core.plugins import HookRegistry
from agency_core.testing import conformance
from agency_core.testing.conformance import VERDICT
from agency_core.transitions import StateMachine, TransitionCheck

PLUGIN = agency_branch_office.plugin
FIRM = """
change_notice_days = 3
units = [
  { id = "hq", level = "head_office" },
  { id = "finance", level = "department", parent = "hq" },
  { id = "sh", level = "branch", parent = "hq" },
  { id = "sh-sales", level = "department", parent = "sh" },
  { id = "sh-admin", level = "department", parent = "sh", admin = true },
  { id = "bj", level = "branch", parent = "hq" },
  { id = "bj-sales", level = "department", parent = "bj" },
]
"""
"""A firm with two branches (Beijing without an admin department) and three days' notice."""


@pytest.fixture
def firm(policy_with: Callable[[str], Policy]) -> Policy:
    return policy_with(FIRM)


class _Branch:
    """The bundled branch-office plugin, unchanged; each subclass brings one bug."""

    __name__ = "firm_branch_office"

    @hookimpl
    def agency_addhooks(self, pluginmanager: HookRegistry) -> None:
        PLUGIN.agency_addhooks(pluginmanager=pluginmanager)

    @hookimpl
    def agency_register_kinds(self, register: Registrar[Kind]) -> None:
        PLUGIN.agency_register_kinds(register=register)

    @hookimpl
    def agency_register_machines(self, register: Registrar[StateMachine]) -> None:
        PLUGIN.agency_register_machines(register=register)

    @hookimpl
    def agency_register_policy(self, register: Registrar[Section]) -> None:
        PLUGIN.agency_register_policy(register=register)

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        return PLUGIN.agency_approval_route(request=request, policy=policy)

    @hookimpl
    def agency_check_target_split(self, check: TargetSplit) -> Iterator[Finding]:
        return PLUGIN.agency_check_target_split(check=check)

    @hookimpl
    def agency_check_transition(
        self, check: TransitionCheck, policy: Policy
    ) -> Iterator[Finding] | None:
        return PLUGIN.agency_check_transition(check=check, policy=policy)


class NoAdminFallsBackToFinance(_Branch):
    """BR-01: ``if admin is None: return firm``: a branch without an admin department keeps the
    firm's finance review instead of being refused (fails open)."""

    @hookimpl(tryfirst=True)
    def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
        route = PLUGIN.agency_approval_route(request=request, policy=policy)
        if route is not None and not route.steps:
            return bundled.agency_approval_route(request, policy)
        return route


class QuarterMonthsUnchecked(_Branch):
    """BR-02: only the year's totals are compared: a fen moved from March to April keeps the
    year even while Q1 and Q2 no longer match their months."""

    @hookimpl
    def agency_check_target_split(self, check: TargetSplit) -> Iterator[Finding]:
        for finding in PLUGIN.agency_check_target_split(check=check):
            if not str(finding.facts["part"]).startswith("months of"):
                yield finding


class OneFenTolerance(_Branch):
    """BR-02: ``abs(total - expected) > Decimal("0.01")``: a "rounding tolerance" lets a split
    one fen off pass."""

    @hookimpl
    def agency_check_target_split(self, check: TargetSplit) -> Iterator[Finding]:
        for finding in PLUGIN.agency_check_target_split(check=check):
            gap = abs(
                Decimal(str(finding.facts["total"])) - Decimal(str(finding.facts["expected"]))
            )
            if gap > Decimal("0.01"):
                yield finding


class ChangeNoticeInUtc(_Branch):
    """BR-03: ``check.at.date()``: the notice counts from the UTC day, so a change applied for
    between midnight and 08:00 in Shanghai gets a day less notice."""

    @hookimpl
    def agency_check_transition(
        self, check: TransitionCheck, policy: Policy
    ) -> Iterator[Finding] | None:
        at = datetime.combine(check.at.astimezone(UTC).date(), time(12), ZoneInfo(policy.timezone))
        return PLUGIN.agency_check_transition(check=attrs.evolve(check, at=at), policy=policy)


class ChangeApprovalUnguarded(_Branch):
    """BR-03: ``elif to == "approved":``: the management guard is forgotten for the approval of
    a change."""

    @hookimpl
    def agency_check_transition(
        self, check: TransitionCheck, policy: Policy
    ) -> Iterator[Finding] | None:
        if check.subject_kind == "service_unit" and check.to_state == "change_approved":
            return iter(())
        return PLUGIN.agency_check_transition(check=check, policy=policy)


class ApplicationWithoutBudget(_Branch):
    """BR-03: the copy lists ``("plan", "staffing", "premises")``: an application without a
    budget is accepted."""

    @hookimpl
    def agency_check_transition(
        self, check: TransitionCheck, policy: Policy
    ) -> Iterator[Finding] | None:
        if check.subject_kind == "service_unit" and check.to_state == "applied" and check.data:
            check = attrs.evolve(check, data=attrs.evolve(check.data, budget="四十万元"))
        return PLUGIN.agency_check_transition(check=check, policy=policy)


class ShortcutToRegistration(_Branch):
    """BR-03: the machine lets an applied unit be registered without management's approval."""

    @hookimpl
    def agency_register_machines(self, register: Registrar[StateMachine]) -> None:
        def shortcut(machine: StateMachine) -> None:
            moves = dict(machine.transitions)
            moves["applied"] = moves["applied"] | {"registered"}
            register(attrs.evolve(machine, transitions=moves))

        PLUGIN.agency_register_machines(register=shortcut)


class HardCodedApprovers(_Branch):
    """BR-03: the copy names the bundled approver roles in code instead of reading
    ``approver_roles``: a firm whose general manager holds 总经理 can never approve, and one who
    only holds the bundled role still can."""

    @hookimpl
    def agency_check_transition(
        self, check: TransitionCheck, policy: Policy
    ) -> Iterator[Finding] | None:
        spec = policy.section("branch_office", BranchOfficePolicy)
        coded = attrs.evolve(spec, approver_roles=BranchOfficePolicy().approver_roles)
        policy = attrs.evolve(policy, sections={**policy.sections, "branch_office": coded})
        return PLUGIN.agency_check_transition(check=check, policy=policy)


BROKEN = [
    ("BR-01", NoAdminFallsBackToFinance()),
    ("BR-02", QuarterMonthsUnchecked()),
    ("BR-02", OneFenTolerance()),
    ("BR-03", ChangeNoticeInUtc()),
    ("BR-03", ChangeApprovalUnguarded()),
    ("BR-03", ApplicationWithoutBudget()),
    ("BR-03", ShortcutToRegistration()),
    ("BR-03", HardCodedApprovers()),
]


def test_the_plugin_declares_a_property_for_every_control_and_keeps_them(firm: Policy) -> None:
    for policy in (None, firm):
        report = conformance.check([PLUGIN], policy=policy, settings=VERDICT, only=["BR-"])
        assert {r.prop.id for r in report.results} == {"BR-01", "BR-02", "BR-03"}
        assert report.ok, str(report)


def test_the_unchanged_copy_keeps_every_property(firm: Policy) -> None:
    report = conformance.check([_Branch()], policy=firm, properties=PROPERTIES, settings=VERDICT)
    assert report.ok, str(report)


def test_every_control_has_a_broken_variant() -> None:
    assert {control for control, _plugin in BROKEN} == {p.id for p in PROPERTIES}


@pytest.mark.parametrize(
    ("control", "plugin"), BROKEN, ids=[f"{c}-{type(p).__name__}" for c, p in BROKEN]
)
def test_a_broken_copy_is_caught_under_its_control(
    control: str, plugin: _Branch, firm: Policy
) -> None:
    report = conformance.check(
        [plugin],
        policy=firm,
        properties=PROPERTIES,
        only=[control],
        settings=VERDICT,
    )
    assert report.failed == (control,), str(report)


def test_a_hard_coded_default_is_caught_under_the_shipped_section_too() -> None:
    """The firm keeps the shipped section; the property's own variant section still reveals a
    copy that names the bundled approver roles in code."""
    plugin = HardCodedApprovers()
    report = conformance.check([plugin], properties=PROPERTIES, only=["BR-03"], settings=VERDICT)
    assert report.failed == ("BR-03",), str(report)
    assert "总经理" in str(report)


def test_the_split_oracle_sees_a_fen_moved_across_quarters() -> None:
    from agency_branch_office.conformance import _target, _uneven

    quarters = [Decimal("0.03")] * 4
    months = [Decimal("0.01")] * 12
    people = [("张三", Decimal("0.12"))]
    even = _target(Decimal("0.12"), quarters, months, people, "none", 0, True)
    moved = _target(Decimal("0.12"), quarters, months, people, "across-quarters", 0, True)
    assert _uneven(even) == []
    assert _uneven(moved) == ["months of Q1", "months of Q2"]
    assert moved.months[2:4] == (Decimal("0.00"), Decimal("0.02"))

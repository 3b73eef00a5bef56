"""The risk and audit properties bite: the plugin keeps them all, and each broken copy is caught
under the control it breaks (RSK-01..RSK-03, AUD-01..AUD-02), at the kit's default profile."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from importlib import resources

import agency_risk_audit.plugin as plugin
import attrs
import pytest
from agency_risk_audit import rules
from agency_risk_audit.conformance import PROPERTIES
from agency_risk_audit.entities import AuditFacts, IndicatorReading, Risk
from agency_risk_audit.policy import RiskAuditPolicy

from agency_core.decision import Finding
from agency_core.hookspecs import hookimpl
from agency_core.policy import Policy, parse_policy
from agency_core.testing import conformance
from agency_core.transitions import TransitionCheck


def variant(name: str, **hooks: Callable[..., Iterable[Finding] | None]) -> types.SimpleNamespace:
    """A copy of the plugin with the check hooks ``hooks`` replaced by broken ones."""
    copy = types.SimpleNamespace(__name__=f"broken_risk_audit[{name}]")
    for attr in dir(plugin):
        if attr.startswith("agency_"):
            setattr(copy, attr, getattr(plugin, attr))
    for attr, function in hooks.items():
        setattr(copy, attr, hookimpl(function))
    return copy


def run(
    plugins: list[object], policy: Policy | None = None, only: list[str] | None = None
) -> conformance.Report:
    return conformance.check(plugins, policy, only=only, properties=PROPERTIES)


# -- the broken copies: one realistic bug each ---------------------------------------------------


def top_of_band_goes_up(check: Risk, policy: Policy) -> Iterable[Finding]:
    """RSK-01: bands read with an exclusive upper bound: a score on a band's top is rated the
    next band (4 is medium, 16 critical)."""
    bands = policy.section(rules.SECTION, RiskAuditPolicy).bands
    found = []
    for finding in rules.check_risk(check, policy):
        index = [b.name for b in bands].index(str(finding.facts.get("band", bands[0].name)))
        if (
            finding.control == "RSK-01"
            and check.score == bands[index].high
            and index + 1 < len(bands)
        ):
            finding = attrs.evolve(finding, facts={**finding.facts, "band": bands[index + 1].name})
        found.append(finding)
    return found


def accepted_needs_no_owner(check: Risk, policy: Policy) -> Iterable[Finding]:
    """RSK-02: a risk the firm accepts (承受) is let through without an owner."""
    found = rules.check_risk(check, policy)
    if check.response == "accept":
        return [f for f in found if f.text is not rules.NO_OWNER]
    return found


def equal_does_not_count(check: IndicatorReading) -> Iterable[Finding]:
    """RSK-03: a reading equal to its threshold raises no alert."""
    return [] if check.value == check.threshold else rules.check_reading(check)


def closer_against_rectifier(check: TransitionCheck) -> Iterable[Finding] | None:
    """AUD-01: the closer compared with whoever rectified the finding, not with its owner."""
    if check.subject_kind == rules.FINDING and check.to_state == "closed" and check.history:
        data = attrs.evolve(check.data, owner=check.history[-1].actor) if check.data else None
        return rules.check_finding(attrs.evolve(check, data=data))
    return plugin.agency_check_transition(check)


def lead_not_checked(check: TransitionCheck) -> Iterable[Finding] | None:
    """AUD-02: independence checked for the listed auditors but not for the audit's lead."""
    found = plugin.agency_check_transition(check)
    if check.subject_kind != rules.AUDIT or not isinstance(check.data, AuditFacts):
        return found
    listed = {person.id for person in check.data.auditors}
    return [
        f
        for f in found or ()
        if not (f.text is rules.OWN_DEPARTMENT and f.facts["auditor"] not in listed)
    ]


BROKEN = {
    "RSK-01": {"agency_check_risk": top_of_band_goes_up},
    "RSK-02": {"agency_check_risk": accepted_needs_no_owner},
    "RSK-03": {"agency_check_indicator_reading": equal_does_not_count},
    "AUD-01": {"agency_check_transition": closer_against_rectifier},
    "AUD-02": {"agency_check_transition": lead_not_checked},
}


def test_every_control_has_a_property_and_a_broken_copy() -> None:
    assert {prop.id for prop in PROPERTIES} == set(BROKEN)
    assert set(BROKEN) == {"RSK-01", "RSK-02", "RSK-03", "AUD-01", "AUD-02"}


def test_the_plugin_registers_its_properties() -> None:
    subject = conformance.Subject([plugin])
    keys = {prop.key for prop in conformance.all_properties(subject)}
    assert {prop.key for prop in PROPERTIES} <= keys


def test_the_plugin_keeps_every_property() -> None:
    report = run([plugin])
    assert report.ok, str(report)
    assert len(report.results) == len(PROPERTIES)


@pytest.mark.parametrize("control", sorted(BROKEN))
def test_a_broken_copy_is_caught_under_its_control(control: str) -> None:
    report = run([variant(control, **BROKEN[control])], only=[control])
    assert report.failed == (control,), str(report)


def test_the_properties_follow_a_firm_s_own_section() -> None:
    table = (
        'responses = ["规避", "降低"]\n'
        'bands = [{ name = "可接受", low = 1, high = 6 }, { name = "关注", low = 8, high = 12 },'
        ' { name = "重大", low = 15, high = 25 }]\n'
    )
    default = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()
    firm = parse_policy(default + b"\n[plugins.risk_audit]\n" + table.encode(), "firm.toml")
    spec = conformance.Subject([plugin], firm).engine.policy.section(rules.SECTION, RiskAuditPolicy)
    assert [band.name for band in spec.bands] == ["可接受", "关注", "重大"]
    assert run([plugin], firm).ok
    shifted = run([variant("RSK-01", agency_check_risk=top_of_band_goes_up)], firm, only=["RSK"])
    assert shifted.failed == ("RSK-01",), str(shifted)

"""The engine: composition, fail closed, order independence, batch calls, entry points."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pluggy
import pytest

from agency_core import (
    ApprovalRequest,
    ChargeCheck,
    Decision,
    DutyCheck,
    Engine,
    Finding,
    InvalidInput,
    Outcome,
    PluginError,
    Route,
    RouteStep,
    Severity,
    Text,
    hookimpl,
)
from agency_core.plugins import PluginInfo
from agency_core.policy import Policy
from tests.factories import claim, cny
from tests.test_fees import SCHEDULES, charge, contract

FEE_CHECKS = [ChargeCheck(charge(), contract(), SCHEDULES)]

NOTE = Text(zh="注意 {n}", en="note {n}")


class Crashes:
    """A plugin whose check raises."""

    @hookimpl
    def agency_check_approval(self, request: ApprovalRequest) -> list[Finding]:
        raise RuntimeError("database down")


class Warns:
    @hookimpl
    def agency_check_approval(self, request: ApprovalRequest) -> Iterator[Finding]:
        yield Finding("FIN-03", Severity.WARNING, NOTE, {"n": 1})


class Denies:
    @hookimpl
    def agency_check_approval(self, request: ApprovalRequest) -> list[Finding]:
        return [Finding("FIN-03", Severity.DENY, NOTE, {"n": 2})]


def test_a_raising_plugin_makes_the_decision_deny_naming_it() -> None:
    decision = Engine(plugins=[Crashes(), Warns()]).route_approval(claim(100))
    assert decision.outcome is Outcome.DENY
    failure = next(f for f in decision.findings if f.control == "ENG-01")
    assert failure.plugin == "Crashes"
    assert failure.facts["hook"] == "agency_check_approval"
    assert "RuntimeError: database down" in failure.message()
    assert "FIN-03" in decision.controls  # the other plugin still spoke


def test_a_raising_lookup_fails_closed() -> None:
    class BadRoute:
        @hookimpl
        def agency_approval_route(self, request: ApprovalRequest) -> Route:
            raise KeyError("tier")

    decision = Engine(plugins=[BadRoute()]).route_approval(claim(100))
    assert decision.outcome is Outcome.DENY
    assert decision.controls == {"ENG-01"}
    assert decision.route is None


def test_a_plugin_returning_garbage_fails_closed() -> None:
    class Garbage:
        @hookimpl
        def agency_check_approval(self, request: ApprovalRequest) -> list[str]:
            return ["fine"]

    decision = Engine(plugins=[Garbage()]).route_approval(claim(100))
    assert decision.outcome is Outcome.DENY
    failure = next(f for f in decision.findings if f.control == "ENG-01")
    assert "returned 'fine', not a Finding" in failure.message()


def test_a_failing_observer_turns_the_decision_into_a_deny() -> None:
    class Log:
        @hookimpl
        def agency_decision_made(self, decision: Decision) -> None:
            raise OSError("disk full")

    decision = Engine(plugins=[Log()]).route_approval(claim(100))
    assert decision.outcome is Outcome.DENY
    assert "ENG-01" in decision.controls


def test_observers_see_every_decision() -> None:
    seen: list[tuple[object, Decision]] = []

    class Log:
        @hookimpl
        def agency_decision_made(self, request: object, decision: Decision) -> None:
            seen.append((request, decision))

    engine = Engine(plugins=[Log()])
    first = engine.route_approval(claim(100))
    assert seen == [(claim(100), first)]


def test_deny_overrides_and_order_never_matters() -> None:
    one = Engine(plugins=[Warns(), Denies()]).route_approval(claim(100))
    other = Engine(plugins=[Denies(), Warns()]).route_approval(claim(100))
    assert one == other
    assert one.outcome is Outcome.DENY


def test_a_firm_overrides_a_lookup_and_replaces_a_bundled_plugin() -> None:
    class BranchRoutes:
        """BR-01: at the branch, the admin department reviews instead of finance."""

        @hookimpl
        def agency_approval_route(self, request: ApprovalRequest, policy: Policy) -> Route | None:
            if request.department != "branch":
                return None
            return Route(
                request.action, (RouteStep("dept_head", "department"), RouteStep("archives_head"))
            )

    engine = Engine(plugins=[BranchRoutes()])
    branch = engine.route_approval(claim(12000, department="branch"))
    assert branch.route is not None
    assert branch.route.roles == ("dept_head", "archives_head")
    head_office = engine.route_approval(claim(12000))
    assert head_office.route is not None
    assert head_office.route.roles == ("dept_head", "finance_reviewer", "finance_manager")
    bare = Engine(block=["agency_core.builtin.approvals"]).route_approval(claim(12000))
    assert bare.outcome is Outcome.DENY  # nobody routes: a policy gap, fail closed


def test_a_route_with_steps_needs_approval_even_without_findings() -> None:
    class Quiet:
        @hookimpl
        def agency_approval_route(self, request: ApprovalRequest) -> Route:
            return Route(request.action, (RouteStep("general_manager"),))

    assert Engine(plugins=[Quiet()]).route_approval(claim(1)).outcome is Outcome.NEEDS_APPROVAL


def test_a_misspelled_hook_fails_loudly() -> None:
    class Typo:
        @hookimpl
        def agency_check_charges(self) -> None:
            return None

    with pytest.raises(PluginError, match="agency_check_charges"):
        Engine(plugins=[Typo()])


def test_an_argument_the_spec_lacks_is_refused() -> None:
    class Wrong:
        @hookimpl
        def agency_check_charge(self, check: object, user: object) -> None:
            return None

    with pytest.raises(PluginError, match="user"):
        Engine(plugins=[Wrong()])


def test_wrappers_are_refused() -> None:
    class Wraps:
        @hookimpl(wrapper=True)
        def agency_check_charge(self) -> Iterator[None]:
            return (yield)

    with pytest.raises(PluginError, match="wrappers"):
        Engine(plugins=[Wraps()])


def test_two_plugins_with_one_name_are_refused() -> None:
    with pytest.raises(PluginError, match="Warns"):
        Engine(plugins=[Warns(), Warns()])


class RaisesOnBig:
    @hookimpl
    def agency_approval_route(self, request: ApprovalRequest) -> Route | None:
        if request.amount.amount > 60000:
            raise ValueError("too big")
        return None


class OnlyPolicy:
    @hookimpl
    def agency_approval_route(self, policy: Policy) -> str:
        return policy.version  # garbage: not a Route


class Observes:
    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def agency_decision_made(self, decision: Decision) -> None:
        self.seen.append(decision.outcome.value)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"plugins": [Observes()]},
        {"plugins": [Warns()]},
        {"plugins": [RaisesOnBig()], "block": ["agency_core.builtin.approvals"]},
        {"plugins": [OnlyPolicy()], "block": ["agency_core.builtin.approvals"]},
        {"plugins": [RaisesOnBig()]},
    ],
    ids=[
        "bundled",
        "observed",
        "checked",
        "lone-raising-lookup",
        "lone-garbage-lookup",
        "two-lookups",
    ],
)
def test_decide_many_gives_the_decisions_of_decide(options: dict[str, object]) -> None:
    engine = Engine(**options)  # type: ignore[arg-type]
    requests = [claim(a) for a in (1, 5000, 5001, 5000, 70000)] + [DutyCheck("S", "pay", "x")]
    requests.append(ApprovalRequest("R-9", "teleport", cny(1), "sales", "clerk"))
    assert engine.decide_many(requests) == [engine.decide(r) for r in requests]


def test_the_batch_call_announces_every_decision() -> None:
    log = Observes()
    Engine(plugins=[log]).decide_many([claim(1), claim(1), claim(9000)])
    assert log.seen == ["needs_approval"] * 3


def test_deciding_something_else_is_invalid_input(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="cannot decide a str"):
        engine.decide("approve please")  # type: ignore[arg-type]


def test_every_decision_carries_the_policy_version_and_hash(engine: Engine) -> None:
    decision = engine.route_approval(claim(100))
    assert decision.policy_version == engine.policy.version
    assert decision.policy_sha256 == engine.policy.sha256


def test_installed_plugins_load_unless_restricted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real distribution on sys.path registers a plugin under the agency_core entry points.

    One rule for the library and the CLI: installed plugins load unless AGENCY_CORE_LOAD_PLUGINS
    restricts them; every decision names the plugin set that made it.
    """
    (tmp_path / "firm_rules.py").write_text(
        "from agency_core import Finding, Severity, Text, hookimpl\n"
        "NOTE = Text(zh='公司规则', en='firm rule')\n"
        "@hookimpl\n"
        "def agency_check_approval(request):\n"
        "    return [Finding('FIN-03', Severity.APPROVAL, NOTE)]\n"
    )
    info = tmp_path / "firm_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: firm-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[agency_core]\nfirm = firm_rules\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "firm_rules", raising=False)

    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "")
    assert "FIN-03" not in Engine().route_approval(claim(100)).controls
    monkeypatch.delenv("AGENCY_CORE_LOAD_PLUGINS")
    engine = Engine()
    decision = engine.route_approval(claim(100))
    assert "FIN-03" in decision.controls
    assert PluginInfo("firm", "firm-rules", "1.0") in engine.plugins
    assert (
        decision.plugins_sha256
        == engine.plugins_sha256
        != Engine(entry_points=False).plugins_sha256
    )
    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", "firm, other")
    assert "FIN-03" in Engine().route_approval(claim(100)).controls
    blocked = Engine(entry_points=True, block=["firm"])
    assert "FIN-03" not in blocked.route_approval(claim(100)).controls


def test_the_pluggy_project_name_is_agency_core(engine: Engine) -> None:
    assert isinstance(engine.plugin_manager, pluggy.PluginManager)
    assert engine.plugin_manager.project_name == "agency_core"
    hooks = {name for name in vars(engine.plugin_manager.hook) if not name.startswith("_")}
    assert all(name.startswith("agency_") for name in hooks)


def test_a_module_like_plugin_is_named_by_its_name_when_it_fails() -> None:
    module = SimpleNamespace(__name__="firm.crash")
    module.agency_check_charge = hookimpl(lambda check: 1 / 0)
    check = next(iter(FEE_CHECKS))
    decision = Engine(plugins=[module]).check_charge(check)
    assert decision.outcome is Outcome.DENY
    failure = next(f for f in decision.findings if f.control == "ENG-01")
    assert failure.plugin == "firm.crash"
    assert "ZeroDivisionError" in failure.message("zh-CN")


def test_a_finding_with_a_fact_that_is_not_json_fails_closed() -> None:
    class Sloppy:
        @hookimpl
        def agency_check_approval(self, request: ApprovalRequest) -> list[Finding]:
            return [Finding("FIN-03", Severity.INFO, NOTE, {"n": request.amount})]  # type: ignore[dict-item]

    decision = Engine(plugins=[Sloppy()]).route_approval(claim(100))
    assert decision.outcome is Outcome.DENY
    assert (
        "not a JSON scalar" in next(f for f in decision.findings if f.control == "ENG-01").message()
    )


def test_a_message_missing_a_fact_shows_the_placeholder() -> None:
    assert Finding("X-01", Severity.INFO, NOTE).message("zh-CN") == "注意 {n}"


def test_a_plugin_error_names_the_plugin_not_its_repr() -> None:
    class Wrong:
        @hookimpl
        def agency_check_charge(self, user: object) -> None:
            return None

    with pytest.raises(PluginError, match=r"plugin '[\w.<>]*Wrong' does not fit"):
        Engine(plugins=[Wrong()])


def test_a_route_finding_with_a_fact_that_is_not_json_fails_closed() -> None:
    class Sloppy:
        @hookimpl
        def agency_approval_route(self, request: ApprovalRequest) -> Route:
            bad = Finding("APR-01", Severity.APPROVAL, NOTE, {"n": request.amount})  # type: ignore[dict-item]
            return Route(request.action, (RouteStep("general_manager"),), (bad,))

    engine = Engine(plugins=[Sloppy()])
    for decision in (engine.route_approval(claim(1)), *engine.decide_many([claim(1)])):
        assert decision.outcome is Outcome.DENY
        assert decision.controls == {"ENG-01"}


def test_the_facts_of_a_shared_finding_are_read_only(engine: Engine) -> None:
    first = engine.route_approval(claim(100))
    finding = first.findings[0]
    with pytest.raises(TypeError):
        finding.facts["route"] = "nobody"  # type: ignore[index]
    with pytest.raises(AttributeError):
        finding.facts.clear()  # type: ignore[attr-defined]
    again = engine.route_approval(claim(200))  # the same tier: the cached, shared decision
    assert again.findings[0].facts["route"] == "dept_head → finance_reviewer"
    assert hash(finding) == hash(again.findings[0])
    assert finding.to_dict()["facts"] == dict(finding.facts)  # the JSON form is unchanged


def test_a_kind_whose_request_has_a_kind_field_is_refused() -> None:
    """JSON requests name their kind with "kind": a field of that name could never be read."""
    import attrs

    from agency_core.errors import PluginError
    from agency_core.kinds import Kind

    @attrs.frozen
    class Difference:
        id: str
        kind: str

    with pytest.raises(PluginError, match="field named 'kind'"):
        Kind("difference", Difference, "agency_check_difference")

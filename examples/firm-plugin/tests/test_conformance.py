"""The conformance kit on Hengtong's plugin, as the firm's CI runs it.

The plain ``pytest`` of this distribution runs the whole kit on the plugin (the options are in
its pyproject.toml); these tests show that the kit accepts the firm's rule and rejects the
illegal ways of writing the firm's first wish, each under the control it breaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import variants
from hengtong_approvals import POLICY, plugin
from hypothesis import settings

from agency_core import ApprovalRequest, Engine, Money, Outcome
from agency_core.errors import PolicyError
from agency_core.policy import load_policy, parse_policy
from agency_core.testing import conformance

APPROVALS = "agency_core.builtin.approvals"
FIRM = load_policy(POLICY)
FAST = settings(max_examples=20, deadline=None, database=None, derandomize=True)
VARIANTS = Path(variants.__file__)


def claim(amount: str, department: str = "sales") -> ApprovalRequest:
    return ApprovalRequest("R1", "expense_reimbursement", Money(amount, "CNY"), department, "E1")


def _check(plugin_: object) -> conformance.Report:
    """The kit's APR-01 and APR-03 properties (the whole kit runs on the firm plugin anyway)."""
    only = ["APR-01", "APR-03"]
    return conformance.check([plugin_], block=[APPROVALS], policy=FIRM, only=only, settings=FAST)


def test_plain_pytest_runs_the_whole_kit_on_the_firm_plugin(pytestconfig: pytest.Config) -> None:
    """The CI's options (pyproject.toml): the firm's plugin, the bundled one blocked, its policy."""
    assert pytestconfig.getoption("agency_conformance") == ["hengtong_approvals.plugin"]
    assert pytestconfig.getoption("agency_block") == [APPROVALS]
    assert Path(pytestconfig.getoption("agency_policy")).resolve() == POLICY.resolve()


def test_the_firm_rule_routes_by_its_policy() -> None:
    firm = Engine(FIRM, plugins=[plugin], block=[APPROVALS], entry_points=False)
    small = firm.route_approval(claim("2000"))
    assert small.route is not None
    assert small.route.roles == ("dept_head", "finance_reviewer")
    bigger = firm.route_approval(claim("2000.01"))
    assert bigger.route is not None
    assert bigger.route.roles == ("dept_head", "finance_reviewer", "finance_manager")
    assert {f.plugin for f in bigger.findings} == {"hengtong_approvals.plugin"}


def test_the_kit_accepts_the_firm_plugin() -> None:
    report = _check(plugin)
    assert report.ok, str(report)
    assert {r.prop.id for r in report.results} == {"APR-01", "APR-03"}


def test_the_kit_rejects_head_only_small_claims_under_apr01() -> None:
    report = _check(variants.HEAD_ONLY)
    assert report.failed == ("APR-01",), str(report)  # monotonic still: APR-03 holds


def test_the_kit_rejects_a_manager_sign_off_under_apr03() -> None:
    report = _check(variants.MANAGER_SIGNS_OFF)
    assert report.failed == ("APR-01", "APR-03"), str(report)


HEAD_ONLY_TIER = '  { max_amount = "2000", route = ["dept_head"] },\n'
FIRST_TIER = '  { max_amount = "2000", route = ["dept_head", "finance_reviewer"] },\n'
PIN = 'starts_with = ["dept_head", "finance_reviewer"]\n'


def test_the_wish_written_firm_wide_is_refused_when_loaded_under_apr01() -> None:
    text = POLICY.read_text(encoding="utf-8")
    assert PIN in text
    with pytest.raises(PolicyError, match="APR-01: every route of this action begins with"):
        parse_policy(text.replace(FIRST_TIER, HEAD_ONLY_TIER).encode("utf-8"), "wish.toml")


def test_the_wish_as_a_department_override_is_refused_when_loaded_under_apr03() -> None:
    text = POLICY.read_text(encoding="utf-8").replace(
        "[approval.actions.fund_disbursement]",
        "[approval.actions.expense_reimbursement.departments]\n"
        'sales = [{ max_amount = "2000", route = ["dept_head"] },'
        ' { max_amount = "50000", route = ["dept_head", "finance_reviewer", "finance_manager"] },'
        ' { route = ["dept_head", "finance_reviewer", "finance_manager", "general_manager"] }]\n\n'
        "[approval.actions.fund_disbursement]",
    )
    with pytest.raises(PolicyError, match="APR-03"):
        parse_policy(text.encode("utf-8"), "override.toml")


def test_the_wish_written_firm_wide_into_the_policy_is_denied_by_the_firm_plugin() -> None:
    """A policy that also drops APR-01's pin loads; the firm's plugin still denies its routes."""
    text = POLICY.read_text(encoding="utf-8").replace(PIN, "", 1)
    assert FIRST_TIER in text
    wished = parse_policy(text.replace(FIRST_TIER, HEAD_ONLY_TIER).encode("utf-8"), "wish.toml")
    firm = Engine(wished, plugins=[plugin], block=[APPROVALS], entry_points=False)
    decision = firm.route_approval(claim("1500"))
    assert decision.outcome is Outcome.DENY
    assert [(f.control, f.plugin) for f in decision.violations] == [
        ("APR-01", "hengtong_approvals.plugin")
    ]
    assert firm.route_approval(claim("1500.00", "ops")).outcome is Outcome.DENY
    # above the wished tier the firm's routes are unchanged
    assert firm.route_approval(claim("3000")).outcome is Outcome.NEEDS_APPROVAL


def test_pytest_agency_conformance_fails_head_only_under_apr01(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(variants=VARIANTS.read_text(encoding="utf-8"))
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "--agency-conformance=variants:HEAD_ONLY",
        f"--agency-block={APPROVALS}",
        f"--agency-policy={POLICY}",
        "--agency-max-examples=20",
        "-m",
        "agency_conformance",
        "-k",
        "route-oracle or monotonic",
    )
    result.assert_outcomes(failed=1, passed=2)  # APR-01 fails; APR-02 and APR-03 hold
    result.stdout.fnmatch_lines(
        ["FAILED agency-conformance[[]variants:HEAD_ONLY[]]::APR-01[[]route-oracle[]]*"]
    )

"""Policy files: loading, errors with paths, and the invariants checked at load."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from agency_core import (
    ApprovalRequest,
    Engine,
    Money,
    PolicyError,
    default_policy,
    load_policy,
    parse_policy,
)

DEFAULT = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")


def problems_of(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text.encode(), "test.toml")
    return caught.value.problems


def test_the_bundled_policy_holds_the_catalogue_defaults() -> None:
    policy = default_policy()
    expense = policy.matrices["expense_reimbursement", None]
    assert expense.bounds == (5000, 50000)
    assert [len(route) for route in expense.routes] == [1, 2, 3]
    assert policy.matrices["fund_disbursement", None].bounds == (100000,)
    assert policy.matrices["major_cost", None].bounds == (200000,)
    assert policy.retention["voucher"].years == 30
    assert policy.retention["annual_report"].years is None
    assert len(policy.sha256) == 64


def test_a_policy_file_is_loaded_from_disk_with_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "firm.toml"
    path.write_text(DEFAULT.replace('version = "2026.11"', 'version = "firm-1"'), "utf-8")
    policy = load_policy(path)
    assert policy.version == "firm-1"
    assert policy.sha256 != default_policy().sha256
    assert policy.source == str(path)


def test_a_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "absent.toml")


def test_bad_toml_is_a_policy_error() -> None:
    assert "not valid TOML" in problems_of("[policy\nname=")[0]


def test_unknown_keys_are_refused_with_their_path() -> None:
    text = DEFAULT.replace("[policy]\n", "[policy]\ncolour = 'red'\n", 1)
    assert any("colour" in p and "$.policy" in p for p in problems_of(text))


def test_a_float_amount_is_refused_with_its_path() -> None:
    text = DEFAULT.replace('{ max_amount = "5000", route', "{ max_amount = 5000.5, route", 1)
    (problem,) = problems_of(text)
    assert "float" in problem
    assert "$.approval.actions.expense_reimbursement.tiers[0].max_amount" in problem


def test_a_string_where_an_integer_belongs_is_refused() -> None:
    text = DEFAULT.replace("years = 30", 'years = "30"', 1)
    assert any("expected int" in p and "years" in p for p in problems_of(text))


def test_apr_03_a_tier_that_drops_an_approver_is_refused() -> None:
    text = DEFAULT.replace(
        '{ route = ["dept_head", "finance_manager", "general_manager"] },\n]\n\n'
        "[approval.actions.fund_disbursement]",
        '{ route = ["general_manager"] },\n]\n\n[approval.actions.fund_disbursement]',
        1,
    )
    (problem,) = problems_of(text)
    assert problem.startswith("APR-03")
    assert "drops dept_head, finance_manager" in problem
    assert problem.endswith("@ $.approval.actions.expense_reimbursement.tiers[2].route")


def test_apr_03_bounds_must_increase() -> None:
    text = DEFAULT.replace(
        'max_amount = "50000", route = ["dept_head", "finance_manager"] },\n  { route = ["dept_head", "finance_manager", "general_manager"] },\n]\n\n[approval.actions.fund',
        'max_amount = "4000", route = ["dept_head", "finance_manager"] },\n  { route = ["dept_head", "finance_manager", "general_manager"] },\n]\n\n[approval.actions.fund',
        1,
    )
    assert any(p.startswith("APR-03: tier bounds must increase") for p in problems_of(text))


def test_every_amount_needs_a_route() -> None:
    text = DEFAULT.replace(
        '{ route = ["dept_head", "finance_manager", "general_manager"] },\n]\n\n'
        "[approval.actions.fund_disbursement]",
        '{ max_amount = "90000", route = ["dept_head", "finance_manager", "general_manager"] },'
        "\n]\n\n[approval.actions.fund_disbursement]",
        1,
    )
    assert any("last tier must have no max_amount" in p for p in problems_of(text))


def test_apr_06_chained_delegation_is_refused() -> None:
    text = DEFAULT.replace(
        'dept_head = ["deputy_dept_head"]',
        'dept_head = ["deputy_dept_head"]\ndeputy_dept_head = ["cashier"]',
    )
    (problem,) = problems_of(text)
    assert "APR-06: delegation cannot be chained" in problem
    assert problem.endswith("@ $.delegation.dept_head[0]")


def test_apr_06_a_cycle_of_deputies_is_refused() -> None:
    text = DEFAULT.replace(
        'general_manager = ["deputy_general_manager"]',
        'general_manager = ["deputy_general_manager"]\ndeputy_general_manager = ["general_manager"]',
    )
    assert any("chained" in p for p in problems_of(text))


def test_sod_02_cardinality_below_two_is_refused() -> None:
    text = DEFAULT.replace(
        'roles = ["cashier", "auditor"]', 'roles = ["cashier", "auditor"]\ncardinality = 1'
    )
    (problem,) = problems_of(text)
    assert problem.startswith("SOD-02: cardinality must be at least 2")
    assert re.search(r"@ \$\.segregation\.static\[4\]\.cardinality$", problem)


def test_ret_01_a_retention_below_the_statutory_minimum_is_refused() -> None:
    text = DEFAULT.replace('prefix = "PZ"\nyears = 30', 'prefix = "PZ"\nyears = 10')
    (problem,) = problems_of(text)
    assert problem == (
        "RET-01: voucher must be kept at least 30 years, not 10 @ $.retention.classes.voucher.years"
    )


def test_ret_01_a_permanent_class_cannot_be_made_temporary() -> None:
    text = DEFAULT.replace('prefix = "NB"\npermanent = true', 'prefix = "NB"\nyears = 50')
    assert problems_of(text) == (
        "RET-01: annual_report must be kept permanently, by law @ $.retention.classes.annual_report",
    )


def test_ret_01_a_statutory_class_cannot_be_dropped() -> None:
    start = DEFAULT.index("[retention.classes.tax_return]")
    end = DEFAULT.index("[retention.classes.archive_transfer_list]")
    text = DEFAULT[:start] + DEFAULT[end:]
    assert any("statutory class 'tax_return' is missing" in p for p in problems_of(text))


def test_unknown_roles_are_named_with_their_path() -> None:
    text = DEFAULT.replace(
        'tiers = [{ route = ["seal_use_approver"] }]', 'tiers = [{ route = ["sealer"] }]'
    )
    assert problems_of(text) == (
        "unknown role 'sealer' @ $.approval.actions.seal_use.tiers[0].route[0]",
    )


def test_a_role_inheriting_itself_is_refused() -> None:
    text = DEFAULT.replace('inherits = ["dept_head"]', 'inherits = ["branch_deputy"]').replace(
        'inherits = ["deputy_dept_head"]', 'inherits = ["branch_director"]'
    )
    assert any("inherits itself" in p for p in problems_of(text))


def test_effective_dates_must_be_ordered() -> None:
    text = DEFAULT.replace(
        "effective_from = 2026-01-01", "effective_from = 2026-01-01\neffective_to = 2025-01-01"
    )
    assert problems_of(text) == (
        "effective_to must be after effective_from @ $.policy.effective_to",
    )
    policy = default_policy()
    assert policy.in_force(policy.effective_from)


@pytest.mark.parametrize(
    ("action", "route"),
    [
        ("business_intake", ("dept_head", "general_manager")),
        ("execution_plan", ("dept_head",)),
        ("execution_plan_change", ("dept_head",)),
        ("settlement", ("dept_head", "finance_manager")),
    ],
)
def test_the_case_approvals_named_in_controls_have_their_routes(
    action: str, route: tuple[str, ...]
) -> None:
    """CONTROLS lists the execution plan (执行计划, 审核通过后执行) beside its change: both route."""
    request = ApprovalRequest("R1", action, Money("0", "CNY"), "business", "E1")
    decision = Engine().route_approval(request)
    assert decision.route is not None
    assert decision.route.roles == route

"""Policy files: loading, errors with paths, and the invariants checked at load."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import attrs
import pytest

from agency_core import (
    ApprovalRequest,
    DutyCheck,
    Engine,
    Money,
    PerformedDuty,
    PolicyError,
    default_policy,
    load_policy,
    parse_policy,
)
from agency_core.entities._fields import FrozenMap

DEFAULT = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")
EXPENSE_TOP = '{ route = ["dept_head", "finance_reviewer", "finance_manager", "general_manager"] },'
EXPENSE_MIDDLE = (
    '{ max_amount = "50000", route = ["dept_head", "finance_reviewer", "finance_manager"] },'
)
STARTS_WITH = 'starts_with = ["dept_head", "finance_reviewer"]\n'
UNPINNED = DEFAULT.replace(STARTS_WITH, "", 1)
"""The default policy without APR-01's first steps: for the APR-03 tests of ranks and counts."""


def problems_of(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text.encode(), "test.toml")
    return caught.value.problems


def test_the_bundled_policy_holds_the_catalogue_defaults() -> None:
    policy = default_policy()
    expense = policy.matrices["expense_reimbursement", None]
    assert expense.bounds == (5000, 50000)
    assert [len(route) for route in expense.routes] == [2, 3, 4]  # APR-01, corrected
    assert all(
        [step.role for step in route[:2]] == ["dept_head", "finance_reviewer"]
        for route in expense.routes
    )
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


def test_a_string_where_a_list_belongs_is_refused_not_split_into_characters() -> None:
    text = DEFAULT.replace(
        'roles = ["contract_drafter", "legal_reviewer"]', 'roles = "contract_drafter"', 1
    )
    assert problems_of(text) == (
        "expected a list, not the string 'contract_drafter' @ $.segregation.static[8].roles",
    )


def test_apr_03_a_tier_that_drops_an_approver_is_refused() -> None:
    text = UNPINNED.replace(EXPENSE_TOP, '{ route = ["general_manager"] },', 1)
    (problem,) = problems_of(text)
    assert problem.startswith("APR-03")
    assert "tier 2 against tier 1: fewer approvals, 1 instead of 3" in problem
    assert problem.endswith("@ $.approval.actions.expense_reimbursement.tiers[2].route")


def test_apr_03_bounds_must_increase() -> None:
    text = DEFAULT.replace(EXPENSE_MIDDLE, EXPENSE_MIDDLE.replace('"50000"', '"4000"'), 1)
    assert any(p.startswith("APR-03: tier bounds must increase") for p in problems_of(text))


def test_every_amount_needs_a_route() -> None:
    text = DEFAULT.replace(
        EXPENSE_TOP, EXPENSE_TOP.replace("{ route", '{ max_amount = "90000", route')
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
    # the sixth set since SOD-02's cashier/expenditure bookkeeping set was added before it
    assert re.search(r"@ \$\.segregation\.static\[5\]\.cardinality$", problem)


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


# --------------------------------------------------------------------------------------------------
# Corrected defaults (CONTROLS.md): APR-01, APR-03 ranks, SOD-02, RET-01, the firm's time zone
# --------------------------------------------------------------------------------------------------

BRANCH = "\n[approval.actions.expense_reimbursement.departments]\nbranch = [\n{tiers}\n]\n"


def with_branch(*tiers: str, base: str = DEFAULT) -> str:
    """The default policy with a department override of the expense tiers for ``branch``."""
    anchor = "[approval.actions.fund_disbursement]"
    override = BRANCH.format(tiers="\n".join(f"  {tier}," for tier in tiers))
    return base.replace(anchor, override + "\n" + anchor, 1)


def test_sod_02_and_ret_01_defaults_follow_the_sources() -> None:
    policy = default_policy()
    cashier_sets = {c.roles for c in policy.static_conflicts if "cashier" in c.roles}
    assert frozenset({"cashier", "bookkeeper_expenditure"}) in cashier_sets  # 会计法: 支出账目
    for record_class in ("employee_file", "client_file"):
        rule = policy.retention[record_class]
        assert (rule.years, rule.basis.value) == (10, "event")
    assert policy.timezone == "Asia/Shanghai"


def test_apr_03_a_higher_tier_with_a_lower_ranked_role_is_refused() -> None:
    # as many approvals as tier 1, but the finance manager's replaced by the deputy (rank 25)
    lower = EXPENSE_TOP.replace('"finance_manager", "general_manager"', '"deputy_finance_manager"')
    (problem,) = problems_of(DEFAULT.replace(EXPENSE_TOP, lower, 1))
    assert problem == (
        "APR-03: a larger amount may not need fewer or lower approvals; tier 2 against tier 1: "
        "lower approvals, finance_manager (rank 30) has no approver of its rank or higher "
        "@ $.approval.actions.expense_reimbursement.tiers[2].route"
    )


@pytest.mark.parametrize(
    "replacement",
    [
        '"finance_manager", "general_manager"',  # dept_head (20) replaced by finance_manager (30)
        '"seal_use_approver", "general_manager"',  # ... by a role of equal rank (20): not lower
    ],
)
def test_apr_03_lower_is_judged_by_rank_not_by_name(replacement: str) -> None:
    middle = EXPENSE_MIDDLE
    higher = middle.replace('"dept_head", "finance_reviewer", "finance_manager"', replacement)
    top = EXPENSE_TOP.replace('"dept_head", ', "")
    top = top.replace('"finance_reviewer", "finance_manager", "general_manager"', replacement)
    text = UNPINNED.replace(
        middle, higher.replace(replacement, f'"finance_reviewer", {replacement}')
    )
    text = text.replace(EXPENSE_TOP, top.replace(replacement, f'"finance_reviewer", {replacement}'))
    assert parse_policy(text.encode()).matrices["expense_reimbursement", None].routes[2]


def test_apr_03_a_role_on_a_route_needs_a_rank() -> None:
    text = DEFAULT.replace('name_zh = "财务审核"\nrank = 20\n', 'name_zh = "财务审核"\n', 1)
    assert problems_of(text) == (
        "APR-03: role 'finance_reviewer' approves on a route and needs a rank "
        "@ $.roles.finance_reviewer.rank",
    )


def test_apr_03_a_department_override_is_compared_with_the_firm_wide_tiers() -> None:
    laxer = with_branch('{ route = ["dept_head", "finance_reviewer"] }')
    (problem,) = problems_of(laxer)
    assert problem == (
        "APR-03: a department may not need fewer or lower approvals than the firm-wide tiers; "
        "at amount 50000, its tier 0 against firm-wide tier 1: fewer approvals, 2 instead of 3 "
        "@ $.approval.actions.expense_reimbursement.departments.branch[0].route"
    )


def test_apr_03_the_comparison_includes_the_amounts_above_every_bound() -> None:
    # Equal to the firm-wide tiers up to 50,000, but no general manager above it.
    capped = with_branch(
        '{ max_amount = "5000", route = ["dept_head", "finance_reviewer"] }',
        '{ route = ["dept_head", "finance_reviewer", "finance_manager"] }',
    )
    (problem,) = problems_of(capped)
    assert "at every amount above the bounds, its tier 1 against firm-wide tier 2" in problem


def test_apr_03_an_override_as_strict_or_stricter_loads() -> None:
    # BR-01: a branch office reviews with its own roles of the same ranks, stricter early on.
    stricter = with_branch(
        '{ max_amount = "1000", route = ["branch_director", "finance_reviewer"] }',
        '{ route = ["branch_director", "finance_reviewer", "finance_manager", "general_manager"] }',
        base=UNPINNED,
    )
    policy = parse_policy(stricter.encode())
    matrix = policy.matrix("expense_reimbursement", "branch")
    assert matrix is not None
    assert matrix.bounds == (1000,)


def test_apr_01_every_expense_route_starts_with_the_head_then_finance() -> None:
    """The corrected APR-01: the department head's first review, then finance's check, in every
    tier; a firm-wide tier for the head alone is refused where it is written."""
    head_only = DEFAULT.replace(
        '{ max_amount = "5000", route = ["dept_head", "finance_reviewer"] },',
        '{ max_amount = "2000", route = ["dept_head"] },\n'
        '  { max_amount = "5000", route = ["dept_head", "finance_reviewer"] },',
        1,
    )
    assert problems_of(head_only) == (
        "APR-01: every route of this action begins with dept_head then finance_reviewer, "
        "not dept_head @ $.approval.actions.expense_reimbursement.tiers[0].route",
    )
    swapped = DEFAULT.replace(
        EXPENSE_TOP,
        EXPENSE_TOP.replace('"dept_head", "finance_reviewer"', '"finance_reviewer", "dept_head"'),
        1,
    )
    (problem,) = problems_of(swapped)
    assert problem.startswith("APR-01: every route of this action begins with dept_head then")
    assert problem.endswith(
        "not finance_reviewer then dept_head @ $.approval.actions.expense_reimbursement.tiers[2].route"
    )


def test_apr_01_a_department_override_keeps_the_first_steps() -> None:
    branch = with_branch(
        '{ max_amount = "1000", route = ["branch_director", "finance_reviewer"] }',
        '{ route = ["branch_director", "finance_reviewer", "finance_manager", "general_manager"] }',
    )
    problems = problems_of(branch)
    assert problems[0] == (
        "APR-01: every route of this action begins with dept_head then finance_reviewer, not "
        "branch_director then finance_reviewer "
        "@ $.approval.actions.expense_reimbursement.departments.branch[0].route"
    )
    assert len(problems) == 2


def test_apr_01_the_first_steps_name_known_roles() -> None:
    text = DEFAULT.replace(STARTS_WITH, 'starts_with = ["dept_head", "finance_checker"]\n', 1)
    problems = problems_of(text)
    assert problems[0] == (
        "unknown role 'finance_checker' @ $.approval.actions.expense_reimbursement.starts_with[1]"
    )


def test_the_time_zone_is_checked_at_load() -> None:
    text = DEFAULT.replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Peking"', 1)
    assert problems_of(text) == ("unknown IANA time zone 'Asia/Peking' @ $.policy.timezone",)


def _mutable(value: object) -> bool:
    """A list, a set or a dict that is not a read-only :class:`FrozenMap`."""
    return isinstance(value, list | set) or (
        isinstance(value, dict) and not isinstance(value, FrozenMap)
    )


def test_the_compiled_policy_is_read_only() -> None:
    policy = default_policy()
    sha256 = policy.sha256
    with pytest.raises(AttributeError):
        policy.duty_conflicts.clear()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        policy.duty_conflicts["pay"] = frozenset()  # type: ignore[index]
    with pytest.raises(AttributeError):
        policy.destruction.approver_roles.clear()  # type: ignore[attr-defined]
    for field in attrs.fields(type(policy)):
        value = getattr(policy, field.name)
        assert not _mutable(value), field.name
        if isinstance(value, Mapping):
            with pytest.raises(TypeError):
                value["added"] = frozenset()  # type: ignore[index]
            assert not any(map(_mutable, value.values())), field.name
    assert not hasattr(policy, "file")  # the parsed file's lists and dicts are not exposed
    assert default_policy().sha256 == sha256
    paid = (PerformedDuty("approve_payment", "fm"),)
    decision = Engine().check_duty(DutyCheck("PAY-1", "pay", "fm", paid))
    assert decision.controls == {"SOD-03"}  # still switched on for every later engine


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

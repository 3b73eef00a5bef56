"""The reporting tree: policy data validated as one tree, with lookups routes can follow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from agency_branch_office import admin_department, branch_of, reporting_line

from agency_core import Engine
from agency_core.errors import InvalidInput, PolicyError


def test_branch_and_reporting_line(engine: Engine) -> None:
    policy = engine.policy
    assert branch_of(policy, "sh-sales") == "sh"
    assert branch_of(policy, "sh") == "sh"
    assert branch_of(policy, "finance") is None
    assert branch_of(policy, "hq") is None
    assert branch_of(policy, "nowhere") is None
    assert reporting_line(policy, "sh-sales") == ("sh-sales", "sh", "hq")
    assert reporting_line(policy, "hq") == ("hq",)
    assert admin_department(policy, "sh") == "sh-admin"
    assert admin_department(policy, "bj") is None
    with pytest.raises(InvalidInput, match="nowhere"):
        reporting_line(policy, "nowhere")


def test_default_tree_is_the_head_office_alone() -> None:
    import agency_branch_office.plugin

    policy = Engine(plugins=[agency_branch_office.plugin]).policy
    assert reporting_line(policy, "head_office") == ("head_office",)
    assert branch_of(policy, "sales") is None


HQ = '{ id = "hq", level = "head_office" }'


@pytest.mark.parametrize(
    ("units", "problem"),
    [
        (f'[{HQ}, {{ id = "hq2", level = "head_office" }}]', "exactly one root"),
        ('[{ id = "b", level = "branch" }]', "must be the head_office"),
        (f'[{HQ}, {{ id = "d", level = "department", parent = "x" }}]', "unknown x"),
        (f'[{HQ}, {{ id = "hq", level = "branch", parent = "hq" }}]', "listed twice"),
        (
            f'[{HQ}, {{ id = "d", level = "department", parent = "hq" }}, '
            '{ id = "e", level = "department", parent = "d" }]',
            "cannot report to d",
        ),
        (
            f'[{HQ}, {{ id = "b", level = "branch", parent = "hq" }}, '
            '{ id = "c", level = "branch", parent = "b" }]',
            "cannot report to b",
        ),
        (f'[{HQ}, {{ id = "b", level = "branch", parent = "hq", admin = true }}]', "admin"),
        (
            f'[{HQ}, {{ id = "b", level = "branch", parent = "hq" }}, '
            '{ id = "a1", level = "department", parent = "b", admin = true }, '
            '{ id = "a2", level = "department", parent = "b", admin = true }]',
            "two admin departments",
        ),
        (f'[{HQ}, {{ id = "x", level = "region", parent = "hq" }}]', "level"),
        ("[]", "must not be empty"),
    ],
)
def test_bad_tree_refused(engine_with: Callable[[str], Engine], units: str, problem: str) -> None:
    with pytest.raises(PolicyError) as caught:
        engine_with(f"units = {units}")
    assert "$.plugins.branch_office" in str(caught.value)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    "table",
    [
        'replaces = ""',
        "change_notice_days = -1",
        "registration_days = 0",
        "approver_roles = []",
        "expense_action = 3",
        "unknown = 1",
    ],
)
def test_bad_policy_keys_refused(engine_with: Callable[[str], Engine], table: str) -> None:
    with pytest.raises(PolicyError, match=r"plugins\.branch_office"):
        engine_with(table)

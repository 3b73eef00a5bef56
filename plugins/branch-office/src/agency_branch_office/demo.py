"""The branch office scene of ``agency demo``: a Shanghai branch's claim, targets and unit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import agency_branch_office.plugin
from agency_branch_office.entities import PersonTarget, TargetSplit, UnitFacts
from agency_branch_office.rules import split
from agency_branch_office.store import ServiceUnits, TargetBook
from agency_core.engine import Engine
from agency_core.entities import ApprovalRequest, Employee, Money
from agency_core.policy import parse_policy
from agency_core.store import Refused, Transaction

__all__ = ["STAFF", "TREE", "run"]

TREE = b"""
[plugins.branch_office]
units = [
  { id = "hq", level = "head_office" },
  { id = "sh", level = "branch", parent = "hq" },
  { id = "sh-sales", level = "department", parent = "sh" },
  { id = "sh-admin", level = "department", parent = "sh", admin = true },
]
"""
STAFF = (
    Employee("BR-DEMO-S", "sh-sales", (), "上海 许专员"),
    Employee("BR-DEMO-H", "sh-sales", {"dept_head"}, "上海 韩主管"),
    Employee("BR-DEMO-R", "sh-admin", {"branch_admin_reviewer"}, "上海行政 唐"),
    Employee("BR-DEMO-V", "hq", {"finance_reviewer"}, "总部会计 曹"),
    Employee("BR-DEMO-X", "sh-sales", {"branch_admin_reviewer"}, "上海销售 罗（误授审核角色）"),
    Employee("BR-DEMO-F", "hq", {"finance_manager"}, "总部财务经理 冯"),
    Employee("BR-DEMO-G", "hq", {"general_manager"}, "总部 邓总"),
)
ANNUAL = Decimal("1200000.00")
FACTS = UnitFacts("a Pudong service desk", "3 staff", "rented office", "CNY 400000")


def _engine() -> Engine:
    """The default policy with a Shanghai branch that has its own admin department."""
    default = resources.files("agency_core.policy").joinpath("default.toml").read_bytes()
    policy = parse_policy(default + TREE, "branch-office-demo.toml")
    return Engine(policy, plugins=[agency_branch_office.plugin], entry_points=False)


def _targets(annual: Decimal) -> TargetSplit:
    quarters = split(ANNUAL, [1, 1, 1, 1])
    months = tuple(m for q in quarters for m in split(q, [1, 1, 1]))
    people = (PersonTarget("BR-DEMO-S", ANNUAL),)
    return TargetSplit("sh", 2026, annual, quarters, months, people)


def run(store: Any, say: Callable[[str], None]) -> None:
    """Tell the branch's day through ``say`` on ``store`` (with this plugin's tables)."""
    engine = _engine()

    def step(what: str, act: Callable[[Transaction], Any]) -> None:
        try:
            with store.transaction(engine) as tx:
                done = act(tx)
        except Refused as exc:
            say(f"  refused  {what}: {exc}")
        else:
            route = getattr(getattr(done, "route", None), "roles", ())
            say(f"  done     {what}" + (f": {' -> '.join(route)}" if route else ""))

    def staff(tx: Transaction) -> None:
        for person in STAFF:
            tx.employees.put(person)

    claim = ApprovalRequest(
        "BR-DEMO-Q1", "expense_reimbursement", Money("20000", "CNY"), "sh-sales", "BR-DEMO-S"
    )

    def review(step_no: int, actor: str) -> Callable[[Transaction], Any]:
        return lambda tx: tx.approvals.approve(
            claim.id, step_no, actor, key=f"BR-DEMO-Q1-{step_no}-{actor}"
        )

    def approve_route() -> None:
        """Each step by the scene's holder of its role; the branch review first by a clerk of
        Shanghai sales who holds the reviewer role but is not of the branch admin department."""
        with store.transaction(engine) as tx:
            roles = [s.role for s in tx.approvals.get(claim.id).route.steps]
        for index, role in enumerate(roles):
            if role == "branch_admin_reviewer":
                step(
                    "a Shanghai sales clerk with the reviewer role reviews",
                    review(index, "BR-DEMO-X"),
                )
                step("the Shanghai admin reviewer reviews", review(index, "BR-DEMO-R"))
            else:
                (holder,) = [p.id for p in STAFF if role in p.roles and p.id != "BR-DEMO-X"]
                step(f"the {role} approves", review(index, holder))

    def change(key: str, reason: str) -> Callable[[Transaction], Any]:
        return lambda tx: ServiceUnits(tx).change(
            "BR-DEMO-U1", "BR-DEMO-H", reason, tx.now().date() + timedelta(days=30), key=key
        )

    def open_unit(tx: Transaction) -> None:
        units = ServiceUnits(tx)
        units.apply("BR-DEMO-U1", "BR-DEMO-H", FACTS, key="BR-DEMO-U1-apply")
        units.approve("BR-DEMO-U1", "BR-DEMO-G", key="BR-DEMO-U1-approve")
        units.register("BR-DEMO-U1", "BR-DEMO-G", "SH-2026-001", key="BR-DEMO-U1-register")

    say("The Shanghai branch (with its own admin department) claims, plans and changes a desk.")
    step("set up the branch's staff", staff)
    step(
        "submit a 20,000 CNY claim from Shanghai sales",
        lambda tx: tx.approvals.submit(claim, key="BR-DEMO-Q1"),
    )
    approve_route()
    step(
        "split a target whose total is a cent over",
        lambda tx: TargetBook(tx).put(_targets(ANNUAL + Decimal("0.01"))),
    )
    step("split the target exactly", lambda tx: TargetBook(tx).put(_targets(ANNUAL)))
    step("open and register the Pudong desk", open_unit)
    step("move the desk without a reason", change("BR-DEMO-U1-change-0", ""))
    step(
        "move the desk, with its reason",
        change("BR-DEMO-U1-change-1", "it moves to a larger office"),
    )

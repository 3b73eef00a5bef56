"""Small builders the core tests share."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from agency_core import ApprovalRequest, Employee, Money

BEIJING = timezone(timedelta(hours=8))
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=BEIJING)


STAFF = {
    "gm": Employee("gm", "admin", {"general_manager"}),
    "fm": Employee("fm", "finance", {"finance_manager"}),
    "reviewer": Employee("reviewer", "finance", {"finance_reviewer"}),
    "head": Employee("head", "sales", {"dept_head"}),
    "deputy": Employee("deputy", "sales", {"deputy_dept_head"}),
    "other_head": Employee("other_head", "legal", {"dept_head"}),
    "clerk": Employee("clerk", "sales"),
    "cashier": Employee("cashier", "finance", {"cashier"}),
}


def cny(amount: str | int) -> Money:
    return Money(amount, "CNY")


def claim(
    amount: str | int, requester: str = "clerk", department: str = "sales"
) -> ApprovalRequest:
    return ApprovalRequest("R-1", "expense_reimbursement", cny(amount), department, requester)

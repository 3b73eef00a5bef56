"""Shared data of the store tests: the staff, a claim, a hand-moved clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import attrs

import agency_core.store as st
from agency_core import ApprovalRequest, Employee, Money
from agency_core.builtin import approvals

PG_URL = os.environ.get("AGENCY_TEST_DATABASE_URL")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@attrs.define
class Clock:
    """A clock tests move by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


STAFF = (
    Employee("E1", "sales", (), "requester"),
    Employee("H1", "sales", {"dept_head"}, "head of sales"),
    Employee("H2", "sales", {"dept_head"}, "second head of sales"),
    Employee("D1", "sales", {"deputy_dept_head"}, "deputy head of sales"),
    Employee("HX", "ops", {"dept_head"}, "head of ops"),
    Employee("V1", "finance", {"finance_reviewer"}, "finance reviewer"),
    Employee("F1", "finance", {"finance_manager"}, "finance manager"),
    Employee("F2", "finance", {"deputy_finance_manager"}, "deputy finance manager"),
    Employee("G1", "office", {"general_manager"}, "general manager"),
    Employee("M1", "sales", {"dept_head", "finance_reviewer"}, "two hats"),
    Employee("A1", "archives", {"archives_head"}, "archives head"),
    Employee("C1", "accounting", {"accounting_head"}, "accounting head"),
    Employee("S1", "archives", (), "archives clerk"),
    Employee("S2", "accounting", (), "accounting clerk"),
)


def claim(request_id: str = "R1", amount: str = "12000", requester: str = "E1") -> ApprovalRequest:
    """An expense claim of sales: dept_head, finance_reviewer, finance_manager for 12000 CNY."""
    return ApprovalRequest(
        request_id, "expense_reimbursement", Money(amount, "CNY"), "sales", requester
    )


class RouteOnly:
    """The bundled routing without the bundled step checks (APR-04..07), for lax engines."""

    __name__ = "route_only"
    agency_approval_route = staticmethod(approvals.agency_approval_route)


def tamper(store: st.Store, *statements: str) -> None:
    """Run ``statements`` as an attacker who owns the tables: the log's guards are lifted first.

    On PostgreSQL the triggers are disabled inside the attacker's transaction (and enabled again
    before it commits); on SQLite they are dropped.
    """
    with store.database.begin() as conn:
        if store.dialect == "postgresql":
            for table in ("decision_log", "decision_log_head"):
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for name in _SQLITE_GUARDS:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        for statement in statements:
            conn.exec_driver_sql(statement)
        if store.dialect == "postgresql":
            for table in ("decision_log", "decision_log_head"):
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


_SQLITE_GUARDS = ("agency_log_no_update", "agency_log_no_delete", "agency_log_head_no_delete")

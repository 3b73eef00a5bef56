"""Bulk seeding for the store benchmarks: approvals and records in set-based SQL (benchmark code).

Rows are generated inside the database from a series ``g = 1..n`` (``generate_series`` on
PostgreSQL, a recursive CTE on SQLite) with ``INSERT ... SELECT``, so a million requests take
seconds and no Python loop touches them; PostgreSQL is then vacuumed and analyzed, SQLite left
without statistics as a store leaves it. The table and column names come from the store's own
metadata (``agency_core.store.models``); values that the store keeps in a dialect-specific form
(timestamps, amounts, booleans) go through the columns' own types as bound parameters.

Violations are planted by residue of ``g``, so the count each sweep must find is known exactly
(:func:`expected_approvals`, :func:`expected_records`):

approvals (two steps each: ``dept_head`` in the department, then ``finance_manager``)
    ``g % 100`` in 0..89 approved, 90..94 pending at step 1, 95 pending since long ago (APR-07),
    96..99 pending at step 0; among the approved: 1 the requester (a head) approves step 0
    (SOD-01), 2 one person with both roles decides both steps (SOD-04), 3 a head of another
    department decides step 0 (APR-04).
records
    ``g % 10 == 0`` past retention (RET-02) unless ``g % 30 == 0`` (held); ``g % 1000 == 7``
    destroyed under a hold (RET-03); ``g % 100 == 5`` an overdue loan (RET-06), ``== 6`` a returned
    one; ``g % 50 == 0`` important, with a backup only when ``g % 100 == 0`` (RET-07).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.types import TypeEngine

from agency_core.store import Store
from agency_core.store.models import (
    ApprovalRequestRow,
    BackupRow,
    EmployeeRoleRow,
    EmployeeRow,
    HoldRow,
    LoanRow,
    RecordRow,
    RouteStepRow,
    StepActionRow,
)

__all__ = [
    "DEPARTMENTS",
    "expected_approvals",
    "expected_records",
    "seed_approvals",
    "seed_records",
]

DEPARTMENTS: Final = ("sales", "finance", "hr", "legal", "admin", "business", "ops", "it", "pr")
HEADS_PER_DEPARTMENT: Final = 10
FINANCE_MANAGERS: Final = 20
POLICY_VERSION: Final = "bench"
POLICY_SHA: Final = "0" * 64


def expected_approvals(n: int) -> dict[str, int]:
    """How many offences each approval sweep must find among ``n`` seeded requests."""

    def residue(r: int) -> int:
        return len(range(r, n + 1, 100))

    return {"SOD-01": residue(1), "SOD-04": residue(2), "APR-04": residue(3), "APR-07": residue(95)}


def expected_records(n: int) -> dict[str, int]:
    """How many offences each records sweep must find among ``n`` seeded records."""
    return {
        "RET-02": n // 10 - n // 30,
        "RET-03": len(range(7, n + 1, 1000)),
        "RET-06": len(range(5, n + 1, 100)),
        "RET-07": len(range(50, n + 1, 100)),
    }


def _series(dialect: str, n: int) -> tuple[str, str]:
    """A ``WITH`` prefix and a ``FROM`` source yielding ``g`` = 1..n."""
    if dialect == "postgresql":
        return "", f"generate_series(1, {int(n)}) AS s(g)"
    prefix = f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {int(n)}) "
    return prefix, "s"


def _day(dialect: str, start: str, offset: str) -> str:
    """SQL for the date ``start`` plus ``offset`` days."""
    if dialect == "postgresql":
        return f"(DATE '{start}' + ({offset})::int)"
    return f"date('{start}', '+' || ({offset}) || ' days')"


def _bool(dialect: str, condition: str) -> str:
    return (
        f"({condition})"
        if dialect == "postgresql"
        else f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"
    )


def _dept(expr: str) -> str:
    """SQL for ``DEPARTMENTS[expr % 9]``."""
    whens = " ".join(f"WHEN {i} THEN '{d}'" for i, d in enumerate(DEPARTMENTS))
    return f"(CASE ({expr}) % {len(DEPARTMENTS)} {whens} END)"


def _insert(
    conn: Connection, sql: str, params: dict[str, Any], types: dict[str, TypeEngine[Any]]
) -> None:
    statement = text(sql).bindparams(*(bindparam(k, type_=t) for k, t in types.items()))
    conn.execute(statement, params)


def _run(conn: Connection, sql: str) -> None:
    conn.execute(text(sql))  # text() escapes "%" for PostgreSQL's driver


def _staff(conn: Connection) -> None:
    people: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    for d in DEPARTMENTS:
        for k in range(HEADS_PER_DEPARTMENT):
            people.append({"id": f"H-{d}-{k}", "department": d, "name": ""})
            roles.append({"employee_id": f"H-{d}-{k}", "role": "dept_head"})
        people.append({"id": f"M-{d}", "department": d, "name": ""})
        roles += [
            {"employee_id": f"M-{d}", "role": "dept_head"},
            {"employee_id": f"M-{d}", "role": "finance_manager"},
        ]
    for k in range(FINANCE_MANAGERS):
        people.append({"id": f"F-{k}", "department": "finance", "name": ""})
        roles.append({"employee_id": f"F-{k}", "role": "finance_manager"})
    conn.execute(EmployeeRow.__table__.insert(), people)
    conn.execute(EmployeeRoleRow.__table__.insert(), roles)


def seed_approvals(store: Store, n: int, now: datetime) -> None:
    """Seed ``n`` approval requests with their routes and step actions (see the module doc)."""
    dialect = store.dialect
    req, steps, acts = (
        ApprovalRequestRow.__table__,
        RouteStepRow.__table__,
        StepActionRow.__table__,
    )
    ts = req.c.submitted_at.type
    times = {
        "submitted": now - timedelta(days=40),
        "acted": now - timedelta(days=39),
        "recent": now - timedelta(days=1),
        "old": now - timedelta(days=30),
    }
    ttypes: dict[str, TypeEngine[Any]] = dict.fromkeys(times, ts)
    with_, source = _series(dialect, n)
    dept = _dept("g")
    head = f"'H-' || {dept} || '-' || ((g / 100) % {HEADS_PER_DEPARTMENT})"
    other_head = f"'H-' || {_dept('g + 1')} || '-0'"
    fm = f"'F-' || (g % {FINANCE_MANAGERS})"
    amount = "'12000.0000'" if dialect == "sqlite" else "12000"
    with store.database.begin() as conn:
        _staff(conn)
        r = "g % 100"
        _insert(
            conn,
            f"{with_}INSERT INTO {req.name} (id, action, amount, currency, department, "
            "requester, budget_remaining, budget_currency, status, next_step, submitted_at, "
            "pending_since, submit_key, payload_digest, policy_version, policy_sha256, version) "
            f"SELECT 'Q' || g, 'expense_reimbursement', {amount}, 'CNY', {dept}, "
            f"CASE WHEN {r} = 1 THEN {head} ELSE 'E' || (g % 5000) END, NULL, NULL, "
            f"CASE WHEN {r} < 90 THEN 'approved' ELSE 'pending' END, "
            f"CASE WHEN {r} BETWEEN 90 AND 95 THEN 1 ELSE 0 END, :submitted, "
            f"CASE WHEN {r} < 90 THEN :acted WHEN {r} = 95 THEN :old ELSE :recent END, "
            f"'sub-' || g, '{POLICY_SHA}', '{POLICY_VERSION}', '{POLICY_SHA}', 1 "
            f"FROM {source}",
            times,
            ttypes,
        )
        for idx, role, scope in ((0, "dept_head", "department"), (1, "finance_manager", "company")):
            _run(
                conn,
                f"{with_}INSERT INTO {steps.name} (request_id, idx, role, scope) "
                f"SELECT 'Q' || g, {idx}, '{role}', '{scope}' FROM {source}",
            )
        first = (
            f"CASE WHEN {r} = 1 THEN {head} WHEN {r} = 2 THEN 'M-' || {dept} "
            f"WHEN {r} = 3 THEN {other_head} ELSE {head} END"
        )
        second = f"CASE WHEN {r} = 2 THEN 'M-' || {dept} ELSE {fm} END"
        for step, actor, where in ((0, first, f"{r} < 96"), (1, second, f"{r} < 90")):
            _insert(
                conn,
                f"{with_}INSERT INTO {acts.name} (id, request_id, step, actor, on_behalf_of, "
                "verdict, reason, at, key) "
                f"SELECT 2 * g + {step}, 'Q' || g, {step}, {actor}, NULL, 'approve', '', "
                f":acted, 'act-' || g || '-{step}' FROM {source} WHERE {where}",
                {"acted": times["acted"]},
                {"acted": ts},
            )
    _analyze(store)


def seed_records(store: Store, n: int, now: datetime) -> None:
    """Seed ``n`` records with holds, loans and backups (see the module doc)."""
    dialect = store.dialect
    rec, holds, loans, backups = (
        RecordRow.__table__,
        HoldRow.__table__,
        LoanRow.__table__,
        BackupRow.__table__,
    )
    with_, source = _series(dialect, n)
    due = (
        f"CASE WHEN g % 10 = 0 THEN {_day(dialect, '2000-01-01', 'g % 1000')} "
        f"ELSE {_day(dialect, '2090-01-01', 'g % 1000')} END"
    )
    with store.database.begin() as conn:
        _insert(
            conn,
            f"{with_}INSERT INTO {rec.name} (number, title, closed_on, event_on, important, "
            "due_on, permanent, registered_at, destroyed_on, destruction_list_id) "
            f"SELECT 'RB-' || g, '', {_day(dialect, '1995-01-01', 'g % 5000')}, NULL, "
            f"{_bool(dialect, 'g % 50 = 0')}, {due}, {_bool(dialect, '1 = 0')}, :registered, "
            f"CASE WHEN g % 1000 = 7 THEN {_day(dialect, '2025-06-01', '0')} ELSE NULL END, "
            f"NULL FROM {source}",
            {"registered": now - timedelta(days=400)},
            {"registered": rec.c.registered_at.type},
        )
        _run(
            conn,
            f"{with_}INSERT INTO {holds.name} (id, record_number, kind, reason, matter, "
            f"placed_on, released_on) SELECT 'HB-' || g, 'RB-' || g, 'legal_hold', 'bench', NULL, "
            f"{_day(dialect, '2020-01-01', '0')}, NULL FROM {source} "
            "WHERE g % 30 = 0 OR g % 1000 = 7",
        )
        _run(
            conn,
            f"{with_}INSERT INTO {loans.name} (id, record_number, borrower, lent_on, due_on, "
            "approval_id, approved, returned_on) "
            f"SELECT 'LB-' || g, 'RB-' || g, 'E' || (g % 5000), "
            f"{_day(dialect, '2024-12-01', '0')}, {_day(dialect, '2025-01-01', '0')}, NULL, "
            f"{_bool(dialect, '1 = 1')}, "
            f"CASE WHEN g % 100 = 6 THEN {_day(dialect, '2024-12-20', '0')} ELSE NULL END "
            f"FROM {source} WHERE g % 100 IN (5, 6)",
        )
        _run(
            conn,
            f"{with_}INSERT INTO {backups.name} (id, record_number, location, made_on) "
            f"SELECT g, 'RB-' || g, 'vault', {_day(dialect, '2024-01-01', '0')} "
            f"FROM {source} WHERE g % 100 = 0",
        )
    _analyze(store)


def _analyze(store: Store) -> None:
    """PostgreSQL: fresh planner statistics and visibility map, as autovacuum keeps them.

    SQLite is left without statistics, as a store leaves it (nothing runs ANALYZE there), so the
    sweeps are timed with the plans a host gets. (An ANALYZE here never took effect anyway: the
    store's connection opens its own transaction, which AUTOCOMMIT then rolled back.)
    """
    if store.dialect != "postgresql":
        return
    with store.database.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")

"""Targets and service units in the store (SQLite and PostgreSQL), and the BR sweeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from agency_branch_office import (
    PersonTarget,
    ServiceUnits,
    TargetBook,
    TargetSplit,
    UnitFacts,
    split,
)
from agency_branch_office.store import SWEEPS, TargetPartRow
from sqlalchemy import update

import agency_core.store as st
from agency_core import ApprovalRequest, Engine, Money
from agency_core.store.audit import run_audit
from agency_core.store.errors import Refused
from agency_core.testing.databases import migrations_match_models

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the stores' clock (conftest.py)
FULL = UnitFacts("open a Suzhou desk", "3 staff", "rented office", "CNY 400000")


def counts(store: st.Store, on: date | None = None) -> dict[str, int]:
    return {f.title: f.count for f in run_audit(store, on=on or T0.date(), sweeps=SWEEPS)}


def test_migrations_match_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


def test_entry_point_loads_the_plugin() -> None:
    engine = Engine(entry_points=["branch_office"])
    assert "target_split" in engine.kinds
    assert "service_unit" in engine.machines
    assert any(
        info.name.endswith("branch_office.plugin") or "branch_office" in info.name
        for info in engine.plugins
    )


def a_split(annual: str = "1200000.00") -> TargetSplit:
    total = Decimal(annual)
    quarters = split(total, [1, 1, 1, 1])
    months = tuple(m for q in quarters for m in split(q, [1, 1, 1]))
    people = tuple(
        PersonTarget(p, a) for p, a in zip(("P1", "P2"), split(total, [1, 1]), strict=True)
    )
    return TargetSplit("sh", 2026, total, quarters, months, people)


def test_br02_book_refuses_uneven_and_sweep_finds(store: st.Store) -> None:
    title = "sales targets whose splits do not add up"
    good = a_split()
    with store.transaction() as tx:
        TargetBook(tx).put(good)
        TargetBook(tx).put(good)  # replacing the year's split
        with pytest.raises(Refused) as caught:
            TargetBook(tx).put(attrs.evolve(good, annual=Decimal("1200000.01")))
        assert caught.value.controls == {"BR-02"}
    assert counts(store)[title] == 0
    with store.transaction() as tx:  # a split edited around the book
        tx.session.execute(
            update(TargetPartRow)
            .where(TargetPartRow.part == "person", TargetPartRow.key == "P2")
            .values(amount=Decimal(1))
        )
    assert counts(store)[title] == 1
    with store.transaction() as tx:  # or a person split missing altogether
        TargetBook(tx).put(good)
        tx.session.execute(TargetPartRow.__table__.delete().where(TargetPartRow.part == "person"))
    assert counts(store)[title] == 1


def test_br03_unit_lifecycle_and_sweeps(store: st.Store) -> None:
    overdue = "service units not registered by their due day"
    incomplete = "service units with an incomplete application or registration"
    with store.transaction() as tx:
        units = ServiceUnits(tx)
        with pytest.raises(Refused):
            units.apply("U0", "D1", attrs.evolve(FULL, budget=""), key="u0")
    with store.transaction() as tx:
        units = ServiceUnits(tx)
        units.apply("U1", "D1", FULL, key="u1")
        units.apply("U2", "D1", FULL, key="u2")
        with pytest.raises(Refused):
            units.approve("U1", "D1", key="u1-a-self")
        units.approve("U1", "GM", key="u1-a")
        item = units.register("U1", "GM", "SZ-2026-001", key="u1-r")
        assert item.open is False
        with pytest.raises(Refused):
            units.change("U1", "D1", "moving", date(2026, 3, 2), key="u1-c-late")
        changed = units.change("U1", "D1", "moving", date(2026, 4, 1), key="u1-c")
        assert changed.open
        assert changed.state == "change_applied"
    due = T0.date() + timedelta(days=30)
    assert counts(store, due)[overdue] == 0
    assert counts(store, due + timedelta(days=1))[overdue] == 2
    assert counts(store)[incomplete] == 0


def test_br01_sweep_finds_branch_claims_routed_to_finance(store: st.Store) -> None:
    title = "branch expense claims routed to finance review"

    def claim(request: str, department: str) -> ApprovalRequest:
        return ApprovalRequest(
            request, "expense_reimbursement", Money("20000", "CNY"), department, "C1"
        )

    with store.transaction() as tx:
        tx.approvals.submit(claim("Q3", "sh-sales"), key="q3")  # the swapped route
    with store.transaction(engine=Engine()) as tx:  # a host that left the plugin out
        tx.approvals.submit(claim("Q1", "sh-sales"), key="q1")
        tx.approvals.submit(claim("Q2", "finance"), key="q2")
    found = run_audit(store, on=T0.date(), sweeps=SWEEPS)
    (br01,) = [f for f in found if f.title == title]
    assert (br01.count, br01.sample) == (1, ("Q1",))

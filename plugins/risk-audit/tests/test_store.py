"""The register, ledger and audits in the store (SQLite and PostgreSQL), and their sweeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from agency_risk_audit import AuditBook, FindingLedger, Risk, RiskRegister
from agency_risk_audit.store import SWEEPS, ReadingRow, RiskRow
from sqlalchemy import insert, update

import agency_core.store as st
from agency_core import Engine
from agency_core.store.audit import run_audit
from agency_core.store.errors import Refused
from agency_core.store.models import TrackedItemRow
from agency_core.testing.databases import migrations_match_models

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the stores' clock (conftest.py)


def counts(store: st.Store, on: date | None = None) -> dict[str, int]:
    found = run_audit(store, on=on or T0.date(), sweeps=SWEEPS)
    return {f.title: f.count for f in found}


def test_migrations_match_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


def test_entry_point_loads_the_plugin() -> None:
    engine = Engine(entry_points=["risk_audit"])
    assert {"risk", "indicator_reading"} <= set(engine.kinds)
    assert {"audit", "audit_finding"} <= set(engine.machines)


def test_rsk02_register_refuses_and_sweep_finds(store: st.Store) -> None:
    with store.transaction() as tx:
        RiskRegister(tx).put(Risk("R1", "fraud", "sales", 4, 5, "reduce", "S2"))
        with pytest.raises(Refused) as caught:
            RiskRegister(tx).put(Risk("R2", "churn", "sales", 2, 2, None, "S2"))
        assert caught.value.controls == {"RSK-02"}
    assert counts(store)["risks without an owner or a response"] == 0
    with store.transaction() as tx:  # legacy rows, entered around the register
        tx.session.execute(
            insert(RiskRow),
            [
                {
                    "id": "L1",
                    "title": "a",
                    "department": "x",
                    "likelihood": 1,
                    "impact": 1,
                    "response": None,
                    "owner": "S2",
                },
                {
                    "id": "L2",
                    "title": "b",
                    "department": "x",
                    "likelihood": 1,
                    "impact": 1,
                    "response": "reduce",
                    "owner": None,
                },
                {
                    "id": "L3",
                    "title": "c",
                    "department": "x",
                    "likelihood": 1,
                    "impact": 1,
                    "response": "pray",
                    "owner": "S2",
                },
            ],
        )
    assert counts(store)["risks without an owner or a response"] == 3


def test_rsk03_reading_alerts_and_sweep(store: st.Store) -> None:
    title = "readings that reached a threshold without an alert"
    with store.transaction() as tx:
        register = RiskRegister(tx)
        register.put(Risk("R1", "bad debts", "finance", 3, 4, "reduce", "S2"))
        register.add_indicator("K1", "R1", Decimal("100000"))
        quiet = register.read("K1", Decimal("99999.99"))
        loud = register.read("K1", Decimal("100000"))
    assert not [f for f in quiet.findings if f.control == "RSK-03"]
    assert [f.control for f in loud.findings if f.control == "RSK-03"] == ["RSK-03"]
    assert counts(store)[title] == 0
    with store.transaction() as tx:
        tx.session.execute(update(ReadingRow).values(alerted_at=None))
    assert counts(store)[title] == 1


def plan(tx: st.Transaction, audit: str = "AU1", auditors: tuple[str, ...] = ("A2",)) -> None:
    AuditBook(tx).plan(
        audit,
        "sales",
        "A1",
        auditors,
        scope="claims",
        content="over 5000",
        method="sampling",
        key=f"plan-{audit}",
    )


def test_aud01_ledger_owner_cannot_close(store: st.Store) -> None:
    with store.transaction() as tx:
        plan(tx)
        ledger = FindingLedger(tx)
        item = ledger.record("F1", "AU1", "S2", "claims without receipts", key="f1")
        assert item.due_on == date(2026, 4, 1)  # 30 calendar days from 2 March
        ledger.move("F1", "rectified", "S2", key="f1-r")
        with pytest.raises(Refused) as caught:
            ledger.move("F1", "closed", "S2", key="f1-c")
        assert caught.value.controls == {"AUD-01"}
        assert ledger.move("F1", "closed", "A1", key="f1-c2").open is False


def test_aud01_sweeps_overdue_and_closed_by_owner(store: st.Store) -> None:
    with store.transaction() as tx:
        plan(tx)
        FindingLedger(tx).record("F1", "AU1", "S2", "late", key="f1", due=date(2026, 3, 10))
        FindingLedger(tx).record("F2", "AU1", "S2", "closed by owner", key="f2")
        FindingLedger(tx).move("F2", "rectified", "S2", key="f2-r")
        FindingLedger(tx).move("F2", "closed", "A1", key="f2-c")
    assert counts(store, date(2026, 3, 10))["audit findings open past their deadline"] == 0
    assert counts(store, date(2026, 3, 11))["audit findings open past their deadline"] == 1
    assert counts(store)["audit findings closed by their own owner"] == 0
    with store.transaction() as tx:  # a close written around the ledger
        tx.session.execute(
            update(TrackedItemRow).where(TrackedItemRow.id == "F2").values(owner="A1")
        )
    assert counts(store)["audit findings closed by their own owner"] == 1


def test_aud02_audit_lifecycle_and_sweeps(store: st.Store) -> None:
    with store.transaction() as tx:
        plan(tx, "AU1")
        plan(tx, "AU2", auditors=("S1",))
        book = AuditBook(tx)
        with pytest.raises(Refused) as caught:
            book.start("AU2", "A1", key="s2")
        assert caught.value.controls == {"AUD-02"}
        book.start("AU1", "A1", key="s1")
        with pytest.raises(Refused):
            book.report("AU1", "A1", "  ", key="r1")
    found = counts(store)
    assert found["audits with an auditor of the audited department"] == 1
    assert found["audits without a report past their due day"] == 0
    assert (
        counts(store, T0.date() + timedelta(days=31))["audits without a report past their due day"]
        == 2
    )
    with store.transaction() as tx:
        AuditBook(tx).report("AU1", "A1", "two findings", key="r1")
    assert (
        counts(store, T0.date() + timedelta(days=31))["audits without a report past their due day"]
        == 1
    )
    assert counts(store)["audits reported without a report"] == 0
    assert counts(store)["audits under way without a complete plan"] == 0

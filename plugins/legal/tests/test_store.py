"""Reviews, signings and matters in the store, and their sweeps, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from agency_legal import Matter, Verdict, content_digest
from agency_legal.store import Legal, MatterRecordRow, MatterRow, SigningRow
from sqlalchemy import select, update

import agency_core.store as st
from agency_core import Engine
from agency_core.decision import Outcome
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.audit import run_audit
from agency_core.store.errors import Refused
from agency_core.store.models import HoldRow
from agency_core.testing.databases import migrations_match_models

V1 = content_digest("合同 v1")
V2 = content_digest("合同 v2")
AT = datetime.fromisoformat("2025-03-03T10:00:00+08:00")


def audit(store: st.Store, on: date) -> dict[str, int]:
    return {f.control: f.count for f in run_audit(store, on=on) if f.control.startswith("LEG-")}


def test_migrations_create_exactly_the_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


def test_leg01_review_then_sign_the_same_version(store: st.Store) -> None:
    with store.transaction() as tx:
        legal = Legal(tx)
        legal.submit("HT-1", V1, "D1", case="CASE-2025-000001", at=AT)
        legal.review("R1", "HT-1", V1, "L1", Verdict.PASSED, at=AT + timedelta(hours=1))
        signed = legal.sign("HT-1", V1, "G1", at=AT + timedelta(days=1))
    assert signed.drafter == "D1"
    assert audit(store, date(2025, 3, 5)) == {"LEG-01": 0, "LEG-02": 0}


def test_leg01_signing_an_unreviewed_version_is_refused_and_not_stored(store: st.Store) -> None:
    with store.transaction() as tx:
        legal = Legal(tx)
        legal.submit("HT-1", V1, "D1", at=AT)
        legal.submit("HT-1", V2, "D1", at=AT)
        legal.review("R1", "HT-1", V1, "L1", Verdict.PASSED, at=AT + timedelta(hours=1))
    with pytest.raises(Refused) as refused, store.transaction() as tx:
        Legal(tx).sign("HT-1", V2, "G1", at=AT + timedelta(days=1))
    assert refused.value.controls == {"LEG-01"}
    with store.transaction() as tx:
        assert tx.session.get(SigningRow, "HT-1") is None


def test_leg01_the_drafter_cannot_review_their_draft(store: st.Store) -> None:
    with store.transaction() as tx:
        Legal(tx).submit("HT-1", V1, "L1", at=AT)  # drafted by a lawyer
    with pytest.raises(Refused) as refused, store.transaction() as tx:
        Legal(tx).review("R1", "HT-1", V1, "L1", Verdict.PASSED, at=AT)
    assert refused.value.controls == {"LEG-01"}
    with store.transaction() as tx:
        Legal(tx).review("R1", "HT-1", V1, "L2", Verdict.PASSED, at=AT)
        assert [r.reviewer.id for r in Legal(tx).reviews("HT-1")] == ["L2"]


def test_leg01_sweep_finds_contracts_signed_without_a_passing_review(store: st.Store) -> None:
    with store.transaction() as tx:
        legal = Legal(tx)
        legal.submit("HT-1", V1, "D1", at=AT)
        legal.review("R1", "HT-1", V1, "L1", Verdict.PASSED, at=AT)
        legal.sign("HT-1", V1, "G1", at=AT + timedelta(hours=2))
        legal.review("R2", "HT-1", V1, "L2", Verdict.FAILED, at=AT + timedelta(hours=1))
        # signed elsewhere and imported: no review at all, and a review of another version
        tx.session.add(
            SigningRow(contract_id="HT-9", digest=V1, drafter="D1", signer="G1", signed_at=AT)
        )
        tx.session.add(
            SigningRow(contract_id="HT-8", digest=V2, drafter="D1", signer="G1", signed_at=AT)
        )
        legal.submit("HT-8", V1, "D1", at=AT)
        legal.review("R3", "HT-8", V1, "L1", Verdict.PASSED, at=AT - timedelta(hours=1))
        # and one reviewed only after it was signed
        tx.session.add(
            SigningRow(contract_id="HT-7", digest=V1, drafter="D1", signer="G1", signed_at=AT)
        )
        legal.submit("HT-7", V1, "D1", at=AT)
        legal.review("R4", "HT-7", V1, "L1", Verdict.PASSED, at=AT + timedelta(hours=1))
    findings = {f.control: f for f in run_audit(store, on=date(2025, 3, 5))}
    assert findings["LEG-01"].count == 4  # HT-1's pass was followed by a failure before signing
    assert set(findings["LEG-01"].sample) == {"HT-1", "HT-7", "HT-8", "HT-9"}


def test_unknown_versions_and_matters_are_not_found(store: st.Store) -> None:
    with store.transaction() as tx, pytest.raises(NotFound):
        Legal(tx).review("R1", "HT-404", V1, "L1", Verdict.PASSED)
    with store.transaction() as tx, pytest.raises(NotFound):
        Legal(tx).close_matter("M-404", "settled", on=date(2025, 3, 3))


def _record(tx: st.Transaction) -> str:
    record = tx.records.register("contract", closed_on=date(2010, 6, 1), event_on=date(2010, 6, 1))
    return record.number


def test_leg02_a_matter_holds_its_records_until_it_closes(store: st.Store) -> None:
    with store.transaction() as tx:
        number = _record(tx)
        assert tx.records.check_disposal(number, date(2025, 3, 3)).outcome is Outcome.ALLOW
        Legal(tx).open_matter(
            Matter("M-1", "client disputes the fee", date(2025, 3, 3), "L1", "CASE-2010-000001"),
            [number],
        )
    with store.transaction() as tx:
        refused = tx.records.check_disposal(number, date(2025, 6, 1))
        assert refused.outcome is Outcome.DENY
        assert "RET-03" in refused.controls
    assert audit(store, date(2025, 6, 1))["LEG-02"] == 0
    with store.transaction() as tx:
        Legal(tx).close_matter("M-1", "settled: fee refunded", on=date(2025, 6, 2))
        assert tx.records.check_disposal(number, date(2025, 6, 2)).outcome is Outcome.ALLOW
        with pytest.raises(StateError):
            Legal(tx).hold("M-1", number, on=date(2025, 6, 3))
    assert audit(store, date(2025, 6, 3))["LEG-02"] == 0


def test_leg02_sweep_finds_records_of_open_matters_not_held(store: st.Store) -> None:
    with store.transaction() as tx:
        number = _record(tx)
        Legal(tx).open_matter(Matter("M-1", "fee dispute", date(2025, 3, 3), "L1"), [number])
        tx.session.execute(  # released behind the matter's back
            update(HoldRow).where(HoldRow.matter == "M-1").values(released_on=date(2025, 4, 1))
        )
    assert audit(store, date(2025, 3, 31))["LEG-02"] == 0
    assert audit(store, date(2025, 4, 1))["LEG-02"] == 1


def test_leg02_sweep_finds_holds_left_after_the_matter_closed(store: st.Store) -> None:
    with store.transaction() as tx:
        number = _record(tx)
        Legal(tx).open_matter(Matter("M-1", "fee dispute", date(2025, 3, 3), "L1"), [number])
        tx.session.execute(
            update(MatterRecordRow.__table__)
            .where(MatterRecordRow.matter_id == "M-1")
            .values(hold_id="M-1/elsewhere")
        )
    assert audit(store, date(2025, 3, 4))["LEG-02"] == 1  # the link names no hold in force
    with store.transaction() as tx:
        held = tx.session.scalars(select(HoldRow.id).where(HoldRow.matter == "M-1")).one()
        tx.session.execute(
            update(MatterRecordRow.__table__)
            .where(MatterRecordRow.matter_id == "M-1")
            .values(hold_id=held)
        )
        tx.session.execute(
            update(MatterRow)
            .where(MatterRow.id == "M-1")
            .values(closed_on=date(2025, 3, 5), resolution="x")
        )
    assert audit(store, date(2025, 3, 6))["LEG-02"] == 1  # closed, hold never released


def test_the_plugin_loads_through_its_entry_point() -> None:
    engine = Engine(entry_points=["legal"])
    assert {"legal_review", "contract_signing"} <= set(engine.kinds)
    assert engine.kinds["contract_signing"].plugin == "legal"


def test_a_hold_id_too_long_for_the_registry_is_invalid_input(store: st.Store) -> None:
    with store.transaction() as tx:
        number = _record(tx)
        with pytest.raises(InvalidInput, match="hold id"):
            Legal(tx).open_matter(Matter("M" * 60, "fee dispute", date(2025, 3, 3), "L1"), [number])

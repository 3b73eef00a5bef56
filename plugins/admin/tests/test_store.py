"""The admin plugin's store: migrations, the repository's refusals, every sweep (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from agency_admin import (
    Acceptance,
    AcceptedLine,
    AdminRepository,
    ContractLine,
    Document,
    PurchaseContract,
    SealApplication,
    SealReturn,
    resolution_item,
    seal_item,
)
from agency_admin.store import ActRow, PaymentRow, SealUseRow
from sqlalchemy import insert, select

import agency_core.store as st
from agency_core import Employee, Engine, Money
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.audit import run_audit
from agency_core.store.models import DutyRow, StepActionRow, TrackedMoveRow
from agency_core.testing.databases import migrations_match_models

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
ON = NOW.date()
LETTER = Document("letter", "XW-2026-007", "Letter to the tax bureau")


def audit(store: st.Store, on: date = ON) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for result in run_audit(store, on=on, sample=50):
        if result.count and result.control in {*(f"ADM-0{i}" for i in range(1, 9)), "SOD-03"}:
            found.setdefault(result.control, []).extend(result.sample)
    return found


def test_migrations_create_exactly_the_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


# -- seals ----------------------------------------------------------------------------------------


def seal_ready(store: st.Store, document: Document = LETTER, approve: bool = True) -> None:
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.register_seal("company", "Company seal", "SC")
        application = SealApplication("S1", "company", "tax filing", "sales", "E1", document)
        submission = admin.apply_for_seal(application, key="apply-S1")
        assert submission.route.roles == ("seal_use_approver",)
        if approve:
            tx.approvals.approve("S1", 0, "SA", key="approve-S1")


def test_a_custodian_holds_the_role_and_no_conflicting_one(store: st.Store) -> None:
    with store.transaction() as tx:
        tx.employees.put(
            Employee("X1", "admin", frozenset({"seal_custodian", "seal_use_approver"}))
        )
    with store.transaction() as tx, pytest.raises(InvalidInput, match="seal_custodian"):
        AdminRepository(tx).register_seal("company", "Company seal", "AD")
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).register_seal("company", "Company seal", "X1")
    assert refused.value.controls == {"SOD-02"}


def test_adm01_the_seal_is_used_only_on_the_approved_application(store: st.Store) -> None:
    seal_ready(store, approve=False)
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).use_seal("U1", "S1", "E1", LETTER, key="use-U1")
    assert refused.value.controls == {"ADM-01"}
    with store.transaction() as tx:
        tx.approvals.approve("S1", 0, "SA", key="approve-S1")
    other = Document("contract", "HT-1", "Some other contract")
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).use_seal("U1", "S1", "E1", other, key="use-U1")
    assert refused.value.controls == {"ADM-01"}
    with store.transaction() as tx:
        item = AdminRepository(tx).use_seal("U1", "S1", "E1", LETTER, key="use-U1")
    assert (item.state, item.due_on, item.control) == ("out", ON, "ADM-08")
    with store.transaction() as tx:  # the register and the duties of SOD-03, through the core
        duties = tx.session.execute(select(DutyRow.duty, DutyRow.actor).order_by(DutyRow.duty))
        assert list(duties) == [("apply_seal", "E1"), ("approve_seal_use", "SA")]
        assert tx.session.get(SealUseRow, "U1") is not None
    assert audit(store) == {}


def test_adm02_a_blank_document_is_refused(store: st.Store) -> None:
    blank = Document("paper", "BLANK-1", "Blank letterhead", blank=True)
    seal_ready(store, blank)
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).use_seal("U1", "S1", "E1", blank, key="use-U1")
    assert refused.value.controls == {"ADM-02"}


def test_adm08_the_seal_goes_back_to_its_custodian_and_overdue_ones_are_swept(
    store: st.Store,
) -> None:
    seal_ready(store)
    with store.transaction() as tx:
        AdminRepository(tx).use_seal("U1", "S1", "E1", LETTER, key="use-U1")
    assert "ADM-08" not in audit(store, ON)
    assert audit(store, ON + timedelta(days=1))["ADM-08"] == [seal_item("U1")]
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).return_seal("U1", "AD", key="return-U1")
    assert refused.value.controls == {"ADM-08"}
    with store.transaction() as tx:
        back = AdminRepository(tx).return_seal("U1", "SC", key="return-U1")
    assert (back.state, back.open, back.history[-1].actor) == ("returned", False, "SC")
    assert "ADM-08" not in audit(store, ON + timedelta(days=1))


def test_adm08_the_return_is_due_on_the_day_of_use_in_the_firms_time_zone(
    store: st.Store,
) -> None:
    """07:30 in Shanghai is still the previous day in UTC: the seal is due back on the day it
    was used where the firm is (CONTROLS.md section 4), not a day before it."""
    seal_ready(store)
    early = datetime(2026, 3, 2, 7, 30, tzinfo=timezone(timedelta(hours=8)))
    with store.transaction() as tx:
        item = AdminRepository(tx).use_seal("U1", "S1", "E1", LETTER, key="use-U1", at=early)
    assert item.due_on == date(2026, 3, 2)
    assert "ADM-08" not in audit(store, date(2026, 3, 2))


def test_seal_sweeps_find_imported_uses(store: st.Store) -> None:
    seal_ready(store, approve=False)
    row = {
        "application_id": "S1",
        "seal": "company",
        "custodian": "SC",
        "used_at": NOW,
        "doc_kind": "paper",
        "doc_number": "N1",
        "doc_title": "t",
    }
    with store.transaction() as tx:
        tx.session.execute(
            insert(SealUseRow),
            [
                {**row, "id": "I1", "user": "E1", "doc_blank": True},
                {**row, "id": "I2", "user": "SA", "doc_blank": False},
            ],
        )
        tx.session.execute(
            insert(StepActionRow).values(
                request_id="S1", step=0, actor="SA", verdict="approve", at=NOW, key="imported"
            )
        )
    found = audit(store)
    assert found["ADM-01"] == ["I1", "I2"]  # the request itself is still pending
    assert found["ADM-02"] == ["I1"]
    assert found["SOD-03"] == ["I2"]


# -- supplies, equipment, assets ------------------------------------------------------------------


def test_adm03_supplies_are_issued_on_a_dept_head_approved_requisition(store: st.Store) -> None:
    with store.transaction() as tx:
        sub = AdminRepository(tx).request("Q1", "supplies_issue", "sales", "E1", key="q1")
        assert sub.request.action == "supplies_requisition"
        assert sub.route.roles == ("dept_head",)
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).issue_supplies("I1", "Q1", "AD", ON)
    assert refused.value.controls == {"ADM-03"}
    with store.transaction() as tx, pytest.raises(st.Refused):
        tx.approvals.approve("Q1", 0, "HA", key="wrong-head")  # another department's head
    with store.transaction() as tx:
        tx.approvals.approve("Q1", 0, "H1", key="q1-ok")
        AdminRepository(tx).issue_supplies("I1", "Q1", "AD", ON)
    assert "ADM-03" not in audit(store)
    with store.transaction() as tx:
        tx.session.execute(
            insert(ActRow).values(
                id="I9", act="supplies_issue", subject="Q9", application_id="Q9", actor="AD", on=ON
            )
        )
    assert audit(store)["ADM-03"] == ["I9"]


def approve_all(tx: st.Transaction, request: str, *people: str) -> None:
    for step, person in enumerate(people):
        tx.approvals.approve(request, step, person, key=f"{request}-{step}")


def registered_asset(store: st.Store, acquired_on: date = ON) -> str:
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.request("F1", "asset_registration", "sales", "E1", key="f1")
        with pytest.raises(st.Refused) as refused:
            admin.register_asset("Laptop", "sales", "F1", "AD", acquired_on=acquired_on, on=ON)
        assert refused.value.controls == {"ADM-07"}
    with store.transaction() as tx:
        approve_all(tx, "F1", "H1", "FM")
        return AdminRepository(tx).register_asset(
            "Laptop", "sales", "F1", "AD", acquired_on=acquired_on, on=ON
        )


def test_adm07_assets_are_numbered_on_an_approved_purchase(store: st.Store) -> None:
    assert registered_asset(store) == "ZC-000001"
    with store.transaction() as tx:
        second = AdminRepository(tx).register_asset(
            "Printer", "sales", "F1", "AD", acquired_on=ON, on=ON
        )
    assert second == "ZC-000002"
    assert "ADM-07" not in audit(store)


def test_adm04_repairs_and_scrapping_need_their_approval(store: st.Store) -> None:
    asset = registered_asset(store)
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.request("M1", "equipment_repair", "sales", "E1", key="m1")
        admin.request("D1", "equipment_scrapping", "sales", "E1", key="d1")
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).repair("R1", asset, "M1", "AD", ON)
    assert refused.value.controls == {"ADM-04"}
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        AdminRepository(tx).scrap("X1", asset, "M1", "AD", ON)  # a repair approval is not enough
    assert refused.value.controls == {"ADM-04"}
    with store.transaction() as tx:
        approve_all(tx, "M1", "H1")
        approve_all(tx, "D1", "H1", "FM")
        AdminRepository(tx).repair("R1", asset, "M1", "AD", ON)
        AdminRepository(tx).scrap("X1", asset, "D1", "AD", ON)
    with store.transaction() as tx, pytest.raises(StateError, match="disposed"):
        AdminRepository(tx).repair("R2", asset, "M1", "AD", ON)
    assert "ADM-04" not in audit(store)
    with store.transaction() as tx:
        tx.session.execute(
            insert(ActRow).values(
                id="X9",
                act="equipment_scrapping",
                subject=asset,
                application_id="M1",
                actor="AD",
                on=ON,
            )
        )
    assert audit(store)["ADM-04"] == ["X9"]


def test_adm07_assets_not_stocktaken_within_the_interval_are_swept(store: st.Store) -> None:
    asset = registered_asset(store, acquired_on=date(2025, 1, 6))
    assert audit(store)["ADM-07"] == [asset]
    with store.transaction() as tx:
        AdminRepository(tx).stocktake(asset, "AD", date(2025, 12, 20))
    assert "ADM-07" not in audit(store)
    assert audit(store, date(2026, 12, 21))["ADM-07"] == [asset]
    with pytest.raises(NotFound), store.transaction() as tx:
        AdminRepository(tx).stocktake("ZC-999999", "AD", ON)


# -- meetings -------------------------------------------------------------------------------------


def test_adm05_resolutions_are_tracked_to_completion(store: st.Store) -> None:
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.record_meeting("M1", "Weekly meeting", ON, "HA")
        admin.add_resolution(
            "R1", "M1", "Publish the new price list", "E1", date(2026, 3, 6), key="r1"
        )
    assert "ADM-05" not in audit(store, date(2026, 3, 6))
    assert audit(store, date(2026, 3, 7))["ADM-05"] == [resolution_item("R1")]
    with store.transaction() as tx, pytest.raises(InvalidInput, match="outcome"):
        AdminRepository(tx).complete_resolution("R1", "E1", " ", key="r1-done")
    with store.transaction() as tx:
        done = AdminRepository(tx).complete_resolution("R1", "E1", "published", key="r1-done")
    assert (done.state, done.open) == ("done", False)
    assert "ADM-05" not in audit(store, date(2026, 3, 7))


# -- purchases ------------------------------------------------------------------------------------

CONTRACT = PurchaseContract(
    "PC1",
    "supplier-1",
    "AD",
    date(2026, 2, 1),
    (
        ContractLine("laptop", 2, Money("6000", "CNY"), fixed_asset=True),
        ContractLine("paper", 10, Money("30", "CNY")),
    ),
)


def test_adm06_goods_are_accepted_before_payment_and_paid_up_to_acceptance(
    store: st.Store,
) -> None:
    later = NOW + timedelta(hours=2)
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.add_contract(CONTRACT)
        assert admin.contract("PC1") == CONTRACT
        with pytest.raises(st.Refused) as refused:
            admin.pay("P1", "PC1", Money("300", "CNY"), "FM", at=NOW)
        assert refused.value.controls == {"ADM-06"}
        with pytest.raises(InvalidInput, match="not on contract"):
            admin.accept_goods(Acceptance("A0", "PC1", "AD", NOW, (AcceptedLine("chairs", 1),)))
        admin.accept_goods(Acceptance("A1", "PC1", "AD", NOW, (AcceptedLine("paper", 10),)))
        admin.pay("P1", "PC1", Money("200", "CNY"), "FM", at=later)
        with pytest.raises(st.Refused) as refused:
            admin.pay("P2", "PC1", Money("100.01", "CNY"), "FM", at=later)
        assert refused.value.controls == {"ADM-06"}
        admin.pay("P2", "PC1", Money("100", "CNY"), "FM", at=later)
    assert "ADM-06" not in audit(store)
    with store.transaction() as tx:
        tx.session.execute(
            insert(PaymentRow).values(
                id="P9",
                contract_id="PC1",
                amount=Decimal(1),
                currency="CNY",
                paid_at=NOW - timedelta(1),
                payer="FM",
            )
        )
    # paid before acceptance, and 300.01 paid on 300.00 accepted
    assert audit(store)["ADM-06"] == ["P9", "PC1"]


def test_adm06_contracts_paid_beyond_acceptance_are_swept(store: st.Store) -> None:
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.add_contract(CONTRACT)
        admin.accept_goods(Acceptance("A1", "PC1", "AD", NOW, (AcceptedLine("paper", 12),)))
        laptops = (AcceptedLine("laptop", 2),)
        admin.accept_goods(Acceptance("A2", "PC1", "AD", NOW, laptops, passed=False))
        admin.pay("P1", "PC1", Money("300", "CNY"), "FM", at=NOW + timedelta(hours=1))
    assert "ADM-06" not in audit(store)  # 10 of the 12 count, at 30.00: 300.00
    with store.transaction() as tx:
        tx.session.execute(
            insert(PaymentRow).values(
                id="P2",
                contract_id="PC1",
                amount=Decimal("0.01"),
                currency="CNY",
                paid_at=NOW + timedelta(hours=2),
                payer="FM",
            )
        )
    assert audit(store)["ADM-06"] == ["PC1"]


def test_adm07_accepted_fixed_assets_must_be_registered(store: st.Store) -> None:
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.add_contract(CONTRACT)
        admin.accept_goods(Acceptance("A1", "PC1", "AD", NOW, (AcceptedLine("laptop", 2),)))
    assert "ADM-07" not in audit(store, ON)  # registered the same day: not late yet
    assert audit(store, ON + timedelta(days=1))["ADM-07"] == ["PC1"]
    with store.transaction() as tx:
        AdminRepository(tx).request("F1", "asset_registration", "sales", "E1", key="f1")
        approve_all(tx, "F1", "H1", "FM")
        for _ in range(2):
            AdminRepository(tx).register_asset(
                "Laptop", "sales", "F1", "AD", acquired_on=ON, on=ON, contract="PC1"
            )
    assert "ADM-07" not in audit(store, ON + timedelta(days=1))


def test_adm07_goods_accepted_early_in_the_firms_morning_are_due_that_day(
    store: st.Store,
) -> None:
    """Accepted at 07:30 in Shanghai (23:30 UTC the day before): the registration is due by the
    end of that day where the firm is, not a day earlier (CONTROLS.md section 4)."""
    early = datetime(2026, 3, 2, 7, 30, tzinfo=timezone(timedelta(hours=8)))
    with store.transaction() as tx:
        admin = AdminRepository(tx)
        admin.add_contract(CONTRACT)
        admin.accept_goods(Acceptance("A1", "PC1", "AD", early, (AcceptedLine("laptop", 1),)))
    assert "ADM-07" not in audit(store, date(2026, 3, 2))
    assert audit(store, date(2026, 3, 3))["ADM-07"] == ["PC1"]


def test_adm07_a_stocktake_is_due_on_the_last_day_of_the_interval(store: st.Store) -> None:
    """Counted 365 days before the audit day: still in time that day, overdue the next."""
    asset = registered_asset(store, acquired_on=date(2024, 1, 2))
    with store.transaction() as tx:
        AdminRepository(tx).stocktake(asset, "AD", date(2025, 3, 2))
    assert "ADM-07" not in audit(store, date(2026, 3, 2))
    assert audit(store, date(2026, 3, 3))["ADM-07"] == [asset]


def test_adm08_a_direct_move_is_judged_on_the_stored_custodian_not_its_data(
    store: st.Store,
) -> None:
    seal_ready(store)
    with store.transaction() as tx:
        AdminRepository(tx).use_seal("U1", "S1", "E1", LETTER, key="use-U1")
    forged = SealReturn("AD")
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        tx.tracked.move(seal_item("U1"), "returned", "AD", key="forged", data=forged)
    assert refused.value.controls == {"ADM-08"}


def test_adm08_an_imported_return_to_someone_else_is_swept(store: st.Store) -> None:
    seal_ready(store)
    with store.transaction() as tx:
        AdminRepository(tx).use_seal("U1", "S1", "E1", LETTER, key="use-U1")
        tx.session.execute(
            insert(TrackedMoveRow).values(
                item_id=seal_item("U1"),
                seq=1,
                from_state="out",
                to_state="returned",
                actor="AD",
                at=NOW,
                note="",
                key="imported",
            )
        )
    assert audit(store)["ADM-08"] == ["U1"]


def test_an_application_is_routed_in_the_requesters_own_department(store: st.Store) -> None:
    with store.transaction() as tx, pytest.raises(InvalidInput, match="belongs to sales"):
        AdminRepository(tx).request("Q1", "supplies_issue", "admin", "E1", key="q1")


def test_adm01_one_application_is_one_use(store: st.Store) -> None:
    seal_ready(store)
    with store.transaction() as tx:
        AdminRepository(tx).use_seal("U1", "S1", "E1", LETTER, key="use-U1")
    with store.transaction() as tx, pytest.raises(StateError, match="used already"):
        AdminRepository(tx).use_seal("U2", "S1", "E1", LETTER, key="use-U2")

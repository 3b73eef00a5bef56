"""The stored case: migrations, the walk from inquiry to closed file, numbers, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from agency_business import CaseRepository
from agency_business.store import CaseRow, DocumentRow
from sqlalchemy import delete

import agency_core.store as st
from agency_core import ApprovalRequest, Engine, Money
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.audit import run_audit
from agency_core.store.errors import Refused
from agency_core.testing.databases import migrations_match_models


def test_migrations_create_exactly_the_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


def test_a_case_walks_from_inquiry_to_a_closed_file_and_no_sweep_finds_anything(
    store: st.Store, walk: Any
) -> None:
    walk.to("C1", "closed")
    with store.transaction() as tx:
        case = CaseRepository(tx).get("C1")
    assert case.state == "closed"
    assert case.number == "BIZ-2026-000001"
    assert not case.tracked.open
    assert [m.to_state for m in case.tracked.history][-4:] == [
        "manager_approved",
        "finance_approved",
        "invoiced",
        "closed",
    ]
    business = [f for f in run_audit(store) if f.control.startswith("BIZ")]
    assert len(business) == 10
    assert {f.control: f.count for f in business if f.count} == {}


def test_biz_02_the_stored_notice_lists_every_missing_material_once(
    store: st.Store, walk: Any
) -> None:
    walk.open("C1")
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        cases.submit_materials("C1", ["business_license"])
        listed = cases.request_materials("C1", "B1", key="n1")
        again = cases.request_materials("C1", "B1", key="n1")  # the same request, replayed
    assert listed == again == ("application_form", "legal_representative_id")
    with store.transaction() as tx, pytest.raises(InvalidInput, match="it may go to: accepted"):
        CaseRepository(tx).request_materials("C1", "B1", key="n2")


def test_biz_02_an_incomplete_application_is_not_accepted_and_takes_no_number(
    store: st.Store, walk: Any
) -> None:
    walk.open("C1")
    walk.open("C2")
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        cases.submit_materials("C1", ["application_form"])
        with pytest.raises(Refused) as refused:
            cases.accept("C1", "B1", key="a1")
        assert refused.value.controls == {"BIZ-02"}
        assert cases.get("C1").number is None
    walk.to("C2", "accepted", start="materials_requested")
    with store.transaction() as tx:
        assert CaseRepository(tx).get("C2").number == "BIZ-2026-000001"


def test_biz_03_case_numbers_are_unique_in_sequence_and_never_given_twice(
    store: st.Store, walk: Any
) -> None:
    for case_id in ("C1", "C2", "C3"):
        walk.to(case_id, "accepted")
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        numbers = [cases.get(c).number for c in ("C1", "C2", "C3")]
        assert cases.accept("C2", "B1", key="C2-accept").number == numbers[1]  # replayed
        with pytest.raises(StateError, match="already has number"):
            cases.accept("C2", "B1", key="C2-accept-again")
    assert numbers == ["BIZ-2026-000001", "BIZ-2026-000002", "BIZ-2026-000003"]


def test_biz_07_the_intake_is_approved_before_the_contract(store: st.Store, walk: Any) -> None:
    walk.to("C1", "accepted")
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        with pytest.raises(Refused) as refused:
            cases.move("C1", "intake_approved", "B1", key="early")
        assert refused.value.controls == {"BIZ-07"}
        with pytest.raises(InvalidInput, match="it may go to: declined, intake_approved"):
            cases.sign_contract("C1", "CT-1", "B1", key="ct")


def test_a_refused_move_leaves_nothing_behind_even_if_the_host_commits(
    store: st.Store, walk: Any
) -> None:
    walk.to("C1", "reviewed")
    with store.transaction() as tx, pytest.raises(Refused):
        CaseRepository(tx).notify("C1", "telepathy", "B1", key="tell")
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        with pytest.raises(Refused):  # the host catches the refusal and carries on
            cases.notify("C1", "telepathy", "B1", key="tell")
        assert cases.get("C1").state == "reviewed"
    with store.transaction() as tx:
        row = tx.session.get(CaseRow, "C1")
        assert row is not None
        assert row.notified_via is None


def test_biz_07_every_change_of_plan_needs_its_own_approval(store: st.Store, walk: Any) -> None:
    walk.to("C1", "in_progress")
    change = ApprovalRequest(
        "C1-change-1", "execution_plan_change", Money("0", "CNY"), "business", "B1"
    )
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        cases.change_plan("C1", "B1", key="ch1")
        with pytest.raises(Refused) as refused:
            cases.move("C1", "in_progress", "B1", key="resume-early")
        assert refused.value.controls == {"BIZ-07"}
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        tx.approvals.submit(change, key="submit-change-1")
        tx.approvals.approve(change.id, 0, "BH", key="change-1-0")
        cases.link_approval("C1", "plan_change", change.id)
        cases.move("C1", "in_progress", "B1", key="resume")
        cases.change_plan("C1", "B1", key="ch2")  # a second change: the first approval is spent
        with pytest.raises(Refused):
            cases.move("C1", "in_progress", "B1", key="resume-2")


def test_an_approval_for_another_purpose_is_refused(store: st.Store, walk: Any) -> None:
    walk.to("C1", "planned")
    with store.transaction() as tx, pytest.raises(InvalidInput, match="not a business_intake"):
        CaseRepository(tx).link_approval("C1", "intake", "C1-execution_plan")
    with store.transaction() as tx, pytest.raises(InvalidInput, match="purpose must be one of"):
        CaseRepository(tx).link_approval("C1", "blessing", "C1-execution_plan")


def test_biz_04_a_task_has_a_known_owner_and_a_deadline_on_the_working_calendar(
    store: st.Store, walk: Any, clock: Any
) -> None:
    walk.to("C1", "contracted")
    clock.now = datetime(2025, 9, 30, 2, tzinfo=UTC)  # 10:00 in Shanghai, the eve of National Day
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        task = cases.add_task("C1", "T9", title="collect", owner="B2", key="t9", working_days=3)
        assert (task.owner, task.due_on, task.control) == ("B2", date(2025, 10, 11), "BIZ-04")
        default = cases.add_task("C1", "T10", title="file", owner="B2", key="t10")
        assert default.due_on == date(2025, 10, 14)  # five working days, the policy's default
        with pytest.raises(NotFound):
            cases.add_task("C1", "T11", title="file", owner="nobody", key="t11")


def test_biz_04_tasks_are_added_only_while_the_plan_is_worked(store: st.Store, walk: Any) -> None:
    walk.to("C1", "accepted")
    with store.transaction() as tx, pytest.raises(StateError, match="is accepted"):
        CaseRepository(tx).add_task("C1", "T1", title="t", owner="B2", key="t1")


def test_biz_04_work_is_not_completed_with_a_task_open(store: st.Store, walk: Any) -> None:
    walk.to("C1", "in_progress")
    with store.transaction() as tx:
        with pytest.raises(Refused) as refused:
            CaseRepository(tx).move("C1", "completed", "B1", key="done-early")
        assert refused.value.controls == {"BIZ-04"}


def test_biz_05_an_invoice_that_does_not_match_the_business_done_is_refused(
    store: st.Store, walk: Any, invoice_check: Any
) -> None:
    walk.to("C1", "finance_approved")
    with store.transaction() as tx:
        with pytest.raises(Refused) as refused:
            CaseRepository(tx).invoice(
                "C1", invoice_check("C1", Money("900", "CNY")), "F1", key="i"
            )
        assert "FEE-05" in refused.value.controls
    with store.transaction() as tx:
        assert CaseRepository(tx).get("C1").state == "finance_approved"


def test_biz_05_finance_does_not_approve_before_the_manager(store: st.Store, walk: Any) -> None:
    walk.to("C1", "client_confirmed")
    settlement = ApprovalRequest(
        "C1-settlement", "settlement", Money("800", "CNY"), "business", "B1"
    )
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        tx.approvals.submit(settlement, key="s")
        cases.link_approval("C1", "settlement", settlement.id)
        with pytest.raises(Refused) as refused:
            cases.move("C1", "manager_approved", "B1", key="m")
        assert refused.value.controls == {"BIZ-05"}


def test_biz_06_biz_09_the_client_is_told_by_an_allowed_channel_and_handed_everything(
    store: st.Store, walk: Any
) -> None:
    walk.to("C1", "reviewed")
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        with pytest.raises(Refused) as refused:
            cases.notify("C1", "telepathy", "B1", key="tell")
        assert refused.value.controls == {"BIZ-06"}
        cases.notify("C1", "email", "B1", key="tell-2")
        cases.add_documents("C1", "proof_documents", ["certificate"], handed_over=True)
        cases.add_documents("C1", "aftercare_notes", ["renewal"])  # filed, not handed over
        with pytest.raises(Refused) as refused:
            cases.move("C1", "delivered", "B1", key="give")
        assert refused.value.controls == {"BIZ-09"}
        cases.add_documents("C1", "aftercare_notes", ["renewal"], handed_over=True)
        assert cases.move("C1", "delivered", "B1", key="give-2").state == "delivered"


def test_biz_08_a_case_does_not_close_with_its_file_incomplete(store: st.Store, walk: Any) -> None:
    walk.to("C1", "invoiced")
    with store.transaction() as tx:
        tx.session.execute(delete(DocumentRow).where(DocumentRow.part == "result_feedback"))
    with store.transaction() as tx:
        with pytest.raises(Refused) as refused:
            CaseRepository(tx).move("C1", "closed", "B1", key="close")
        assert refused.value.controls == {"BIZ-08"}


def test_biz_03_the_number_takes_the_firms_year(store: st.Store, walk: Any, clock: Any) -> None:
    clock.now = datetime(2026, 12, 31, 17, tzinfo=UTC)  # 01:00 on New Year's Day in Shanghai
    walk.to("C1", "accepted")
    with store.transaction() as tx:
        assert CaseRepository(tx).get("C1").number == "BIZ-2027-000001"


def test_bad_input_to_the_repository_is_a_typed_error(
    store: st.Store, walk: Any, invoice_check: Any
) -> None:
    walk.to("C1", "finance_approved")
    with store.transaction() as tx:
        cases = CaseRepository(tx)
        with pytest.raises(NotFound):
            cases.get("nobody's case")
        with pytest.raises(NotFound):
            cases.register(
                "C9",
                client_id="CL1",
                service_item="x",
                handler="ghost",
                due_on=date(2026, 4, 1),
                key="c9",
            )
        with pytest.raises(InvalidInput, match="client_id"):
            cases.register(
                "C9",
                client_id="",
                service_item="x",
                handler="B1",
                due_on=date(2026, 4, 1),
                key="c9",
            )
        with pytest.raises(InvalidInput, match="part"):
            cases.add_documents("C1", " ", ["a"])
        with pytest.raises(InvalidInput, match="a list of names"):
            cases.submit_materials("C1", "business_license")
        with pytest.raises(InvalidInput, match="needs a name"):
            cases.add_documents("C1", "processing_records", [""])
        with pytest.raises(NotFound):
            cases.link_approval("C1", "settlement", "no such approval")
    with store.transaction() as tx, pytest.raises(InvalidInput, match="an invoice of case C1"):
        CaseRepository(tx).invoice("C1", invoice_check("C2"), "F1", key="i")

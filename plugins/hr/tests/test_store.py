"""The HR plugin's store: migrations, the repository's refusals, and every sweep (both backends)."""

from __future__ import annotations

from datetime import date

import pytest
from agency_hr import (
    Appeal,
    Clearance,
    HrRepository,
    Leave,
    Resignation,
    TrainingRecord,
    resignation_item,
)
from agency_hr.store import AppealRow, LeaveRow, ResignationRow
from sqlalchemy import update

import agency_core.store as st
from agency_core import Engine
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.audit import run_audit
from agency_core.store.models import TrackedItemRow
from agency_core.testing.databases import migrations_match_models

ON = date(2026, 3, 2)


def leave(leave_id: str = "L1", starts: date = date(2026, 3, 10), requested: date = ON) -> Leave:
    return Leave(leave_id, "E1", "sales", "annual", starts, starts, requested)


def audit(store: st.Store, on: date = ON) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for result in run_audit(store, on=on, sample=50):
        if result.control.startswith("HR-") and result.count:
            found.setdefault(result.control, []).extend(result.sample)
    return found


def test_migrations_create_exactly_the_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


def test_hr01_leave_is_submitted_for_approval_and_begins_only_approved(store: st.Store) -> None:
    with store.transaction() as tx:
        submission = HrRepository(tx).request_leave(leave(), key="leave-L1")
        assert submission.route.roles == ("dept_head",)
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        HrRepository(tx).begin_leave("L1", date(2026, 3, 10))
    assert refused.value.controls == {"HR-01"}
    assert audit(store, date(2026, 3, 10))["HR-01"] == ["L1"]
    with store.transaction() as tx:
        tx.approvals.approve("L1", 0, "H1", key="approve-L1")
        HrRepository(tx).begin_leave("L1", date(2026, 3, 10))
    assert "HR-01" not in audit(store, date(2026, 3, 10))


def test_hr01_a_late_leave_is_refused_and_a_late_import_is_swept(store: st.Store) -> None:
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        HrRepository(tx).request_leave(leave(requested=date(2026, 3, 10)), key="late")
    assert refused.value.controls == {"HR-01"}
    with store.transaction() as tx:
        HrRepository(tx).request_leave(leave("L2", date(2026, 4, 1)), key="leave-L2")
        tx.session.execute(
            update(LeaveRow).where(LeaveRow.id == "L2").values(requested_on=date(2026, 4, 1))
        )
    assert audit(store)["HR-01"] == ["L2"]


def test_hr01_a_pending_leave_before_its_first_day_is_not_swept(store: st.Store) -> None:
    with store.transaction() as tx:
        HrRepository(tx).request_leave(leave(), key="leave-L1")
    assert "HR-01" not in audit(store, date(2026, 3, 9))
    assert audit(store, date(2026, 3, 10))["HR-01"] == ["L1"]


def resign(tx: st.Transaction, last_day: date = date(2026, 4, 1)) -> None:
    resignation = Resignation("R1", "E1", "sales", ON, last_day, in_writing=True)
    HrRepository(tx).apply_resignation(resignation, key="resign-R1")


def test_hr02_a_resignation_completes_only_after_clearance(store: st.Store) -> None:
    with store.transaction() as tx:
        resign(tx)
        HrRepository(tx).clear("R1", "handover", "H1")
        HrRepository(tx).clear("R1", "settlement", "FN")
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        HrRepository(tx).complete_resignation("R1", "HR", key="done-R1")
    assert refused.value.controls == {"HR-02"}
    assert "property" in str(refused.value)
    with store.transaction() as tx:
        HrRepository(tx).clear("R1", "property", "HR")
        done = HrRepository(tx).complete_resignation("R1", "HR", key="done-R1")
    assert (done.state, done.open) == ("completed", False)
    assert "HR-02" not in audit(store, date(2026, 5, 1))


def test_hr02_clearance_items_are_the_policys(store: st.Store) -> None:
    with store.transaction() as tx:
        resign(tx)
        with pytest.raises(InvalidInput, match="item must be one of"):
            HrRepository(tx).clear("R1", "farewell_cake", "HR")
        with pytest.raises(NotFound):
            HrRepository(tx).clear("R9", "handover", "HR")


def test_hr02_sweeps_overdue_and_uncleared_completions(store: st.Store) -> None:
    with store.transaction() as tx:
        resign(tx)
    assert "HR-02" not in audit(store, date(2026, 4, 1))
    assert audit(store, date(2026, 4, 2))["HR-02"] == [resignation_item("R1")]
    with store.transaction() as tx:  # an import that marks it completed, no clearance recorded
        tx.session.execute(
            update(TrackedItemRow)
            .where(TrackedItemRow.id == resignation_item("R1"))
            .values(state="completed", is_open=False)
        )
    assert audit(store, date(2026, 4, 2))["HR-02"] == ["R1"]


def test_hr03_training_files_per_employee_and_those_without_one(store: st.Store) -> None:
    assert audit(store)["HR-03"] == ["E1", "FN", "H1", "HR"]
    with store.transaction() as tx:
        hr = HrRepository(tx)
        hr.record_training(TrainingRecord("T2", "E1", "Fee schedule", date(2026, 2, 1), "passed"))
        hr.record_training(TrainingRecord("T1", "E1", "Induction", date(2026, 1, 5), "passed"))
        hr.record_training(TrainingRecord("T3", "H1", "Induction", date(2026, 1, 5), "passed"))
        with pytest.raises(NotFound):
            hr.record_training(TrainingRecord("T4", "X9", "Induction", ON, "passed"))
    with store.transaction() as tx:
        assert [r.id for r in HrRepository(tx).training_file("E1")] == ["T1", "T2"]
        assert HrRepository(tx).training_file("FN") == ()
    assert audit(store)["HR-03"] == ["FN", "HR"]


def test_hr04_late_appeals_are_refused_and_swept(store: st.Store) -> None:
    with store.transaction() as tx:
        hr = HrRepository(tx)
        hr.file_appeal(Appeal("A1", "E1", "Q1", ON, date(2026, 3, 17), "wrong score"))
        with pytest.raises(st.Refused) as refused:
            hr.file_appeal(Appeal("A2", "E1", "Q1", ON, date(2026, 3, 18), "wrong score"))
    assert refused.value.controls == {"HR-04"}
    assert "HR-04" not in audit(store)
    with store.transaction() as tx:
        tx.session.execute(
            update(AppealRow).where(AppealRow.id == "A1").values(filed_on=date(2026, 3, 18))
        )
    assert audit(store)["HR-04"] == ["A1"]


def test_hr05_short_notice_is_refused_and_swept(store: st.Store) -> None:
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        resign(tx, last_day=date(2026, 3, 20))
    assert refused.value.controls == {"HR-05"}
    with store.transaction() as tx:
        resign(tx)
    assert "HR-05" not in audit(store)
    with store.transaction() as tx:
        tx.session.execute(
            update(ResignationRow).where(ResignationRow.id == "R1").values(in_writing=False)
        )
    assert audit(store)["HR-05"] == ["R1"]


def test_a_record_is_kept_once(store: st.Store) -> None:
    record = TrainingRecord("T1", "E1", "Induction", ON, "passed")
    with store.transaction() as tx:
        HrRepository(tx).record_training(record)
    with store.transaction() as tx, pytest.raises(StateError, match="already"):
        HrRepository(tx).record_training(record)


def test_hr02_a_direct_move_is_judged_on_the_stored_clearance_not_its_data(
    store: st.Store,
) -> None:
    with store.transaction() as tx:
        resign(tx)
        HrRepository(tx).clear("R1", "handover", "H1")
    forged = Clearance(("handover", "settlement", "property"))
    with store.transaction() as tx, pytest.raises(st.Refused) as refused:
        tx.tracked.move(resignation_item("R1"), "completed", "HR", key="forged", data=forged)
    assert refused.value.controls == {"HR-02"}


def test_hr01_a_leave_is_routed_in_the_employees_own_department(store: st.Store) -> None:
    elsewhere = Leave("L1", "E1", "admin", "annual", date(2026, 3, 10), date(2026, 3, 10), ON)
    with store.transaction() as tx, pytest.raises(InvalidInput, match="belongs to sales"):
        HrRepository(tx).request_leave(elsewhere, key="leave-L1")

"""The business sweeps find, in SQL, what the API would have refused: data imported or written
around it. Each test plants one offending case beside a case walked by the book."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from agency_business.store import CaseRow, DocumentRow
from sqlalchemy import delete, update

import agency_core.store as st
from agency_core.store.audit import run_audit
from agency_core.store.models import ApprovalRequestRow, TrackedItemRow, TrackedMoveRow

T = datetime(2026, 3, 2, 9, tzinfo=UTC)
COMPLETE = ("application_form", "business_license", "legal_representative_id")
PARTS = ("application_materials", "processing_records", "result_feedback")


def plant(
    store: st.Store,
    case_id: str,
    states: Iterable[str],
    *,
    service_item: str = "tax_registration",
    number: str | None = None,
    documents: Iterable[tuple[str, str]] = (),
    handed_over: bool = True,
    **row: Any,
) -> None:
    """A case written straight into the tables, moving through ``states`` after ``inquiry``."""
    states = ["inquiry", *states]
    with store.transaction() as tx:
        session = tx.session
        session.add(
            TrackedItemRow(
                id=case_id,
                subject_kind="case",
                control="BIZ-04",
                owner="B1",
                state=states[-1],
                is_open=states[-1] not in ("closed", "declined"),
                due_on=date(2026, 12, 31),
                opened_at=T,
                open_key=f"{case_id}-open",
            )
        )
        session.flush()
        for seq, (a, b) in enumerate(pairwise(states), start=1):
            session.add(
                TrackedMoveRow(
                    item_id=case_id,
                    seq=seq,
                    from_state=a,
                    to_state=b,
                    actor="B1",
                    at=T + timedelta(minutes=seq),
                    note="",
                    key=f"{case_id}-{seq}",
                )
            )
        session.add(
            CaseRow(
                id=case_id,
                number=number,
                client_id="CL1",
                service_item=service_item,
                handler="B1",
                department="business",
                opened_at=T,
                **row,
            )
        )
        session.flush()
        for part, name in documents:
            session.add(
                DocumentRow(
                    case_id=case_id,
                    part=part,
                    name=name,
                    added_at=T,
                    handed_over_at=T if handed_over else None,
                )
            )


def counts(store: st.Store) -> dict[tuple[str, str], tuple[int, tuple[str, ...]]]:
    return {
        (f.control, f.title): (f.count, f.sample)
        for f in run_audit(store, on=date(2026, 3, 2))
        if f.control.startswith("BIZ")
    }


def found(store: st.Store, control: str) -> set[str]:
    return {
        case
        for (c, _title), (_n, sample) in counts(store).items()
        if c == control
        for case in sample
    }


FULL_FILE = [("application_materials", m) for m in COMPLETE] + [
    ("processing_records", "receipt"),
    ("result_feedback", "certificate"),
]
TO_CLOSED = [
    "accepted",
    "intake_approved",
    "contracted",
    "planned",
    "in_progress",
    "completed",
    "reviewed",
    "notified",
    "delivered",
    "client_confirmed",
    "manager_approved",
    "finance_approved",
    "invoiced",
    "closed",
]


@pytest.fixture
def by_the_book(store: st.Store, walk: Any) -> st.Store:
    walk.to("OK", "closed")
    return store


def test_biz_08_a_closed_case_with_an_incomplete_file_is_found(by_the_book: st.Store) -> None:
    plant(by_the_book, "X1", TO_CLOSED, number="BIZ-2026-000099", documents=FULL_FILE[:-1])
    plant(by_the_book, "X2", TO_CLOSED, number="BIZ-2026-000098", documents=FULL_FILE[1:])
    plant(by_the_book, "X3", TO_CLOSED[:-1], number="BIZ-2026-000097", documents=())
    assert found(by_the_book, "BIZ-08") == {"X1", "X2"}


def test_biz_08_a_file_that_loses_a_document_after_closing_is_found(by_the_book: st.Store) -> None:
    with by_the_book.transaction() as tx:
        tx.session.execute(delete(DocumentRow).where(DocumentRow.part == "processing_records"))
    assert found(by_the_book, "BIZ-08") == {"OK"}


def test_biz_09_a_result_notified_without_review_is_found(by_the_book: st.Store) -> None:
    skipped = ["accepted", "intake_approved", "contracted", "planned", "in_progress"]
    plant(by_the_book, "X1", [*skipped, "completed", "notified"], number="BIZ-2026-000099")
    # reviewed once, sent back to work, completed again and notified without a second review
    again = [*skipped, "completed", "reviewed", "in_progress", "completed", "notified"]
    plant(by_the_book, "X2", again, number="BIZ-2026-000098")
    assert found(by_the_book, "BIZ-09") == {"X1", "X2"}


def test_biz_09_a_delivery_without_the_hand_over_is_found(by_the_book: st.Store) -> None:
    with by_the_book.transaction() as tx:
        tx.session.execute(
            update(DocumentRow)
            .where(DocumentRow.part == "aftercare_notes")
            .values(handed_over_at=None)
        )
    assert found(by_the_book, "BIZ-09") == {"OK"}


def test_biz_06_a_case_closed_without_notifying_the_client_is_found(by_the_book: st.Store) -> None:
    path = [s for s in TO_CLOSED if s not in ("notified",)]
    plant(by_the_book, "X1", path, number="BIZ-2026-000099", documents=FULL_FILE)
    assert found(by_the_book, "BIZ-06") == {"X1"}


def test_biz_07_a_contract_without_approved_intake_is_found(by_the_book: st.Store) -> None:
    plant(by_the_book, "X1", TO_CLOSED[:3], number="BIZ-2026-000099")
    assert found(by_the_book, "BIZ-07") == {"X1"}


def test_biz_07_work_on_a_plan_whose_approval_is_not_approved_is_found(
    by_the_book: st.Store,
) -> None:
    with by_the_book.transaction() as tx:
        tx.session.execute(
            update(ApprovalRequestRow)
            .where(ApprovalRequestRow.id == "OK-execution_plan")
            .values(status="rejected")
        )
    assert found(by_the_book, "BIZ-07") == {"OK"}


def test_biz_05_an_invoice_before_confirmation_and_approval_is_found(
    by_the_book: st.Store,
) -> None:
    plant(by_the_book, "X1", TO_CLOSED[:-1], number="BIZ-2026-000099")
    assert found(by_the_book, "BIZ-05") == {"X1"}


def test_biz_01_02_03_acceptances_out_of_scope_incomplete_or_unnumbered_are_found(
    by_the_book: st.Store,
) -> None:
    docs = [("application_materials", m) for m in COMPLETE]
    plant(by_the_book, "X1", ["accepted"], service_item="bakery", number="BIZ-2026-000099")
    plant(by_the_book, "X2", ["accepted"], number="BIZ-2026-000098", documents=docs[:1])
    plant(by_the_book, "X3", ["accepted"], documents=docs)
    plant(by_the_book, "X4", ["materials_requested"], documents=docs[:1])
    assert found(by_the_book, "BIZ-01") == {"X1"}
    assert found(by_the_book, "BIZ-02") == {"X2"}
    assert found(by_the_book, "BIZ-03") == {"X3"}


def test_biz_04_overdue_tasks_and_cases_are_found(store: st.Store, walk: Any, clock: Any) -> None:
    walk.to("C1", "planned")  # its task, opened on 2026-03-02, is due on 2026-03-09
    walk.to("C2", "closed")  # its task is done
    with store.transaction() as tx:
        task = tx.tracked.get("C1-T1")
    assert (task.owner, task.control, task.due_on) == ("B2", "BIZ-04", date(2026, 3, 9))

    def overdue(on: date) -> set[str]:
        (finding,) = [f for f in run_audit(store, on=on) if f.control == "BIZ-04"]
        return set(finding.sample)

    assert overdue(date(2026, 3, 9)) == set()
    assert overdue(date(2026, 3, 10)) == {"C1-T1"}
    assert overdue(date(2026, 5, 1)) == {"C1", "C1-T1"}  # the case was agreed for 30 April

"""Complaints, inquiries and follow-ups in the store, and their sweeps, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import attrs
import pytest
from agency_customer_service import ClientResponse, Complaint, FollowUp, Inquiry
from agency_customer_service.store import ComplaintRow, CustomerService
from sqlalchemy import update

import agency_core.store as st
from agency_core import Engine
from agency_core.errors import NotFound
from agency_core.store.audit import run_audit
from agency_core.store.errors import Refused
from agency_core.store.models import TrackedItemRow
from agency_core.testing.databases import migrations_match_models

At = Callable[..., datetime]


def audit(store: st.Store, on: date) -> dict[str, int]:
    return {f.control: f.count for f in run_audit(store, on=on) if f.control.startswith("CS-")}


def test_migrations_create_exactly_the_models(agency_db_url: str, engine: Engine) -> None:
    assert migrations_match_models(agency_db_url, engine) == []


def test_cs01_an_incomplete_complaint_is_refused_and_not_stored(
    store: st.Store, complaint: Complaint
) -> None:
    with pytest.raises(Refused) as refused, store.transaction() as tx:
        CustomerService(tx).receive(attrs.evolve(complaint, contact=""), key="r1")
    assert refused.value.controls == {"CS-01"}
    with store.transaction() as tx, pytest.raises(NotFound):
        tx.tracked.get(complaint.id)


def test_complaint_from_receipt_to_close_with_a_reopening(
    store: st.Store, complaint: Complaint, at: At
) -> None:
    with store.transaction() as tx:
        cs = CustomerService(tx)
        item = cs.receive(complaint, key="r1")
        assert (item.state, item.due_on, item.control) == ("received", date(2025, 10, 14), "CS-03")
        assert cs.receive(complaint, key="r1") == item  # the same key again: no second complaint
        cs.assign(complaint.id, "business", "K1", key="a1", at=at(2025, 9, 30, 11))
        cs.plan(complaint.id, "re-file at our cost", "BM", key="p1", at=at(2025, 10, 9))
        assert cs.facts(complaint.id).feedback_due_on == date(2025, 10, 10)
        cs.inform(complaint.id, "K1", key="i1", at=at(2025, 10, 10))
        reopened = cs.respond(
            complaint.id, ClientResponse.UNSATISFIED, "K1", key="u1", at=at(2025, 10, 10, 15)
        )
        # a new handling period from the client's answer: Oct 11 (Sat, working), 13, 14, 15, 16
        assert (reopened.state, reopened.open, reopened.due_on) == (
            "assigned",
            True,
            date(2025, 10, 16),
        )
        cs.plan(complaint.id, "re-file and refund the fee", "BM", key="p2", at=at(2025, 10, 13))
        cs.inform(complaint.id, "K1", key="i2", at=at(2025, 10, 13))
        closed = cs.respond(
            complaint.id, ClientResponse.SATISFIED, "K1", key="s1", at=at(2025, 10, 14)
        )
    assert (closed.state, closed.open) == ("closed", False)
    assert [m.to_state for m in closed.history] == [
        "assigned",
        "planned",
        "informed",
        "assigned",
        "planned",
        "informed",
        "closed",
    ]
    with store.transaction() as tx:
        facts = CustomerService(tx).facts(complaint.id)
    assert (facts.plan, facts.response) == ("re-file and refund the fee", ClientResponse.SATISFIED)
    assert audit(store, date(2025, 12, 1)) == {"CS-03": 0, "CS-04": 0, "CS-05": 0, "CS-06": 0}


def test_cs04_closing_needs_the_clients_answer_in_the_store(
    store: st.Store, complaint: Complaint, at: At
) -> None:
    with store.transaction() as tx:
        cs = CustomerService(tx)
        cs.receive(complaint, key="r1")
        cs.assign(complaint.id, "business", "K1", key="a1", at=at(2025, 9, 30, 11))
        with pytest.raises(Refused) as refused:
            cs.plan(complaint.id, "  ", "BM", key="p1", at=at(2025, 10, 9))
    assert refused.value.controls == {"CS-04"}


def test_cs03_overdue_complaints_are_swept_until_escalated(
    store: st.Store, complaint: Complaint, at: At
) -> None:
    with store.transaction() as tx:
        cs = CustomerService(tx)
        cs.receive(complaint, key="r1")
        cs.assign(complaint.id, "business", "K1", key="a1", at=at(2025, 9, 30, 11))
    assert audit(store, date(2025, 10, 14))["CS-03"] == 0  # the last day is still in time
    assert audit(store, date(2025, 10, 15))["CS-03"] == 1
    with store.transaction() as tx:
        cs = CustomerService(tx)
        with pytest.raises(Refused) as refused:
            cs.plan(complaint.id, "late plan", "BM", key="p1", at=at(2025, 10, 15))
        assert refused.value.controls == {"CS-03"}
    with store.transaction() as tx:
        CustomerService(tx).escalate(complaint.id, "BM", key="e1", at=at(2025, 10, 15))
    assert audit(store, date(2025, 10, 15))["CS-03"] == 0


def test_cs04_sweep_finds_a_complaint_closed_behind_the_engines_back(
    store: st.Store, complaint: Complaint
) -> None:
    with store.transaction() as tx:
        CustomerService(tx).receive(complaint, key="r1")
        tx.session.execute(  # e.g. an import from an older system
            update(TrackedItemRow)
            .where(TrackedItemRow.id == complaint.id)
            .values(state="closed", is_open=False)
        )
    assert audit(store, date(2025, 10, 1))["CS-04"] == 1
    with store.transaction() as tx:
        tx.session.execute(
            update(ComplaintRow)
            .where(ComplaintRow.id == complaint.id)
            .values(plan="refund", response="satisfied")
        )
    assert audit(store, date(2025, 10, 1))["CS-04"] == 0


def test_cs05_follow_up_visits_are_swept_until_made(store: st.Store, at: At) -> None:
    visit = FollowUp("FU-1", "CASE-2025-000001", "client-1", at(2025, 9, 30, 15), "K1")
    with store.transaction() as tx:
        item = CustomerService(tx).schedule_follow_up(visit, key="f1")
    assert (item.due_on, item.control) == (date(2025, 10, 14), "CS-05")
    assert audit(store, date(2025, 10, 15))["CS-05"] == 1
    with store.transaction() as tx:
        cs = CustomerService(tx)
        with pytest.raises(Refused) as refused:
            cs.record_visit("FU-1", "", "K1", key="v0", at=at(2025, 10, 15))
        assert refused.value.controls == {"CS-05"}
    with store.transaction() as tx:
        CustomerService(tx).record_visit("FU-1", "satisfied", "K1", key="v1", at=at(2025, 10, 15))
    assert audit(store, date(2025, 10, 15))["CS-05"] == 0


def test_cs06_unanswered_inquiries_and_untold_plans_are_swept(
    store: st.Store, complaint: Complaint, at: At
) -> None:
    inquiry = Inquiry("IQ-1", "client-2", "which documents?", "mail", at(2025, 10, 10, 15), "K1")
    with store.transaction() as tx:
        cs = CustomerService(tx)
        assert cs.receive_inquiry(inquiry, key="q1").due_on == date(2025, 10, 11)
        cs.receive(complaint, key="r1")
        cs.assign(complaint.id, "business", "K1", key="a1", at=at(2025, 9, 30, 11))
        cs.plan(complaint.id, "refund", "BM", key="p1", at=at(2025, 10, 10))
    assert audit(store, date(2025, 10, 11))["CS-06"] == 0
    assert audit(store, date(2025, 10, 13))["CS-06"] == 2
    with store.transaction() as tx:
        cs = CustomerService(tx)
        cs.answer("IQ-1", "ID card and licence", "K1", key="q2", at=at(2025, 10, 13))
        cs.inform(complaint.id, "K1", key="i1", at=at(2025, 10, 13))
    assert audit(store, date(2025, 10, 13))["CS-06"] == 0


def test_unknown_items_are_not_found(store: st.Store) -> None:
    with store.transaction() as tx, pytest.raises(NotFound, match="complaints"):
        CustomerService(tx).assign("nope", "business", "K1", key="x")


def test_the_plugin_loads_through_its_entry_point() -> None:
    engine = Engine(entry_points=["customer_service"])
    assert "complaint" in engine.kinds
    assert {"complaint", "inquiry", "follow_up"} <= set(engine.machines)
    assert engine.kinds["complaint"].plugin == "customer_service"

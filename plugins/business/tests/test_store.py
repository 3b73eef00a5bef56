"""The stored case: migrations, the walk from inquiry to closed file, numbers, idempotency."""

from __future__ import annotations

from typing import Any

from agency_business import CaseRepository

import agency_core.store as st
from agency_core import Engine
from agency_core.store.audit import run_audit
from agency_core.testing.databases import migrations_match_models


def test_migrations_create_exactly_the_models(db_url: str, engine: Engine) -> None:
    assert migrations_match_models(db_url, engine) == []


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

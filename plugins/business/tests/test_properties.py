"""Properties over the stored case: whatever is missing from its file, a case closes only when
the file it holds is complete (BIZ-08), judged from the rows themselves."""

from __future__ import annotations

import uuid
from typing import Any

from agency_business import BusinessPolicy, CaseRepository
from agency_business.store import CaseRow, DocumentRow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import and_, delete, or_, select

import agency_core.store as st
from agency_core.store.errors import Refused

POLICY = BusinessPolicy()
FILED = [
    ("application_materials", "application_form"),
    ("application_materials", "business_license"),
    ("application_materials", "legal_representative_id"),
    ("processing_records", "submission receipt"),
    ("result_feedback", "registration certificate"),
    ("proof_documents", "certificate"),
]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lost=hs.sets(hs.sampled_from(FILED)))
def test_biz_08_a_stored_case_closes_only_with_a_complete_file(
    store: st.Store, walk: Any, lost: set[tuple[str, str]]
) -> None:
    if not _walked(store):
        walk.to("C1", "invoiced")
    with store.transaction() as tx:
        attempt = tx.session.begin_nested()
        if lost:
            gone = or_(*(and_(DocumentRow.part == p, DocumentRow.name == n) for p, n in lost))
            tx.session.execute(delete(DocumentRow).where(gone))
        controls: frozenset[str] = frozenset()
        try:
            CaseRepository(tx).move("C1", "closed", "B1", key=uuid.uuid4().hex)
        except Refused as refused:
            controls = refused.controls
        held = {(p, n) for p, n in tx.session.execute(select(DocumentRow.part, DocumentRow.name))}
        attempt.rollback()
    parts = {part for part, _name in held}
    materials = {name for part, name in held if part == "application_materials"}
    complete = parts >= set(POLICY.file_parts) and materials >= POLICY.materials("tax_registration")
    assert controls == (frozenset() if complete else {"BIZ-08"})


def _walked(store: st.Store) -> bool:
    """Whether this test's store already holds the invoiced case (examples share the store)."""
    with store.transaction() as tx:
        return tx.session.get(CaseRow, "C1") is not None

"""``agency admin demo``: a seal's day at a small firm, on a scratch SQLite store."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import agency_core.store as st
from agency_admin.entities import Document, SealApplication
from agency_admin.store import AdminRepository
from agency_core.engine import Engine
from agency_core.entities import Employee
from agency_core.store.audit import run_audit

__all__ = ["run"]

MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=8)))
NEXT_DAY = date(2026, 11, 24)
STAFF = (
    Employee("chen", "business", (), "陈专员"),
    Employee("zhou", "general", {"seal_use_approver"}, "周（用印审批）"),
    Employee("wu", "admin", {"seal_custodian"}, "吴（印章保管）"),
)
LETTER = Document("letter", "XW-2026-031", "Letter to the tax bureau")
BLANK = Document("letter", "XW-2026-031", "Letter to the tax bureau", blank=True)


def run(engine: Engine, say: Callable[[str], None]) -> list[str]:
    """Tell the day through ``say``; returns the controls that refused something, in order."""
    refused: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        store = st.open(f"sqlite:///{Path(scratch) / 'admin.db'}", engine=engine)
        store.upgrade()

        def step(what: str, act: Callable[[st.Transaction], Any]) -> None:
            try:
                with store.transaction() as tx:
                    act(tx)
            except st.Refused as exc:
                refused.extend(sorted(exc.controls))
                say(f"  refused  {what}: {exc}")
            else:
                say(f"  done     {what}")

        def offences(on: date) -> list[str]:
            return [
                f"{f.control} {f.title}: {', '.join(f.sample)}"
                for f in run_audit(store, on=on)
                if f.count and f.control.startswith("ADM")
            ]

        def setup(tx: st.Transaction) -> None:
            for person in STAFF:
                tx.employees.put(person)
            admin = AdminRepository(tx)
            admin.register_seal("company", "Company seal 公章", "wu")
            application = SealApplication("S1", "company", "tax filing", "business", "chen", LETTER)
            admin.apply_for_seal(application, key="apply-S1")

        def use(use_id: str, document: Document) -> Callable[[st.Transaction], Any]:
            return lambda tx: AdminRepository(tx).use_seal(
                use_id, "S1", "chen", document, key=f"use-{use_id}", at=MORNING
            )

        def give_back(person: str) -> Callable[[st.Transaction], Any]:
            return lambda tx: AdminRepository(tx).return_seal("U1", person, key=f"back-{person}")

        say(
            "Chen applies to seal a letter; the approval matrix routes it to the seal-use approver."
        )
        step("apply for the company seal", setup)
        step("seal the letter before approval", use("U0", LETTER))
        step("approve", lambda tx: tx.approvals.approve("S1", 0, "zhou", key="approve-S1"))
        step("seal a blank sheet", use("U1", BLANK))
        step("seal the approved letter", use("U1", LETTER))
        say(f"Next day's audit: {offences(NEXT_DAY)}")
        step("hand the seal back to a colleague", give_back("chen"))
        step("hand the seal back to its custodian", give_back("wu"))
        say(f"Audit after the return: {offences(NEXT_DAY) or 'no offences'}")
        store.dispose()
    return refused

"""``agency hr demo``: leave, a resignation and an appeal at a small firm, on scratch SQLite."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import agency_core.store as st
from agency_core.engine import Engine
from agency_core.entities import Employee
from agency_core.store.audit import run_audit
from agency_hr.entities import Appeal, Leave, Resignation, TrainingRecord
from agency_hr.store import HrRepository

__all__ = ["run"]

TODAY = date(2026, 11, 23)
STAFF = (
    Employee("chen", "business", (), "陈专员"),
    Employee("zhang", "business", {"dept_head"}, "张主管"),
    Employee("he", "admin", (), "何（人事）"),
)


def run(engine: Engine, say: Callable[[str], None]) -> list[str]:
    """Tell the day through ``say``; returns the controls that refused something, in order."""
    refused: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        store = st.open(
            f"sqlite:///{Path(scratch) / 'hr.db'}",
            engine=engine,
            clock=lambda: datetime(2026, 11, 23, 1, tzinfo=UTC),
        )
        store.upgrade()

        def step(what: str, act: Callable[[HrRepository, st.Transaction], Any]) -> None:
            try:
                with store.transaction() as tx:
                    act(HrRepository(tx), tx)
            except st.Refused as exc:
                refused.extend(sorted(exc.controls))
                say(f"  refused  {what}: {exc}")
            else:
                say(f"  done     {what}")

        def offences() -> list[str]:
            return [
                f"{f.control} {f.title}: {', '.join(f.sample)}"
                for f in run_audit(store, on=TODAY)
                if f.count and f.control.startswith("HR")
            ]

        def staff(_hr: HrRepository, tx: st.Transaction) -> None:
            for person in STAFF:
                tx.employees.put(person)

        def file_training(hr: HrRepository, _tx: st.Transaction) -> None:
            for person in STAFF:
                hr.record_training(
                    TrainingRecord(f"T-{person.id}", person.id, "Induction", TODAY, "passed")
                )

        late = Leave("L0", "chen", "business", "annual", TODAY, TODAY, TODAY)
        leave = Leave(
            "L1", "chen", "business", "annual", date(2026, 12, 1), date(2026, 12, 2), TODAY
        )
        short = Resignation("R0", "chen", "business", TODAY, date(2026, 12, 10), in_writing=True)
        resign = Resignation("R1", "chen", "business", TODAY, date(2026, 12, 31), in_writing=True)
        say("Chen asks for leave, then resigns; HR keeps the file.")
        step("set up the staff", staff)
        step("ask for leave starting today", lambda hr, _tx: hr.request_leave(late, key="L0"))
        step("ask for leave next week", lambda hr, _tx: hr.request_leave(leave, key="L1"))
        step("begin the leave unapproved", lambda hr, _tx: hr.begin_leave("L1", date(2026, 12, 1)))
        step("approve the leave", lambda _hr, tx: tx.approvals.approve("L1", 0, "zhang", key="a1"))
        step("begin the approved leave", lambda hr, _tx: hr.begin_leave("L1", date(2026, 12, 1)))
        step("resign with 17 days' notice", lambda hr, _tx: hr.apply_resignation(short, key="R0"))
        step("resign in writing in time", lambda hr, _tx: hr.apply_resignation(resign, key="R1"))
        step("hand over the work", lambda hr, _tx: hr.clear("R1", "handover", "zhang"))
        step(
            "complete the resignation", lambda hr, _tx: hr.complete_resignation("R1", "he", key="c")
        )
        step(
            "appeal a result notified 20 days ago",
            lambda hr, _tx: hr.file_appeal(
                Appeal("A1", "chen", "2026-Q3", date(2026, 11, 3), TODAY, "score")
            ),
        )
        say(f"Audit: {offences()}")
        step("file the induction training", file_training)
        say(f"Audit after filing the training: {offences() or 'no offences'}")
        store.dispose()
    return refused

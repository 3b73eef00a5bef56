"""The risk and audit scene of ``agency demo``: a register, an indicator, an audit's finding."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from agency_core.decision import Decision
from agency_core.entities import Employee
from agency_core.store import Refused, Transaction
from agency_risk_audit.entities import Risk
from agency_risk_audit.store import AuditBook, FindingLedger, RiskRegister

__all__ = ["STAFF", "run"]

STAFF = (
    Employee("RSK-DEMO-A", "audit", {"auditor"}, "审计 林"),
    Employee("RSK-DEMO-O", "operations", (), "运营 何"),
)
BAD_DEBT = Risk("RSK-DEMO-1", "clients paying late", "operations", 4, 3, "reduce", "RSK-DEMO-O")
ORPHAN = Risk("RSK-DEMO-2", "a licence left to lapse", "operations", 2, 5, "avoid")


def run(store: Any, say: Callable[[str], None]) -> None:
    """Tell the register and the audit through ``say`` on ``store`` (with this plugin's tables)."""

    def step(what: str, act: Callable[[Transaction], Any]) -> None:
        try:
            with store.transaction() as tx:
                done = act(tx)
        except Refused as exc:
            say(f"  refused  {what}: {exc}")
            return
        notes = [f"{f.control} {f.message()}" for f in getattr(done, "findings", ())]
        say(f"  done     {what}" + "".join(f"; {note}" for note in notes))

    def staff(tx: Transaction) -> None:
        for person in STAFF:
            tx.employees.put(person)

    def watch(tx: Transaction) -> None:
        RiskRegister(tx).add_indicator("RSK-DEMO-I1", BAD_DEBT.id, Decimal(30))

    def reading(value: int) -> Callable[[Transaction], Decision]:
        return lambda tx: RiskRegister(tx).read("RSK-DEMO-I1", Decimal(value))

    def plan(tx: Transaction) -> None:
        AuditBook(tx).plan(
            "RSK-DEMO-AU1",
            "operations",
            "RSK-DEMO-A",
            (),
            scope="receivables",
            content="overdue client accounts",
            method="sampling",
            key="RSK-DEMO-plan",
        )
        FindingLedger(tx).record(
            "RSK-DEMO-F1", "RSK-DEMO-AU1", "RSK-DEMO-O", "no dunning letters", key="RSK-DEMO-F1"
        )

    def move(to: str, actor: str) -> Callable[[Transaction], Any]:
        return lambda tx: FindingLedger(tx).move(
            "RSK-DEMO-F1", to, actor, key=f"RSK-DEMO-F1-{to}-{actor}"
        )

    say("Operations puts its risks on the register; the auditor follows a finding to its close.")
    step("set up the staff", staff)
    step(
        "register late-paying clients, 4 x 3, owned by He",
        lambda tx: RiskRegister(tx).put(BAD_DEBT),
    )
    step("register a lapsing licence without an owner", lambda tx: RiskRegister(tx).put(ORPHAN))
    step("watch overdue days, alert at 30", watch)
    step("read 12 overdue days", reading(12))
    step("read 30 overdue days", reading(30))
    step("audit operations and record a finding owned by He", plan)
    step("He rectifies the finding", move("rectified", "RSK-DEMO-O"))
    step("He closes his own finding", move("closed", "RSK-DEMO-O"))
    step("the auditor closes it", move("closed", "RSK-DEMO-A"))

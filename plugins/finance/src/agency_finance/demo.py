"""The finance scene of ``agency demo``: a claim filed, approved by its route and paid once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from agency_core.entities import ApprovalRequest, Employee, Money
from agency_core.store import Refused, Transaction, run_audit
from agency_finance.entities import Attachment, ExpenseClaim
from agency_finance.store import Finance

__all__ = ["STAFF", "run"]

STAFF = (
    Employee("FIN-DEMO-E", "marketing", (), "吴专员"),
    Employee("FIN-DEMO-H", "marketing", {"dept_head"}, "郑主管（市场部）"),
    Employee("FIN-DEMO-V", "finance", {"finance_reviewer"}, "冯会计"),
    Employee("FIN-DEMO-C", "finance", {"cashier"}, "钱出纳"),
)
AMOUNT = Money("1800", "CNY")


def _claim(*amounts: str) -> ExpenseClaim:
    invoices = tuple(
        Attachment("invoice", f"FIN-DEMO-INV-{i}", Money(a, "CNY")) for i, a in enumerate(amounts)
    )
    return ExpenseClaim(
        "FIN-DEMO-1", "FIN-DEMO-E", "marketing", "travel", AMOUNT, date(2026, 11, 20), invoices
    )


def run(store: Any, say: Callable[[str], None]) -> None:
    """Tell the claim's way through ``say`` on ``store`` (with this plugin's tables)."""

    def step(what: str, act: Callable[[Transaction], Any]) -> None:
        try:
            with store.transaction() as tx:
                act(tx)
        except Refused as exc:
            say(f"  refused  {what}: {exc}")
        else:
            say(f"  done     {what}")

    def staff(tx: Transaction) -> None:
        for person in STAFF:
            tx.employees.put(person)

    def submit(tx: Transaction) -> None:
        request = ApprovalRequest(
            "FIN-DEMO-R1", "expense_reimbursement", AMOUNT, "marketing", "FIN-DEMO-E"
        )
        tx.approvals.submit(request, key="FIN-DEMO-submit")

    def approve(step_no: int, actor: str) -> Callable[[Transaction], Any]:
        return lambda tx: tx.approvals.approve(
            "FIN-DEMO-R1", step_no, actor, key=f"FIN-DEMO-approve-{step_no}"
        )

    def pay(payment: str) -> Callable[[Transaction], Any]:
        return lambda tx: Finance(tx).payments.pay(payment, "FIN-DEMO-R1", "FIN-DEMO-C")

    say("Wu claims 1,800 CNY of travel; the route is the head of marketing, then finance.")
    step("set up the staff", staff)
    step(
        "file the claim with 1,500 CNY of invoices",
        lambda tx: Finance(tx).claims.file(_claim("1500")),
    )
    step(
        "file it with the missing 300 CNY invoice",
        lambda tx: Finance(tx).claims.file(_claim("1500", "300")),
    )
    step("submit it for approval (APR-01)", submit)
    step("pay it before the route completes", pay("FIN-DEMO-P0"))
    step("head of marketing approves", approve(0, "FIN-DEMO-H"))
    step("finance reviewer approves", approve(1, "FIN-DEMO-V"))
    step("the cashier pays it", pay("FIN-DEMO-P1"))
    step("pay it a second time", pay("FIN-DEMO-P2"))
    found = [
        f"{f.control} {f.title}: {f.count}"
        for f in run_audit(store)
        if f.count and f.control.startswith("FIN")
    ]
    say(f"Finance sweeps: {'; '.join(found) or 'no offences'}")

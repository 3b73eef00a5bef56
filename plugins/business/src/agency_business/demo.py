"""One case from inquiry to closed file, by the book: the steps, and a told walk through them.

``book(case_id)`` lists each state of the happy path with what brings a stored case there (the
tests walk cases with it); ``run(store, say)`` tells one case's story, with the refusals a
careless hand meets on the way. ``agency business demo`` runs it on a scratch SQLite file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from agency_business.entities import CaseIntake
from agency_business.store import CaseRepository
from agency_core.entities import (
    ApprovalRequest,
    Charge,
    Employee,
    Invoice,
    InvoiceLine,
    Money,
    SettlementStatement,
    StatementLine,
)
from agency_core.requests import InvoiceCheck
from agency_core.store.errors import Refused

if TYPE_CHECKING:
    from agency_core.store.session import Store, Transaction

__all__ = ["FEE", "MATERIALS", "SERVICE", "STAFF", "Step", "book", "invoice_check", "run"]

STAFF: Final = (
    Employee("B1", "business", (), "陈专员 (case handler)"),
    Employee("B2", "business", (), "周办事员 (clerk)"),
    Employee("BH", "business", {"dept_head"}, "张主管 (head of business)"),
    Employee("G1", "office", {"general_manager"}, "王总 (general manager)"),
    Employee("F1", "finance", {"finance_manager"}, "李经理 (finance manager)"),
)
SERVICE: Final = "tax_registration"
FEE: Final = Money("800", "CNY")

Step = tuple[str, Callable[["Transaction"], None]]
"""A state of the happy path and what brings a case there, in one transaction."""


def _approved(tx: Transaction, request: ApprovalRequest, approvers: tuple[str, ...]) -> None:
    tx.approvals.submit(request, key=f"submit-{request.id}")
    for step, approver in enumerate(approvers):
        tx.approvals.approve(request.id, step, approver, key=f"{request.id}-{step}")


ZERO: Final = Money("0", "CNY")
MATERIALS: Final = ("application_form", "business_license", "legal_representative_id")
"""What a tax registration needs under the default policy."""


def _request(case_id: str, action: str, amount: Money = ZERO) -> ApprovalRequest:
    return ApprovalRequest(f"{case_id}-{action}", action, amount, "business", "B1")


def invoice_check(case_id: str, total: Money = FEE) -> InvoiceCheck:
    """The invoice of the case's one delivered, settled charge, of ``total``."""
    charge = Charge(f"{case_id}-CH1", case_id, SERVICE, FEE, delivered=True, settled=True)
    line = InvoiceLine(charge.id, charge.item, total)
    invoice = Invoice(f"{case_id}-INV", case_id, date(2026, 3, 20), [line], total)
    return InvoiceCheck(invoice, [charge])


def book(case_id: str) -> list[Step]:
    """Every state after ``inquiry`` on the happy path of a tax registration, and its step."""
    c = case_id

    def notice(tx: Transaction) -> None:
        CaseRepository(tx).submit_materials(c, MATERIALS[:1])
        CaseRepository(tx).request_materials(c, "B1", key=f"{c}-notice")

    def accept(tx: Transaction) -> None:
        CaseRepository(tx).submit_materials(c, MATERIALS)
        CaseRepository(tx).accept(c, "B1", key=f"{c}-accept")

    def intake(tx: Transaction) -> None:
        _approved(tx, _request(c, "business_intake"), ("BH", "G1"))
        CaseRepository(tx).link_approval(c, "intake", f"{c}-business_intake")
        CaseRepository(tx).move(c, "intake_approved", "B1", key=f"{c}-intake")

    def contract(tx: Transaction) -> None:
        CaseRepository(tx).sign_contract(c, f"{c}-CT", "B1", key=f"{c}-ct")

    def plan(tx: Transaction) -> None:
        cases = CaseRepository(tx)
        _approved(tx, _request(c, "execution_plan"), ("BH",))
        cases.link_approval(c, "plan", f"{c}-execution_plan")
        cases.add_task(c, f"{c}-T1", title="file the form", owner="B2", key=f"{c}-t1")
        cases.move(c, "planned", "B1", key=f"{c}-plan")

    def work(tx: Transaction) -> None:
        CaseRepository(tx).move(c, "in_progress", "B1", key=f"{c}-go")

    def complete(tx: Transaction) -> None:
        cases = CaseRepository(tx)
        cases.finish_task(f"{c}-T1", "B2", key=f"{c}-t1-done")
        cases.add_documents(c, "processing_records", ["submission receipt"])
        cases.add_documents(c, "result_feedback", ["registration certificate"])
        cases.move(c, "completed", "B1", key=f"{c}-done")

    def review(tx: Transaction) -> None:
        CaseRepository(tx).move(c, "reviewed", "BH", key=f"{c}-rev")

    def notify(tx: Transaction) -> None:
        CaseRepository(tx).notify(c, "phone", "B1", key=f"{c}-tell")

    def deliver(tx: Transaction) -> None:
        cases = CaseRepository(tx)
        cases.add_documents(c, "proof_documents", ["certificate"], handed_over=True)
        cases.add_documents(c, "aftercare_notes", ["renewal dates"], handed_over=True)
        cases.move(c, "delivered", "B1", key=f"{c}-give")

    def confirm(tx: Transaction) -> None:
        lines = [StatementLine(SERVICE, FEE)]
        given = SettlementStatement(c, tx.now() - timedelta(hours=1), lines, FEE)
        CaseRepository(tx).confirm_settlement(c, given, tx.now(), "B1", key=f"{c}-ok")

    def manager(tx: Transaction) -> None:
        request = _request(c, "settlement", FEE)
        tx.approvals.submit(request, key=f"submit-{request.id}")
        CaseRepository(tx).link_approval(c, "settlement", request.id)
        tx.approvals.approve(request.id, 0, "BH", key=f"{request.id}-0")
        CaseRepository(tx).move(c, "manager_approved", "B1", key=f"{c}-mgr")

    def finance(tx: Transaction) -> None:
        tx.approvals.approve(f"{c}-settlement", 1, "F1", key=f"{c}-settlement-1")
        CaseRepository(tx).move(c, "finance_approved", "B1", key=f"{c}-fin")

    def invoice(tx: Transaction) -> None:
        CaseRepository(tx).invoice(c, invoice_check(c), "F1", key=f"{c}-inv")

    def close(tx: Transaction) -> None:
        CaseRepository(tx).move(c, "closed", "B1", key=f"{c}-close")

    return [
        ("materials_requested", notice),
        ("accepted", accept),
        ("intake_approved", intake),
        ("contracted", contract),
        ("planned", plan),
        ("in_progress", work),
        ("completed", complete),
        ("reviewed", review),
        ("notified", notify),
        ("delivered", deliver),
        ("client_confirmed", confirm),
        ("manager_approved", manager),
        ("finance_approved", finance),
        ("invoiced", invoice),
        ("closed", close),
    ]


def run(store: Store, say: Callable[[str], None], case_id: str = "C-2026-1") -> None:
    """Walk one case from inquiry to closed file on ``store`` (upgraded), telling each step."""
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
        cases = CaseRepository(tx)
        cases.register(
            case_id,
            client_id="client-7",
            service_item=SERVICE,
            handler="B1",
            due_on=date(2026, 4, 30),
            key=f"{case_id}-open",
        )
        intake = CaseIntake(case_id, "client-7", SERVICE, "B1", ["application_form"])
        for finding in store.engine.decide(intake).findings:
            say(f"intake check  {finding.control}: {finding.message('zh-CN')}")
    for state, step in book(case_id):
        if state == "intake_approved":
            try:
                with store.transaction() as tx:
                    CaseRepository(tx).move(case_id, state, "B1", key=f"{case_id}-hasty")
            except Refused as refused:
                for finding in refused.findings:
                    say(f"refused       {finding.control}: {finding.message('zh-CN')}")
        with store.transaction() as tx:
            step(tx)
            case = CaseRepository(tx).get(case_id)
        say(f"{case.state:<20} {case.number or ''}")

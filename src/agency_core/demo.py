"""``agency demo``: one day at a small agency firm, decided by the engine and told as a report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.table import Table

from agency_core.checks import (
    ChargeCheck,
    DisposalCheck,
    DutyCheck,
    InvoiceCheck,
    PerformedDuty,
    RoleGrant,
    StepCheck,
)
from agency_core.decision import Decision
from agency_core.engine import Engine
from agency_core.entities import (
    ApprovalRequest,
    Charge,
    Contract,
    Delegation,
    Employee,
    FeeSchedule,
    Hold,
    Invoice,
    InvoiceLine,
    Money,
    Record,
    ScheduleItem,
    StepAction,
)

__all__ = ["run"]

BEIJING = timezone(timedelta(hours=8))
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING)

STAFF = {
    "wang": Employee("wang", "admin", {"general_manager"}, "王总"),
    "li": Employee("li", "finance", {"finance_manager"}, "李经理"),
    "zhang": Employee("zhang", "business", {"dept_head"}, "张主管"),
    "zhao": Employee("zhao", "business", {"deputy_dept_head"}, "赵副主管"),
    "chen": Employee("chen", "business", (), "陈专员"),
    "liu": Employee("liu", "finance", {"cashier"}, "刘出纳"),
}

OUTCOME = {
    "en": {"allow": "allow", "deny": "deny", "needs_approval": "needs approval"},
    "zh-CN": {"allow": "允许", "deny": "拒绝", "needs_approval": "需审批"},
}
COLOUR = {"allow": "green", "deny": "red", "needs_approval": "yellow"}


class Report:
    """Collects the day's decisions and prints them section by section."""

    def __init__(self, console: Console, lang: str) -> None:
        self.console, self.lang = console, lang
        self.count: dict[str, int] = {}
        self.table: Table | None = None

    def section(self, en: str, zh: str) -> None:
        self.flush()
        self.console.print(Rule(zh if self.lang == "zh-CN" else en))
        self.table = Table(show_header=True, header_style="bold", expand=True)
        for name in ("", "outcome", "controls", "why"):
            self.table.add_column(name, overflow="fold")

    def show(self, what: str, decision: Decision) -> Decision:
        outcome = decision.outcome.value
        self.count[outcome] = self.count.get(outcome, 0) + 1
        label = (
            f"[{COLOUR[outcome]}]{OUTCOME['zh-CN' if self.lang == 'zh-CN' else 'en'][outcome]}[/]"
        )
        if decision.route is not None and decision.route.steps:
            label += "\n" + " → ".join(decision.route.roles)
        controls = ", ".join(sorted(decision.controls)) or "-"
        why = "\n".join(f.message(self.lang) for f in decision.findings) or "-"
        assert self.table is not None
        self.table.add_row(what, label, controls, why)
        return decision

    def flush(self) -> None:
        if self.table is not None:
            self.console.print(self.table)
            self.table = None


def run(make_engine: Callable[..., Engine], console: Console, lang: str, db: Path | None) -> None:
    """Run the demo with an engine from ``make_engine`` and print the report on ``console``."""
    engine = make_engine()
    report = Report(console, lang)
    zh = lang == "zh-CN"
    console.print(
        f"[bold]{'华信代办有限公司的一天' if zh else 'A day at Huaxin Agency Co.'}[/] — "
        f"policy {engine.policy.name} {engine.policy.version} ({engine.policy.sha256[:12]})",
        highlight=False,
    )
    del db  # the store keeps the demo's state once it lands; until then the day runs in memory
    _intake(engine, report)
    _fees(engine, report)
    _approvals(engine, report)
    _segregation(engine, report)
    _retention(engine, report)
    report.flush()
    summary = ", ".join(
        f"{OUTCOME['zh-CN' if zh else 'en'][k]} {v}" for k, v in report.count.items()
    )
    console.print(f"[bold]{'合计' if zh else 'Decisions'}:[/] {summary}", highlight=False)


def _intake(engine: Engine, report: Report) -> None:
    report.section("1. Intake: a new case is accepted", "一、业务承接")
    intake = ApprovalRequest(
        "BIZ-2026-0042", "business_intake", Money("0", "CNY"), "business", "chen"
    )
    report.show("chen: business intake", engine.route_approval(intake))


def _fees(engine: Engine, report: Report) -> None:
    report.section(
        "2. Fees: schedule, contract, charges, invoice", "二、收费：公示、合同、收费、开票"
    )
    schedule = FeeSchedule(
        "2026",
        date(2026, 1, 1),
        [
            ScheduleItem("company_registration", Money("3000", "CNY"), "公司注册代办"),
            ScheduleItem("notary_fee", Money("500", "CNY"), "公证费（第三方）", third_party=True),
        ],
    )
    contract = Contract(
        "HT-2026-0042",
        "CASE-42",
        "client-7",
        MORNING,
        {"company_registration": Money("2800", "CNY"), "notary_fee": Money("500", "CNY")},
        disclosed_at=MORNING - timedelta(hours=1),
        disclosure_acknowledged=True,
    )
    fair = Charge("CH-1", "CASE-42", "company_registration", Money("2800", "CNY"), delivered=True)
    raised = Charge("CH-2", "CASE-42", "company_registration", Money("3200", "CNY"))
    report.show(
        "charge at the contract fee", engine.check_charge(ChargeCheck(fair, contract, [schedule]))
    )
    report.show(
        "charge raised without amendment",
        engine.check_charge(ChargeCheck(raised, contract, [schedule])),
    )
    invoice = Invoice(
        "INV-9",
        "CASE-42",
        date(2026, 11, 23),
        [InvoiceLine("CH-1", "company_registration", Money("2800", "CNY"))],
        Money("2800", "CNY"),
    )
    report.show("invoice before settlement", engine.check_invoice(InvoiceCheck(invoice, [fair])))


def _approvals(engine: Engine, report: Report) -> None:
    report.section(
        "3. Approvals: a claim, a deputy, a self-approval", "三、审批：报销、副职代行、自批"
    )
    for amount in ("5000", "12000"):
        claim = ApprovalRequest(
            f"EXP-{amount}", "expense_reimbursement", Money(amount, "CNY"), "business", "chen"
        )
        report.show(f"chen: expense claim {amount} CNY", engine.route_approval(claim))
    claim = ApprovalRequest(
        "EXP-12000", "expense_reimbursement", Money("12000", "CNY"), "business", "chen"
    )
    route = engine.route_approval(claim).route
    assert route is not None
    leave = Delegation("zhang", "zhao", MORNING, MORNING + timedelta(days=3), "张主管出差")
    deputy = StepAction(0, "zhao", "approve", MORNING + timedelta(hours=2), on_behalf_of="zhang")
    step = StepCheck(claim, route, deputy, STAFF["zhao"], STAFF["zhang"], delegations=[leave])
    report.show("zhao approves for zhang (on leave)", engine.check_step(step))
    finance = StepAction(1, "li", "approve", MORNING + timedelta(hours=3))
    report.show(
        "li approves step 2",
        engine.check_step(StepCheck(claim, route, finance, STAFF["li"], history=[deputy])),
    )
    own = ApprovalRequest(
        "EXP-77", "expense_reimbursement", Money("800", "CNY"), "business", "zhao"
    )
    own_route = engine.route_approval(own).route
    assert own_route is not None
    self_step = StepAction(0, "zhao", "approve", MORNING + timedelta(hours=4), on_behalf_of="zhang")
    check = StepCheck(own, own_route, self_step, STAFF["zhao"], STAFF["zhang"], delegations=[leave])
    report.show("zhao approves his own claim as deputy", engine.check_step(check))


def _segregation(engine: Engine, report: Report) -> None:
    report.section("4. Segregation of duties", "四、不相容职务分离")
    report.show(
        "make cashier liu an auditor", engine.check_role_grant(RoleGrant(STAFF["liu"], "auditor"))
    )
    pay = DutyCheck("PAY-311", "pay", "li", [PerformedDuty("approve_payment", "li")])
    report.show("li pays what li approved", engine.check_duty(pay))


def _retention(engine: Engine, report: Report) -> None:
    report.section("5. Records retention", "五、档案保管与销毁")
    voucher = Record("PZ-2024-000318", {"voucher"}, date(2024, 12, 31), "2024年12月记账凭证")
    due = engine.retention(voucher).due
    for day in (date(2054, 12, 31), date(2055, 1, 1)):
        report.show(
            f"destroy voucher on {day} (due {due})",
            engine.check_disposal(DisposalCheck(voucher, day)),
        )
    held = Record(
        "HT-2016-000042",
        {"contract"},
        date(2016, 3, 1),
        event_on=date(2016, 3, 1),
        holds=[Hold("LH-3", "诉讼中 (lawsuit)", date(2025, 6, 1))],
    )
    report.show(
        "destroy a contract under legal hold",
        engine.check_disposal(DisposalCheck(held, date(2027, 1, 1))),
    )

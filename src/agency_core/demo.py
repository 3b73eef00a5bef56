"""``agency demo``: one day at a small agency firm, decided by the engine and told as a report."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule
from rich.table import Table

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
)
from agency_core.errors import InvalidInput
from agency_core.kinds import Scene, collect
from agency_core.requests import (
    ChargeCheck,
    DisposalCheck,
    DutyCheck,
    InvoiceCheck,
    PerformedDuty,
    RoleGrant,
)

__all__ = ["run"]

BEIJING = timezone(timedelta(hours=8))
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING)

STAFF = {
    "wang": Employee("wang", "admin", {"general_manager"}, "王总"),
    "li": Employee("li", "finance", {"finance_manager"}, "李经理"),
    "zhou": Employee("zhou", "finance", {"finance_reviewer"}, "周会计"),
    "zhang": Employee("zhang", "business", {"dept_head"}, "张主管"),
    "zhao": Employee("zhao", "business", {"deputy_dept_head"}, "赵副主管"),
    "chen": Employee("chen", "business", (), "陈专员"),
    "liu": Employee("liu", "finance", {"cashier"}, "刘出纳"),
    "sun": Employee("sun", "archives", {"archives_head"}, "孙档案"),
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
        self.names = OUTCOME["zh-CN" if lang == "zh-CN" else "en"]
        self.count: dict[str, int] = {}
        self.table: Table | None = None

    def section(self, en: str, zh: str) -> None:
        self.flush()
        self.console.print(Rule(zh if self.lang == "zh-CN" else en))
        self.table = Table(show_header=True, header_style="bold", expand=True)
        for name in ("", "outcome", "controls", "why"):
            self.table.add_column(name, overflow="fold")

    def show(self, what: str, decision: Decision, note: str = "") -> Decision:
        """A row for a decision: its outcome (and route), controls and messages."""
        outcome = decision.outcome.value
        self.count[outcome] = self.count.get(outcome, 0) + 1
        label = f"[{COLOUR[outcome]}]{self.names[outcome]}[/]"
        if decision.route is not None and decision.route.steps:
            label += "\n" + " → ".join(decision.route.roles)
        why = [f.message(self.lang) for f in decision.findings] + ([note] if note else [])
        self.row(what, label, ", ".join(sorted(decision.controls)), "\n".join(why))
        return decision

    def row(self, what: str, outcome: str, controls: str, why: str) -> None:
        """A row of anything else the day did."""
        assert self.table is not None
        self.table.add_row(what, outcome, controls or "-", why or "-")

    def flush(self) -> None:
        if self.table is not None:
            self.console.print(self.table)
            self.table = None


def run(make_engine: Callable[..., Engine], console: Console, lang: str, db: Path | None) -> None:
    """Run the demo and print the report; the state is kept in the SQLite file ``db``."""
    from agency_core import store as stores

    if db is not None and db.exists():
        raise InvalidInput(f"the demo writes a new database; {db} exists already")
    with tempfile.TemporaryDirectory() as scratch:
        path = db if db is not None else Path(scratch) / "demo.db"
        store = stores.open(f"sqlite:///{path}")
        try:
            log = stores.DecisionLog(store)
            engine = make_engine(plugins=[log])
            store.use(engine)
            store.upgrade()  # the core's tables and those of every plugin of the engine
            _day(engine, store, log, Report(console, lang), path if db is not None else None)
        finally:
            store.dispose()


def _day(engine: Engine, store: Any, log: Any, report: Report, kept: Path | None) -> None:
    zh = report.lang == "zh-CN"
    report.console.print(
        f"[bold]{'华信代办有限公司的一天' if zh else 'A day at Huaxin Agency Co.'}[/] — "
        f"policy {engine.policy.name} {engine.policy.version} ({engine.policy.sha256[:12]}), "
        f"{'状态保存在' if zh else 'state kept in'} SQLite"
        + (f" {kept}" if kept else (" (临时文件)" if zh else " (a temporary file)")),
        highlight=False,
    )
    _intake(engine, report)
    _fees(engine, report)
    _approvals(engine, store, report)
    _segregation(engine, report)
    _retention(engine, store, report)
    _departments(engine, store, report)
    _log(store, log, report)
    report.flush()
    summary = ", ".join(f"{report.names[k]} {v}" for k, v in report.count.items())
    report.console.print(f"[bold]{'合计' if zh else 'Decisions'}:[/] {summary}", highlight=False)


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


def _approvals(engine: Engine, store: Any, report: Report) -> None:
    from agency_core.store import Refused

    report.section(
        "3. Approvals, stored: a claim, a deputy, a self-approval",
        "三、审批（已入库）：报销、副职代行、自批",
    )
    leave = Delegation("zhang", "zhao", MORNING, MORNING + timedelta(days=3), "张主管出差")
    with store.transaction() as tx:
        for employee in STAFF.values():
            tx.employees.put(employee)
        tx.delegations.add(leave)
    small = _claim("EXP-5000", "5000", "chen")
    report.show("chen: expense claim 5000 CNY", engine.route_approval(small))
    claim = _claim("EXP-12000", "12000", "chen")
    with store.transaction() as tx:
        tx.approvals.submit(
            claim, report.show("chen: claim 12000 CNY", engine.route_approval(claim)), key="k1"
        )
    with store.transaction() as tx:
        tx.approvals.approve(
            claim.id, 0, "zhao", on_behalf_of="zhang", key="k2", at=MORNING + timedelta(hours=2)
        )
    report.row("zhao approves step 1 for zhang (on leave)", _stored(report), "APR-06", "")
    with store.transaction() as tx:
        tx.approvals.approve(claim.id, 1, "zhou", key="k3", at=MORNING + timedelta(hours=3))
    report.row("zhou reviews for finance, step 2", _stored(report), "APR-01", "")
    with store.transaction() as tx:
        tx.approvals.approve(claim.id, 2, "li", key="k3b", at=MORNING + timedelta(hours=4))
        done = tx.approvals.get(claim.id)
    history = "; ".join(
        f"{h.step + 1}: {h.actor}" + (f" for {h.on_behalf_of}" if h.on_behalf_of else "")
        for h in done.history
    )
    report.row("li approves step 3", _stored(report), "APR-07", f"{done.status.value}: {history}")
    own = _claim("EXP-77", "800", "zhao")
    with store.transaction() as tx:
        tx.approvals.submit(own, engine.route_approval(own), key="k4")
    try:
        with store.transaction() as tx:
            tx.approvals.approve(
                own.id, 0, "zhao", on_behalf_of="zhang", key="k5", at=MORNING + timedelta(hours=5)
            )
    except Refused as refused:
        report.show("zhao approves his own claim as deputy", refused.decision, "not stored")


def _claim(request_id: str, amount: str, requester: str) -> ApprovalRequest:
    return ApprovalRequest(
        request_id, "expense_reimbursement", Money(amount, "CNY"), "business", requester
    )


def _stored(report: Report) -> str:
    report.count["allow"] = report.count.get("allow", 0) + 1
    return f"[green]{report.names['allow']}[/] ({'已入库' if report.lang == 'zh-CN' else 'stored'})"


def _segregation(engine: Engine, report: Report) -> None:
    report.section("4. Segregation of duties", "四、不相容职务分离")
    report.show(
        "make cashier liu an auditor", engine.check_role_grant(RoleGrant(STAFF["liu"], "auditor"))
    )
    pay = DutyCheck("PAY-311", "pay", "li", [PerformedDuty("approve_payment", "li")])
    report.show("li pays what li approved", engine.check_duty(pay))


def _retention(engine: Engine, store: Any, report: Report) -> None:
    from agency_core.store import Refused, run_audit

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
    today = engine.policy.local_date(MORNING)
    with store.transaction() as tx:
        numbers = [
            tx.records.register("voucher", closed_on=date(1994, 12, 31), title="1994 凭证").number,
            tx.records.register(
                "bank_statement", closed_on=date(2012, 12, 31), title="对账单"
            ).number,
            tx.records.register("voucher", closed_on=date(2025, 12, 31), title="2025 凭证").number,
        ]
        tx.records.place_hold(numbers[1], "LH-9", "tax inspection", on=today)
    report.row("register three records", _stored(report), "RET-05", ", ".join(numbers))
    lend = {"lent_on": date(2026, 11, 1), "due_on": date(2026, 11, 15)}
    try:
        with store.transaction() as tx:
            tx.records.lend(numbers[2], "LN-0", "li", **lend, approval_id=None)
    except Refused as refused:
        report.show("lend a voucher without approval", refused.decision, "not stored")
    borrow = ApprovalRequest("BOR-1", "archive_borrowing", Money("0", "CNY"), "finance", "li")
    with store.transaction() as tx:
        tx.approvals.submit(borrow, engine.route_approval(borrow), key="b1")
        tx.approvals.approve(borrow.id, 0, "sun", key="b2", at=MORNING - timedelta(days=23))
        tx.records.lend(numbers[2], "LN-1", "li", **lend, approval_id=borrow.id)
    report.row("lend it on approved request BOR-1", _stored(report), "RET-06", "due 2026-11-15")
    for found in run_audit(store, on=today):
        if found.control in {"RET-02", "RET-03", "RET-06"}:
            report.row(
                f"sweep: {found.title}", str(found.count), found.control, ", ".join(found.sample)
            )


def _departments(engine: Engine, store: Any, report: Report) -> None:
    """Each installed department plugin's scene (``agency_register_demos``), on the same store."""
    scenes = collect(
        engine.plugin_manager, "agency_register_demos", Scene, lambda s: s.name, what="scene"
    )
    for _name, registration in sorted(scenes.items()):
        scene = registration.item
        report.flush()
        report.console.print(Rule(scene.title_zh if report.lang == "zh-CN" else scene.title_en))

        def say(line: str) -> None:
            report.console.print(line, markup=False, highlight=False)

        scene.run(store, say)


def _log(store: Any, log: Any, report: Report) -> None:
    from agency_core.store import verify_log

    report.section("6. The decision log", "六、决策日志")
    log.flush()
    checked = verify_log(store)
    verdict = "intact" if checked.ok else f"broken at {checked.problem}"
    report.row(
        "verify the hash chain",
        str(checked.entries),
        "log",
        f"{verdict}; head {checked.head[:16]}…",
    )

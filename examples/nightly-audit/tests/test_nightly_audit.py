"""The nightly audit on a database seeded with known offences, on SQLite and PostgreSQL.

Offences are planted through the store APIs of the core and of the department plugins (a lax
engine lets the segregation and approval offences in, as an import from an older system would);
the report must name exactly them, as ``(control, id)`` pairs, with every installed plugin's
sweeps running.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from agency_customer_service.entities import Complaint
from agency_customer_service.store import CustomerService
from agency_hr import HrRepository, Leave, TrainingRecord
from agency_nightly_audit import run
from agency_nightly_audit.cli import command
from click.testing import CliRunner

import agency_core.store as st
from agency_core import ApprovalRequest, Employee, Engine, Money
from agency_core.builtin import approvals
from agency_core.store.audit import all_sweeps
from agency_core.store.checkpoint import Checkpoint
from agency_core.store.log import take_checkpoint

PLUGINS = (
    "admin",
    "branch_office",
    "business",
    "customer_service",
    "finance",
    "hr",
    "legal",
    "risk_audit",
)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ON = date(2026, 3, 20)
KEY = bytes(range(32))

STAFF = (
    Employee("E1", "sales", (), "requester"),
    Employee("H1", "sales", {"dept_head"}, "head of sales"),
    Employee("HX", "ops", {"dept_head"}, "head of ops"),
    Employee("V1", "finance", {"finance_reviewer"}, "finance reviewer"),
    Employee("F1", "finance", {"finance_manager"}, "finance manager"),
    Employee("F2", "finance", {"deputy_finance_manager"}, "deputy finance manager"),
    Employee("M1", "sales", {"dept_head", "finance_reviewer"}, "two hats"),
    Employee("A1", "archives", {"archives_head"}, "archives head"),
    Employee("B1", "sales", {"branch_director"}, "branch director"),
    Employee("CS", "service", (), "customer service clerk"),
    Employee("N1", "sales", (), "new hire, never trained"),
)


class RouteOnly:
    """The bundled routing without the bundled step checks (APR-04..07)."""

    __name__ = "route_only"
    agency_approval_route = staticmethod(approvals.agency_approval_route)


LAX = Engine(
    block=["agency_core.builtin.segregation", "agency_core.builtin.approvals"],
    plugins=[RouteOnly()],
    entry_points=False,
)


def claim(request_id: str, requester: str = "E1") -> ApprovalRequest:
    return ApprovalRequest(
        request_id, "expense_reimbursement", Money("12000", "CNY"), "sales", requester
    )


@attrs.frozen
class Seeded:
    url: str
    key_file: Path
    checkpoint: Path
    out: Path
    expected: frozenset[tuple[str, str]]


def _seed(store: st.Store) -> set[tuple[str, str]]:
    """Plant the offences; return them as (control, id)."""
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
            if person.id != "N1":  # HR-03: N1 has no training record
                HrRepository(tx).record_training(
                    TrainingRecord(
                        f"T-{person.id}", person.id, "induction", date(2026, 1, 5), "passed"
                    )
                )
        for rid, requester in (("R-self", "H1"), ("R-two", "E1"), ("R-dept", "E1")):
            tx.approvals.submit(claim(rid, requester), key=rid)
        tx.approvals.submit(claim("R-branch"), key="R-branch")
        tx.approvals.submit(claim("R-wait"), key="R-wait")
        tx.approvals.submit(claim("R-done"), key="R-done")
        # HR-01: a leave whose first day came without approval (also waiting past APR-07)
        HrRepository(tx).request_leave(
            Leave(
                "L1",
                "E1",
                "sales",
                "annual",
                date(2026, 3, 10),
                date(2026, 3, 11),
                date(2026, 3, 2),
            ),
            key="leave-L1",
        )
        # CS-03: a complaint never assigned, past its handling deadline
        CustomerService(tx).receive(
            Complaint("C-1", "client-9", "late filing", "a refund", "138-0000-0000", T0, T0, "CS"),
            key="complaint-C-1",
        )
    with store.transaction() as tx:  # a request approved properly: no offence
        for step, actor in enumerate(("H1", "V1", "F1")):
            tx.approvals.approve("R-done", step, actor, key=f"done{step}")
    with store.transaction(LAX) as tx:
        tx.approvals.approve("R-self", 0, "H1", key="s0")  # SOD-01
        tx.approvals.approve("R-two", 0, "M1", key="t0")  # SOD-04 ...
        tx.approvals.approve("R-two", 1, "M1", key="t1")  # ... twice
        tx.approvals.approve("R-dept", 0, "HX", key="d0")  # APR-04: ops head for sales
        tx.approvals.approve("R-branch", 0, "B1", key="b0")  # inherits dept_head: fine
        tx.duties.perform("PAY-1", "approve_payment", "F1", key="p1a")  # SOD-03 ...
        tx.duties.perform("PAY-1", "pay", "F1", key="p1p")  # ... by the same person
        tx.duties.perform("PAY-2", "approve_payment", "F1", key="p2a")  # fine: two people
        tx.duties.perform("PAY-2", "pay", "F2", key="p2p")
    with store.transaction() as tx:
        expired = tx.records.register("voucher", closed_on=date(1990, 1, 31)).number  # RET-02
        held = tx.records.register("voucher", closed_on=date(1990, 2, 28)).number
        tx.records.place_hold(held, "H-1", "litigation", on=date(2025, 1, 1))  # kept: fine
        important = tx.records.register("contract", closed_on=date(2026, 1, 5), important=True)
        lent = tx.records.register("voucher", closed_on=date(2025, 1, 31)).number
        loan = ApprovalRequest("LOAN", "archive_borrowing", Money("0", "CNY"), "sales", "E1")
        tx.approvals.submit(loan, key="LOAN")
        tx.approvals.approve("LOAN", 0, "A1", key="LOAN-a")
        tx.records.lend(
            lent,
            "LN-1",
            "E1",
            lent_on=date(2026, 2, 1),
            due_on=date(2026, 2, 15),
            approval_id="LOAN",
        )  # RET-06: overdue
    pending = ("R-self", "R-two", "R-dept", "R-branch", "R-wait", "L1")  # APR-07 by --on
    return {
        ("SOD-01", "R-self:0"),
        ("SOD-03", "PAY-1:F1"),
        ("SOD-04", "R-two:M1"),
        ("APR-04", "R-dept:0"),
        *(("APR-07", rid) for rid in pending),
        ("RET-02", expired),
        ("RET-06", "LN-1"),
        ("RET-07", important.number),
        ("HR-01", "L1"),
        ("HR-03", "N1"),
        ("CS-03", "C-1"),
    }


@pytest.fixture
def seeded(agency_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    monkeypatch.setenv("AGENCY_CORE_LOAD_PLUGINS", ",".join(PLUGINS))
    store = st.open(agency_db_url, clock=lambda: T0, log_key=KEY)
    try:
        log = st.DecisionLog(store)
        store.use(Engine(plugins=[log]))  # every installed plugin, as AGENCY_CORE_LOAD_PLUGINS says
        store.upgrade()
        expected = _seed(store)
        log.flush()
        key_file = tmp_path / "log.key"
        key_file.write_bytes(KEY)
        checkpoint = tmp_path / "checkpoint.json"
        checkpoint.write_text(take_checkpoint(store, KEY).to_json())
        for n in range(3):  # decisions after the checkpoint: the log grows past it
            store.engine.route_approval(claim(f"LATER-{n}"))
        log.flush()
    finally:
        store.dispose()
    return Seeded(agency_db_url, key_file, checkpoint, tmp_path / "reports", frozenset(expected))


def _run(seeded: Seeded, *extra: str) -> Any:
    args = [
        "--url",
        seeded.url,
        "--key",
        str(seeded.key_file),
        "--checkpoint",
        str(seeded.checkpoint),
    ]
    return CliRunner().invoke(
        command, [*args, "--out", str(seeded.out), "--on", ON.isoformat(), *extra]
    )


def _report(seeded: Seeded) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((seeded.out / f"agency-audit-{ON}.json").read_text())
    return data


def _pairs(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["control"], id_) for f in report["findings"] for id_ in f["sample"]}


def test_every_seeded_offence_is_reported_and_nothing_else(seeded: Seeded) -> None:
    result = _run(seeded)
    assert result.exit_code == 1, result.output  # offences found, log intact
    report = _report(seeded)
    assert all(f["unlisted"] == 0 for f in report["findings"])  # every id is listed
    assert _pairs(report) == seeded.expected
    assert report["offences"] == len(seeded.expected)
    swept = {f["control"] for f in report["findings"]}
    assert {"SOD-01", "RET-07", "HR-03", "CS-03", "FIN-02", "ADM-01", "BR-01", "AUD-01"} <= swept
    assert len(report["plugins"]) == 5 + len(PLUGINS)  # the bundled five and the eight installed
    assert report["log"]["ok"] is True
    assert report["log"]["entries"] > report["log"]["anchor"]["seq"] > 0
    assert f"{len(seeded.expected)} offences" in result.output


def test_the_html_report_charts_offences_by_control(seeded: Seeded) -> None:
    _run(seeded)
    page = (seeded.out / f"agency-audit-{ON}.html").read_text()
    assert "<script" not in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")
    chart = page[page.index("<svg") : page.index("</svg>")]
    bars = dict(re.findall(r"<title>([A-Z]+-\d\d): (\d+)</title>", chart))
    per_control: dict[str, int] = {}
    for control, _id in seeded.expected:
        per_control[control] = per_control.get(control, 0) + 1
    assert {c: int(n) for c, n in bars.items()} == per_control
    assert chart.count("<rect") == len(per_control)
    assert "R-self:0" in page
    assert "Intact" in page


def test_the_checkpoint_advances_when_the_log_verifies(seeded: Seeded) -> None:
    before = json.loads(seeded.checkpoint.read_text())
    _run(seeded)
    after = json.loads(seeded.checkpoint.read_text())
    report = _report(seeded)
    assert after["seq"] == report["log"]["entries"] == before["seq"] + 3
    assert report["log"]["checkpoint"] == after["seq"]


def _tamper(url: str, *statements: str) -> None:
    """Change the log as someone who owns the tables: its guards are lifted first."""
    store = st.open(url)
    try:
        with store.database.begin() as conn:
            if store.dialect == "postgresql":
                conn.exec_driver_sql("ALTER TABLE decision_log DISABLE TRIGGER USER")
            else:
                conn.exec_driver_sql("DROP TRIGGER IF EXISTS agency_log_no_update")
            for statement in statements:
                conn.exec_driver_sql(statement)
            if store.dialect == "postgresql":
                conn.exec_driver_sql("ALTER TABLE decision_log ENABLE TRIGGER USER")
    finally:
        store.dispose()


def test_a_log_altered_before_the_checkpoint_exits_3_and_keeps_the_checkpoint(
    seeded: Seeded,
) -> None:
    before = seeded.checkpoint.read_text()
    _tamper(
        seeded.url,
        "UPDATE decision_log SET outcome = 'allow', body = replace(body, "
        "'needs_approval', 'allow') WHERE seq = 2",
    )
    result = _run(seeded)
    assert result.exit_code == 3, result.output
    report = _report(seeded)
    assert report["log"]["ok"] is False
    assert report["log"]["problem"]["seq"] == 2
    assert report["exit_code"] == 3
    assert _pairs(report) == seeded.expected  # the sweeps still ran
    assert seeded.checkpoint.read_text() == before  # tonight's head is not trusted
    assert "LOG BROKEN" in result.output
    assert "Broken at entry 2" in (seeded.out / f"agency-audit-{ON}.html").read_text()


def test_a_clean_database_exits_0(agency_db_url: str, tmp_path: Path) -> None:
    store = st.open(agency_db_url, clock=lambda: T0, log_key=KEY)
    try:
        store.upgrade()
        (tmp_path / "k").write_bytes(KEY)
        (tmp_path / "c.json").write_text(take_checkpoint(store, KEY).to_json())
    finally:
        store.dispose()
    args = [
        "--url",
        agency_db_url,
        "--key",
        str(tmp_path / "k"),
        "--checkpoint",
        str(tmp_path / "c.json"),
    ]
    result = CliRunner().invoke(command, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "no offences" in result.output
    assert "No offences." in next((tmp_path / "out").glob("*.html")).read_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.checkpoint.unlink(), "no checkpoint at"),
        (lambda s: s.key_file.write_bytes(b"short"), "at least 32 bytes"),
        (lambda s: s.checkpoint.write_text("{}"), "not an agency log checkpoint"),
    ],
)
def test_bad_input_exits_2_without_a_report(seeded: Seeded, change: Any, message: str) -> None:
    change(seeded)
    result = _run(seeded)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not seeded.out.exists()


def test_a_missing_database_exits_2(tmp_path: Path) -> None:
    (tmp_path / "k").write_bytes(KEY)
    args = ["--url", f"sqlite:///{tmp_path}/none.db", "--key", str(tmp_path / "k")]
    result = CliRunner().invoke(command, [*args, "--checkpoint", "c", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no SQLite database" in result.output
    assert not (tmp_path / "none.db").exists()


def test_a_missing_option_is_a_usage_error() -> None:
    assert CliRunner().invoke(command, ["--url", "sqlite:///x.db"]).exit_code == 2


def test_the_job_reports_each_step_for_the_progress_bar(seeded: Seeded) -> None:
    steps: list[tuple[str, int]] = []
    store = st.open(seeded.url)  # AGENCY_CORE_LOAD_PLUGINS names every plugin (the fixture)
    try:
        anchor = Checkpoint.read(seeded.checkpoint)
        report = run(store, key=KEY, anchor=anchor, on=ON, step=lambda *s: steps.append(s))
        sweeps = all_sweeps(store)
    finally:
        store.dispose()
    assert steps == [("log", 1 + len(sweeps)), *((s.control, 1 + len(sweeps)) for s in sweeps)]
    assert report.exit_code == 1
    assert {(f.control, i) for f in report.findings for i in f.sample} == seeded.expected

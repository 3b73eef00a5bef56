"""Set-based audit sweeps over stored data, and the ``agency audit`` command.

Violations are planted through the workflow with a lax engine (segregation and approval plugins
blocked), exactly what the sweeps exist to catch after the fact.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import click
import pytest
from click.testing import CliRunner

import agency_core.store as st
from agency_core import ApprovalRequest, Employee, Engine, Money
from agency_core.store.cli import register
from tests.store.helpers import RouteOnly, claim

LAX = Engine(
    block=["agency_core.builtin.segregation", "agency_core.builtin.approvals"],
    plugins=[RouteOnly()],
)


@pytest.fixture
def planted(staffed, clock):
    store = staffed
    with store.transaction() as tx:
        tx.employees.put(Employee("B1", "sales", {"branch_director"}))
        for rid, requester in (("R-self", "H1"), ("R-two", "E1"), ("R-dept", "E1")):
            tx.approvals.submit(claim(rid, requester=requester), key=rid)
        tx.approvals.submit(claim("R-branch"), key="R-branch")
        tx.approvals.submit(claim("R-wait"), key="R-wait")
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
        expired = tx.records.register("voucher", closed_on=date(1990, 1, 31)).number
        held = tx.records.register("voucher", closed_on=date(1990, 2, 28)).number
        tx.records.place_hold(held, "H-1", "litigation", on=date(2025, 1, 1))
        gone = tx.records.register("voucher", closed_on=date(1990, 3, 31)).number
        tx.records.place_hold(gone, "H-2", "unpaid debt", on=date(2025, 1, 1), matter="D-7")
        tx.records.register("contract", closed_on=date(2026, 1, 5), important=True)
        lent = tx.records.register("voucher", closed_on=date(2025, 1, 31)).number
        request = ApprovalRequest("LOAN", "archive_borrowing", Money("0", "CNY"), "sales", "E1")
        tx.approvals.submit(request, key="LOAN")
        tx.approvals.approve("LOAN", 0, "A1", key="LOAN-a")
        tx.records.lend(
            lent,
            "LN-1",
            "E1",
            lent_on=date(2026, 2, 1),
            due_on=date(2026, 2, 15),
            approval_id="LOAN",
        )
    with store.database.begin() as conn:  # destroyed behind the procedure's back
        conn.exec_driver_sql(
            f"UPDATE records SET destroyed_on = '2026-02-01' WHERE number = '{gone}'"
        )
    clock.advance(days=6)
    return store, {"expired": expired, "gone": gone}


def _by_control(findings):
    return {f.control: f for f in findings}


def test_each_sweep_counts_its_offences(planted):
    store, names = planted
    found = _by_control(st.run_audit(store, on=date(2026, 3, 2)))
    assert (found["SOD-01"].count, found["SOD-01"].sample) == (1, ("R-self:0",))
    assert (found["SOD-03"].count, found["SOD-03"].sample) == (1, ("PAY-1:F1",))
    assert (found["SOD-04"].count, found["SOD-04"].sample) == (1, ("R-two:M1",))
    assert (found["APR-04"].count, found["APR-04"].sample) == (1, ("R-dept:0",))
    # R-self, R-dept, R-branch wait at step 1, R-two at step 2 (finance_manager), R-wait at 0
    assert found["APR-07"].count == 5
    assert "R-wait" in found["APR-07"].sample
    assert (found["RET-02"].count, found["RET-02"].sample) == (1, (names["expired"],))
    assert (found["RET-03"].count, found["RET-03"].sample) == (1, (names["gone"],))
    assert (found["RET-06"].count, found["RET-06"].sample) == (1, ("LN-1",))
    assert found["RET-07"].count == 1


def test_a_clean_store_has_nothing_to_report(staffed):
    findings = st.run_audit(staffed)
    assert [f.control for f in findings] == [s.control for s in st.SWEEPS]
    assert all(f.count == 0 and f.sample == () for f in findings)


def test_the_deadline_is_an_option(planted):
    store, _ = planted
    from datetime import timedelta

    found = _by_control(st.run_audit(store, step_deadline=timedelta(days=7)))
    assert found["APR-07"].count == 0


def test_sweeps_run_as_sql_without_loading_rows(planted):
    store, _ = planted
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(store.database, "before_cursor_execute", seen)
    try:
        st.run_audit(store, sample=2)
    finally:
        event.remove(store.database, "before_cursor_execute", seen)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == len(st.SWEEPS)  # one query per sweep: count and sample together
    assert all("count(*) over ()" in s.lower() and "LIMIT" in s.upper() for s in selects)


def _cli():
    group = click.Group("agency")
    register(group)
    return group


def test_cli_audit_prints_a_table_and_json(planted, db):
    result = CliRunner().invoke(_cli(), ["audit", "--url", db.url, "--on", "2026-03-02"])
    assert result.exit_code == 1, result.output  # offences found
    assert "SOD-01" in result.output
    assert "R-self:0" in result.output
    result = CliRunner().invoke(_cli(), ["audit", "--url", db.url, "--json"])
    data = json.loads(result.output)
    assert {d["control"]: d["count"] for d in data}["SOD-04"] == 1


def test_cli_audit_errors_exit_2_without_traceback(tmp_path):
    result = CliRunner().invoke(_cli(), ["audit", "--url", f"sqlite:///{tmp_path}/none.db"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error:")
    assert "Traceback" not in result.output


def test_the_audit_day_is_today_in_the_firms_time_zone(staffed, clock):
    with staffed.transaction() as tx:
        card = tx.records.register("fixed_asset_card", closed_on=date(2021, 3, 1))
        tx.records.record_event(card.number, on=date(2021, 3, 1))  # due 2026-03-02
    clock.now = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 2026-03-02 00:30 in Shanghai
    found = _by_control(st.run_audit(staffed))
    assert (found["RET-02"].count, found["RET-02"].sample) == (1, (card.number,))


def test_sod04_counts_actors_and_principals_on_two_steps(staffed, clock):
    """One person on two steps, whichever side of a delegation they were on each time."""
    from sqlalchemy import insert

    from agency_core.store.models import StepActionRow

    plan = {  # request: (actor, on behalf of) per step
        "R-a": [("X", "P"), ("P", None)],  # the principal then acts themself
        "R-b": [("D", "P"), ("B", None), ("D", "Q")],  # one delegate on steps 0 and 2
        "R-c": [("A", None), ("B", "A")],  # the actor is the next step's principal
        "R-d": [("A", "P"), ("B", "Q"), ("C", None)],  # five people: fine
        "R-e": [("D1", "P"), ("B", None), ("D2", "P")],  # one principal, two delegates
    }
    with staffed.transaction() as tx:
        for rid in plan:
            tx.approvals.submit(claim(rid), key=rid)
    rows = [
        {
            "request_id": rid,
            "step": step,
            "actor": actor,
            "on_behalf_of": principal,
            "verdict": "approve",
            "reason": "",
            "at": clock.now,
            "key": f"{rid}-{step}",
        }
        for rid, actions in plan.items()
        for step, (actor, principal) in enumerate(actions)
    ]
    with staffed.database.begin() as conn:
        conn.execute(insert(StepActionRow), rows)
    found = _by_control(st.run_audit(staffed, sample=10))["SOD-04"]
    assert found.sample == ("R-a:P", "R-b:D", "R-c:A", "R-e:P")
    assert found.count == 4


def test_revisions_0007_and_0008_add_and_drop_the_sweep_indexes(db):
    import sqlalchemy as sa
    from alembic import command

    from agency_core.store.migrate import alembic_config

    def indexes(store):
        with store.database.connect() as conn:
            inspector = sa.inspect(conn)
            return {
                ix["name"]
                for table in ("step_actions", "route_steps", "approval_requests")
                for ix in inspector.get_indexes(table)
                if ix["name"].endswith("_sweep")
            }

    def downgrade(store, revision):
        config = alembic_config()
        with store.database.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

    by_0007 = {"ix_step_actions_sweep", "ix_route_steps_sweep", "ix_approval_requests_sweep"}
    store = st.open(db.url)
    try:
        store.upgrade()
        assert indexes(store) == by_0007 | {"ix_approval_requests_requester_sweep"}
        downgrade(store, "0007")
        assert indexes(store) == by_0007
        downgrade(store, "0006")
        assert indexes(store) == set()
        store.upgrade()
        assert len(indexes(store)) == 4
    finally:
        store.dispose()


def _act(store, clock, plan):
    """Store ``plan`` (request: [(step, actor, on behalf of, verdict)]) as raw step actions."""
    from sqlalchemy import insert

    from agency_core.store.models import StepActionRow

    rows = [
        {
            "request_id": rid,
            "step": step,
            "actor": actor,
            "on_behalf_of": principal,
            "verdict": verdict,
            "reason": "",
            "at": clock.now,
            "key": f"{rid}-{step}",
        }
        for rid, actions in plan.items()
        for step, actor, principal, verdict in actions
    ]
    with store.database.begin() as conn:
        conn.execute(insert(StepActionRow), rows)


def test_sod01_finds_the_requester_on_either_side_of_a_delegation(staffed, clock):
    """Only approvals count; the requester as actor or as principal; other people's requests."""
    requesters = {"R-own": "H1", "R-for": "H1", "R-no": "H1", "R-other": "E1", "R-out": "X9"}
    with staffed.transaction() as tx:
        for rid, requester in requesters.items():
            tx.approvals.submit(claim(rid, requester=requester), key=rid)
    _act(
        staffed,
        clock,
        {
            "R-own": [(0, "H2", None, "approve"), (1, "H1", None, "approve")],  # offends, step 1
            "R-for": [(0, "D1", "H1", "approve")],  # a delegate of the requester: offends
            "R-no": [(0, "H1", None, "reject")],  # the requester rejects: no offence
            "R-other": [(0, "H1", "E1", "approve")],  # H1 approves, but E1's request, for E1
            "R-out": [(0, "H2", "H1", "approve")],  # X9 never acted: no offence
        },
    )
    found = _by_control(st.run_audit(staffed, sample=10))["SOD-01"]
    assert found.sample == ("R-for:0", "R-other:0", "R-own:1")
    assert found.count == 3


def test_apr04_judges_the_principal_by_role_inheritance_and_department(staffed, clock):
    """The holder is the principal when there is one; roles include inherited ones; only a
    department step asks for the request's department; a step not on the route is not judged."""
    with staffed.transaction() as tx:
        tx.employees.put(Employee("B1", "sales", {"branch_director"}))  # includes dept_head
        tx.employees.put(Employee("B2", "ops", {"branch_director"}))
        for rid in ("R-1", "R-2", "R-3", "R-4", "R-5", "R-6"):
            tx.approvals.submit(claim(rid), key=rid)  # sales: dept_head, reviewer, manager
    _act(
        staffed,
        clock,
        {
            "R-1": [
                (0, "B1", None, "approve"),  # inherits dept_head, of sales: fine
                (1, "M1", None, "approve"),  # a sales head as finance reviewer (company): fine
                (2, "F1", None, "approve"),  # fine
            ],
            "R-2": [
                (0, "E1", "H1", "approve"),  # for the sales head: fine
                (1, "V1", "E1", "approve"),  # the reviewer acting for a requester: offends
                (7, "HX", None, "approve"),  # no route step 7: not judged
            ],
            "R-3": [(0, "H1", "HX", "approve")],  # for the ops head: another department
            "R-4": [(0, "B2", None, "approve")],  # inherits dept_head, but of ops
            "R-5": [(0, "ZZ", None, "approve"), (1, "F2", None, "approve")],  # no one; no role
            "R-6": [(0, "H2", None, "reject"), (2, "F1", "G1", "approve")],  # rejections count
        },
    )
    found = _by_control(st.run_audit(staffed, sample=10))["APR-04"]
    assert found.sample == ("R-2:1", "R-3:0", "R-4:0", "R-5:0", "R-5:1", "R-6:2")
    assert found.count == 6


def _statements(store, sweeps):
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, *args):
        seen.append((" ".join(statement.split()), parameters))

    event.listen(store.database, "before_cursor_execute", record)
    try:
        st.run_audit(store, sweeps=sweeps)
    finally:
        event.remove(store.database, "before_cursor_execute", record)
    return seen


def _sqlite_plan(store, control):
    if store.dialect != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    (sweep,) = [s for s in st.SWEEPS if s.control == control]
    ((query, parameters),) = [s for s in _statements(store, [sweep]) if s[0].startswith("WITH")]
    with store.database.connect() as conn:
        return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query, parameters)]


def test_sod01_searches_the_requests_of_people_who_acted(planted):
    """SOD-01 reads the requester index for each person who acted (few), not every action."""
    store, _ = planted
    plan = _sqlite_plan(store, "SOD-01")
    by_requester = "approval_requests USING COVERING INDEX ix_approval_requests_requester_sweep"
    assert any(by_requester in p for p in plan), plan
    assert not any(p.startswith("SCAN step_actions") for p in plan), plan


def test_apr04_reads_covering_indexes_on_sqlite_without_statistics(planted):
    """No ANALYZE: SQLite would look requests and route steps up by their primary keys and read
    each row too; the sweep scans the requests' covering index and searches the route steps'."""
    store, _ = planted
    plan = _sqlite_plan(store, "APR-04")
    assert "SCAN approval_requests USING COVERING INDEX ix_approval_requests_sweep" in plan, plan
    assert any("route_steps USING COVERING INDEX ix_route_steps_sweep" in p for p in plan), plan


def test_big_joins_run_as_merge_joins_on_postgresql(planted):
    """APR-04 and SOD-04 turn hash joins off for their own query only, then reset it."""
    store, _ = planted
    statements = [s for s, _ in _statements(store, st.SWEEPS)]
    settings = [s for s in statements if s.startswith(("SET LOCAL enable", "RESET"))]
    if store.dialect == "sqlite":
        assert settings == []
        return
    assert settings == ["SET LOCAL enable_hashjoin = off", "RESET enable_hashjoin"] * 2
    queries = [s for s in statements if s.startswith(("SET LOCAL enable", "RESET", "WITH"))]
    sod04 = queries.index("SET LOCAL enable_hashjoin = off")
    assert "two_steps" in queries[sod04 + 1]
    assert queries[sod04 + 2] == "RESET enable_hashjoin"
    assert "route_steps" in queries[sod04 + 4]  # APR-04, after the reset and the setting


def test_planner_settings_are_words_only():
    """They are spliced into SET LOCAL: anything but a lower-case word is refused."""
    with pytest.raises(ValueError, match="lower-case words"):
        st.Sweep("X-1", "bad", lambda _opts: None, (("work_mem", "1GB; DROP TABLE x"),))
    assert st.Sweep("X-1", "ok", lambda _opts: None, (("enable_nestloop", "off"),)).postgresql

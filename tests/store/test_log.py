"""The decision log: appended with the state it records, hash-chained, verified as a stream."""

from __future__ import annotations

import json
from datetime import timedelta, timezone

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import agency_core.store as st
from agency_core import Delegation, Engine
from agency_core.store.canonical import canonical
from agency_core.store.cli import register
from agency_core.store.log import GENESIS, PendingEntry, chain_hash, entry_body, entry_text
from tests.store.helpers import T0, claim, tamper


@pytest.fixture
def logged(staffed):
    log = st.DecisionLog(staffed, batch_size=3)
    staffed.use(Engine(plugins=[log]))
    return staffed, log


def _entries(store):
    """The log's entries, their actor resolved through the salt table (the log keeps pseudonyms)."""
    with store.database.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT seq, kind, outcome, person FROM decision_log"
            " LEFT JOIN log_persons ON pseudonym = actor ORDER BY seq"
        ).all()


def _who(store, pseudonym):
    with store.database.connect() as conn:
        query = sa.text("SELECT person FROM log_persons WHERE pseudonym = :p")
        return conn.execute(query, {"p": pseudonym}).scalar()


def test_decisions_commit_with_the_state_they_record(logged):
    store, _log = logged
    with store.transaction() as tx:
        tx.approvals.submit(claim(), key="s")
        tx.approvals.approve("R1", 0, "H1", key="a0")
    assert _entries(store) == [
        (1, "approval", "needs_approval", "E1"),
        (2, "step", "allow", "H1"),
    ]
    assert st.verify_log(store).ok


def test_a_rolled_back_change_drops_its_decisions_but_keeps_refusals(logged):
    store, _log = logged
    with store.transaction() as tx:
        tx.approvals.submit(claim(), key="s")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction() as tx:  # noqa: PT012
        tx.approvals.approve("R1", 0, "H1", key="a0")
        raise Boom
    with pytest.raises(st.Refused), store.transaction() as tx:
        tx.approvals.approve("R1", 0, "E1", key="self")
    entries = _entries(store)
    assert [(e.kind, e.outcome, e.person) for e in entries] == [
        ("approval", "needs_approval", "E1"),
        ("step", "deny", "E1"),
    ]
    assert st.verify_log(store).ok


def test_a_failed_append_rolls_back_the_state_change(logged, monkeypatch):
    store, _log = logged
    with store.transaction() as tx:
        tx.approvals.submit(claim(), key="s")

    def broken(self, entries):
        raise st.StoreError("disk full")

    monkeypatch.setattr(st.log.LogRepository, "append", broken)
    with pytest.raises(st.StoreError), store.transaction() as tx:
        tx.approvals.approve("R1", 0, "H1", key="a0")
    monkeypatch.undo()
    with store.transaction() as tx:
        assert tx.approvals.get("R1").history == ()


def test_decisions_outside_a_transaction_are_batched(logged):
    store, log = logged
    for n in range(2):
        store.engine.route_approval(claim(f"X{n}"))
    assert log.buffered == 2
    assert _entries(store) == []
    store.engine.route_approval(claim("X2"))  # the third fills the batch
    assert log.buffered == 3
    assert _entries(store) == []
    store.engine.route_approval(claim("X3"))  # finds it full: the batch is appended first
    assert log.buffered == 1
    assert len(_entries(store)) == 3
    assert log.flush() == 1
    assert len(_entries(store)) == 4


def test_each_hash_chains_from_the_previous_one(logged):
    store, log = logged
    for n in range(4):
        store.engine.route_approval(claim(f"X{n}"))
    log.flush()
    table = st.log.LogEntryRow.__table__
    with store.database.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(table.c.seq)).all()
    prev = GENESIS
    for row in rows:
        assert row.prev_hash == prev
        findings = json.loads(row.body)["findings"]
        assert row.body.encode() == canonical(entry_body(row.seq, _Row(row._asdict(), findings)))
        assert row.hash == chain_hash(prev, entry_body(row.seq, _Row(row._asdict(), findings)))
        prev = row.hash
    assert st.verify_log(store) == st.LogReport(4, prev)


def _filled(logged, n=6):
    store, log = logged
    for i in range(n):
        store.engine.route_approval(claim(f"X{i}"))
    log.flush()
    return store


def _sql(store, statement):
    tamper(store, statement)


def test_verify_names_an_altered_entry(logged):
    store = _filled(logged)
    _sql(store, "UPDATE decision_log SET outcome = 'allow' WHERE seq = 3")
    problem = st.verify_log(store, chunk=2).problem
    assert (problem.seq, problem.kind) == (3, "altered")


def test_verify_names_a_rehashed_alteration(logged):
    store = _filled(logged)
    flipped = "CASE WHEN substr(hash, 1, 1) = 'f' THEN '0' ELSE 'f' END || substr(hash, 2)"
    _sql(store, f"UPDATE decision_log SET hash = {flipped} WHERE seq = 4")  # always a change
    problem = st.verify_log(store).problem
    assert (problem.seq, problem.kind) == (4, "altered")


def test_verify_names_a_removed_entry(logged):
    store = _filled(logged)
    _sql(store, "DELETE FROM decision_log WHERE seq = 2")
    problem = st.verify_log(store).problem
    assert (problem.seq, problem.kind) == (2, "removed")


def test_verify_names_entries_removed_from_the_end(logged):
    store = _filled(logged)
    _sql(store, "DELETE FROM decision_log WHERE seq >= 5")
    problem = st.verify_log(store).problem
    assert (problem.seq, problem.kind) == (5, "removed")


def test_verify_names_an_inserted_entry(logged):
    store = _filled(logged)
    # Make room at 3 by renumbering 3..6 to 4..7, then insert a forged entry 3 chained from 2.
    _sql(store, "UPDATE decision_log SET seq = seq + 100 WHERE seq >= 3")
    _sql(store, "UPDATE decision_log SET seq = seq - 99 WHERE seq >= 100")
    table = st.log.LogEntryRow.__table__
    with store.database.connect() as conn:
        two = conn.execute(sa.select(table).where(table.c.seq == 2)).one()
    forged = {**two._asdict(), "seq": 3, "outcome": "allow", "prev_hash": two.hash}
    entry = _Row(forged, json.loads(two.body)["findings"])
    forged["body"] = canonical(entry_body(3, entry)).decode()
    forged["hash"] = chain_hash(two.hash, entry_body(3, entry))
    with store.database.begin() as conn:
        conn.execute(table.insert().values(**forged))
    problem = st.verify_log(store).problem
    assert (problem.seq, problem.kind) == (3, "inserted")


class _Row:
    def __init__(self, data, findings):
        self.__dict__.update(data)
        self.findings = findings


def test_cli_log_verify(logged, db):
    store = _filled(logged, 3)
    group = click.Group("agency")
    register(group)
    ok = CliRunner().invoke(group, ["log", "verify", "--url", db.url])
    assert ok.exit_code == 0, ok.output
    assert "ok: 3 entries" in ok.output
    _sql(store, "UPDATE decision_log SET actor = 'X' WHERE seq = 2")
    broken = CliRunner().invoke(group, ["log", "verify", "--url", db.url, "--json"])
    assert broken.exit_code == 1
    assert '"seq": 2' in broken.output
    assert '"altered"' in broken.output


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("outcome", "'allow'"),
        ("actor", "'H2'"),
        ("actor", "NULL"),
        ("kind", "'step'"),
        ("digest", "'" + "0" * 64 + "'"),
        ("policy_version", "'v9'"),
        ("policy_sha256", "'" + "f" * 64 + "'"),
        ("at", "'2020-01-01 00:00:00.000000'"),
    ],
)
def test_verify_names_an_entry_whose_column_disagrees_with_its_body(logged, column, value):
    """The body is hashed; a column rewritten behind the log's back no longer matches it."""
    store = _filled(logged)
    _sql(store, f"UPDATE decision_log SET {column} = {value} WHERE seq = 4")
    report = st.verify_log(store, chunk=2)
    assert (report.problem.seq, report.problem.kind) == (4, "altered")
    assert report.entries == 3


def test_verify_names_a_rewritten_body(logged):
    store = _filled(logged)
    _sql(store, "UPDATE decision_log SET body = replace(body, 'APR-01', 'APR-02') WHERE seq = 5")
    problem = st.verify_log(store).problem
    assert (problem.seq, problem.kind) == (5, "altered")


def test_verify_names_a_timestamp_rewritten_as_the_same_instant_in_another_form(logged, db):
    store = _filled(logged)
    if db.backend == "sqlite":  # SQLAlchemy reads this as midnight: it must not pass
        _sql(store, "UPDATE decision_log SET at = replace(at, ' ', 'T') WHERE seq = 2")
        problem = st.verify_log(store).problem
        assert (problem.seq, problem.kind) == (2, "altered")
    else:  # the same instant in another zone is the same timestamptz: nothing changed
        _sql(store, "UPDATE decision_log SET at = at AT TIME ZONE 'UTC' AT TIME ZONE 'UTC'")
        assert st.verify_log(store).ok


def test_the_stored_body_is_the_canonical_json_of_the_entry():
    zone = timezone(timedelta(hours=8))
    findings = [
        {"control": "APR-01", "facts": {"q": 'say "hi"\\', "n": 1, "ok": True, "none": None}},
        {"control": "SOD-01", "message": {"zh-CN": "审批人\n不能是申请人", "en": "tab\there"}},
    ]
    for actor in ("E1", None, 'we"ird\\', "张三"):
        entry = PendingEntry(
            at=T0.astimezone(zone),
            kind="approval",
            digest="ab" * 32,
            outcome="needs_approval",
            actor=actor,
            policy_version='2026.1 "β"',
            policy_sha256="cd" * 32,
            findings=findings,
        )
        text = entry_text(17, entry)
        assert text.encode() == canonical(entry_body(17, entry))
        assert json.loads(text)["actor"] == actor


def test_a_shared_decision_is_serialised_once(staffed, monkeypatch):
    log = st.DecisionLog(staffed, batch_size=1000)
    engine = Engine(plugins=[log])
    calls = []
    real = st.log.canonical_text

    def counting(value):
        calls.append(value)
        return real(value)

    monkeypatch.setattr(st.log, "canonical_text", counting)
    engine.decide_many([claim(f"X{n}") for n in range(50)])
    assert len(calls) == 1  # 50 requests on one route share one decision
    log.flush()
    assert st.verify_log(staffed).entries == 50


def test_a_step_taken_by_a_delegate_logs_the_delegate_and_the_principal(logged):
    store, _log = logged
    with store.transaction() as tx:
        tx.approvals.submit(claim(), key="s")
        tx.delegations.add(Delegation("H1", "D1", T0, T0 + timedelta(days=3), "H1 on leave"))
        tx.approvals.approve("R1", 0, "D1", key="d0", on_behalf_of="H1")
        tx.approvals.approve("R1", 1, "V1", key="v1")
    with store.database.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT actor, body FROM decision_log WHERE kind = 'step' ORDER BY seq"
        ).all()
    (delegated, actor_body), (own, own_body) = rows
    assert _who(store, delegated) == "D1"
    principal = json.loads(actor_body)["in_place_of"]
    assert _who(store, principal) == "H1"  # APR-06: both names (as pseudonyms), in the hash
    assert _who(store, own) == "V1"
    assert "in_place_of" not in json.loads(own_body)
    assert st.verify_log(store).ok
    forged = actor_body.replace(f'"in_place_of":"{principal}"', f'"in_place_of":"{"0" * 64}"')
    assert forged != actor_body
    _sql(store, f"UPDATE decision_log SET body = '{forged}' WHERE actor = '{delegated}'")
    assert st.verify_log(store).problem.kind == "altered"


def test_the_body_of_a_delegated_step_is_canonical_json():
    entry = PendingEntry(
        at=T0,
        kind="step",
        digest="ab" * 32,
        outcome="allow",
        actor="D1",
        policy_version="2026.11",
        policy_sha256="cd" * 32,
        findings=[],
        in_place_of='H"1',
    )
    text = entry_text(5, entry)
    assert text.encode() == canonical(entry_body(5, entry))
    assert json.loads(text)["in_place_of"] == 'H"1'

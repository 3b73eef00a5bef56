"""The decision log: appended with the state it records, hash-chained, verified as a stream."""

from __future__ import annotations

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import agency_core.store as st
from agency_core import Engine
from agency_core.store.cli import register
from agency_core.store.log import GENESIS, chain_hash, entry_body
from tests.store.helpers import claim


@pytest.fixture
def logged(staffed):
    log = st.DecisionLog(staffed, batch_size=3)
    staffed.use(Engine(plugins=[log]))
    return staffed, log


def _entries(store):
    with store.database.connect() as conn:
        return conn.exec_driver_sql("SELECT seq, kind, outcome, actor FROM decision_log").all()


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
    assert [(e.kind, e.outcome, e.actor) for e in entries] == [
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
    assert log.buffered == 0
    assert len(_entries(store)) == 3
    store.engine.route_approval(claim("X3"))
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
        assert row.hash == chain_hash(prev, entry_body(row.seq, row))
        prev = row.hash
    assert st.verify_log(store) == st.LogReport(4, prev)


def _filled(logged, n=6):
    store, log = logged
    for i in range(n):
        store.engine.route_approval(claim(f"X{i}"))
    log.flush()
    return store


def _sql(store, statement):
    with store.database.begin() as conn:
        conn.exec_driver_sql(statement)


def test_verify_names_an_altered_entry(logged):
    store = _filled(logged)
    _sql(store, "UPDATE decision_log SET outcome = 'allow' WHERE seq = 3")
    problem = st.verify_log(store, chunk=2).problem
    assert (problem.seq, problem.kind) == (3, "altered")


def test_verify_names_a_rehashed_alteration(logged):
    store = _filled(logged)
    _sql(store, "UPDATE decision_log SET hash = 'f' || substr(hash, 2) WHERE seq = 4")
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
    forged["hash"] = chain_hash(two.hash, entry_body(3, _Row(forged)))
    with store.database.begin() as conn:
        conn.execute(table.insert().values(**forged))
    problem = st.verify_log(store).problem
    assert (problem.seq, problem.kind) == (3, "inserted")


class _Row:
    def __init__(self, data):
        self.__dict__.update(data)


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

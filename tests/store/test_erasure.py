"""Personal data in the log: people kept as salted pseudonyms; erasing one keeps the chain whole."""

from __future__ import annotations

import json
from datetime import timedelta

import click
import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

import agency_core.store as st
from agency_core import Delegation, Employee, Engine
from agency_core.store.cli import register
from agency_core.store.log import GENESIS, PendingEntry, chain_hash, entry_text
from agency_core.store.migrate import alembic_config
from agency_core.store.persons import entries_of, erase_person, pseudonymised
from agency_core.store.types import UTCDateTime
from tests.store.helpers import STAFF, T0, claim

KEY = bytes(range(32))
PERSON = "ZhangSan-4207"
"""A distinctive id, so a search of raw bytes finds nothing by chance."""
LOG_TABLES = ("decision_log", "decision_log_head", "log_persons")


def _cli(*args: str) -> click.testing.Result:
    group = click.Group("agency")
    register(group)
    return CliRunner().invoke(group, list(args))


def _raw(store: st.Store) -> str:
    """Every value of every column of the log's tables, as text."""
    seen = []
    with store.database.connect() as conn:
        for table in LOG_TABLES:
            for row in conn.exec_driver_sql(f"SELECT * FROM {table}"):
                seen.extend(str(value) for value in row)
    return "\n".join(seen)


def _activity(store: st.Store) -> None:
    """PERSON requests (actor), is refused approving their own request (named in a finding's
    facts and messages), and is the principal a delegate acts for (in_place_of)."""
    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
        tx.employees.put(Employee(PERSON, "sales", {"dept_head"}, "Zhang San"))
        tx.approvals.submit(claim("R1", requester=PERSON), key="s1")
        tx.approvals.submit(claim("R2"), key="s2")
        tx.delegations.add(Delegation(PERSON, "D1", T0, T0 + timedelta(days=3), "on leave"))
    with pytest.raises(st.Refused), store.transaction() as tx:
        tx.approvals.approve("R1", 0, PERSON, key="self")  # SOD-01 names PERSON
    with store.transaction() as tx:
        tx.approvals.approve("R2", 0, "D1", key="d0", on_behalf_of=PERSON)
        tx.approvals.approve("R1", 0, "H1", key="h0")


@pytest.fixture
def keyed(db, clock):
    store = st.open(db.url, clock=clock, log_key=KEY)
    store.upgrade()
    store.use(Engine(plugins=[st.DecisionLog(store)]))
    yield store
    store.dispose()


def test_the_log_names_people_by_pseudonym_only(keyed):
    _activity(keyed)
    raw = _raw(keyed).replace(PERSON, "", 1)  # once: the salt row itself
    assert PERSON not in raw
    with keyed.database.connect() as conn:
        bodies = conn.exec_driver_sql("SELECT body FROM decision_log ORDER BY seq").scalars()
        refused = next(json.loads(b) for b in bodies if '"SOD-01"' in b)
    sod = next(f for f in refused["findings"] if f["control"] == "SOD-01")
    name = sod["facts"]["person"]
    assert len(name) == 64
    assert name == refused["actor"]
    assert name in sod["message"]["en"]
    assert name in sod["message"]["zh-CN"]


def test_erasure_unlinks_a_person_and_the_log_still_verifies(keyed):
    _activity(keyed)
    checkpoint = st.log.take_checkpoint(keyed, KEY)
    mine = entries_of(keyed, PERSON)
    # their request, the refused step (actor and finding), the delegated step (in_place_of)
    assert len(mine) == 3
    others = entries_of(keyed, "H1")
    assert others
    assert not set(others) & set(mine)

    erasure = erase_person(keyed, PERSON)

    assert erasure == st.Erasure(PERSON, True, 3, 0)
    assert st.verify_log(keyed, key=KEY, checkpoints=[checkpoint]).ok
    assert entries_of(keyed, PERSON) == ()
    assert PERSON not in _raw(keyed)
    assert entries_of(keyed, "H1") == others  # nobody else is touched
    assert erase_person(keyed, PERSON) == st.Erasure(PERSON, False, 0, 0)
    # acting again: a new salt, unlinkable to the erased entries
    with keyed.transaction() as tx:
        tx.approvals.submit(claim("R3", requester=PERSON), key="s3")
    assert entries_of(keyed, PERSON) == (max(others + mine) + 1,)


def test_the_cli_erases_and_reports(keyed, db):
    _activity(keyed)
    done = _cli("log", "erase", "--url", db.url, "--person", PERSON, "--format", "json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {
        "person": PERSON,
        "erased": True,
        "entries": 3,
        "kept_clear": 0,
    }
    again = _cli("log", "erase", "--url", db.url, "--person", PERSON)
    assert again.exit_code == 0
    assert "no salt" in again.output
    assert _cli("log", "verify", "--url", db.url).exit_code == 0
    bad = _cli("log", "erase", "--url", db.url, "--person", "x" * 65, "--format", "json")
    assert bad.exit_code == 2
    assert "errors" in json.loads(bad.output)


def test_an_id_inside_a_longer_word_is_not_taken_for_a_person():
    entry = PendingEntry(
        T0,
        "step",
        "d" * 64,
        "deny",
        "H1",
        "v",
        "s" * 64,
        [{"facts": {"person": "H1", "request": "R-H1"}, "message": {"en": "H1, H10, R-H1: H1."}}],
    )
    named = pseudonymised(entry, {"H1": "p" * 64})
    finding = named.findings[0]
    assert named.actor == "p" * 64
    assert finding["facts"] == {"person": "p" * 64, "request": "R-H1"}
    assert finding["message"]["en"] == f"{'p' * 64}, H10, R-H1: {'p' * 64}."
    assert json.loads(entry_text(1, named))["findings"] == [finding]


OLD = sa.table(
    "decision_log",
    *(
        sa.column(name, sa.String())
        for name in ("kind", "digest", "outcome", "actor", "policy_version", "policy_sha256")
    ),
    *(sa.column(name, sa.String()) for name in ("plugins_sha256", "body", "prev_hash", "hash")),
    sa.column("seq", sa.BigInteger()),
    sa.column("at", UTCDateTime()),
)


def test_entries_logged_before_0006_keep_clear_ids_and_still_verify(db):
    """A log written before the upgrade (bodies as the old code wrote them) verifies after it,
    and goes on with pseudonyms; erasure counts the old entries that still name the person."""
    store = st.open(db.url)
    try:
        config = alembic_config()
        with store.database.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0005")
        prev, rows = GENESIS, []
        for seq, actor in enumerate((PERSON, "H1"), start=1):
            entry = PendingEntry(T0, "approval", "d" * 64, "allow", actor, "v", "s" * 64, [])
            body = entry_text(seq, entry)
            current = chain_hash(prev, json.loads(body))
            row = {k: getattr(entry, k) for k in ("at", "kind", "digest", "outcome", "actor")}
            row |= {"policy_version": "v", "policy_sha256": "s" * 64, "plugins_sha256": ""}
            rows.append(row | {"seq": seq, "body": body, "prev_hash": prev, "hash": current})
            prev = current
        with store.database.begin() as conn:
            conn.execute(OLD.insert(), rows)
            conn.exec_driver_sql(f"UPDATE decision_log_head SET seq = 2, hash = '{prev}'")
        store.upgrade()  # `agency db upgrade`
        assert st.verify_log(store) == st.LogReport(2, prev)
        store.use(Engine(plugins=[st.DecisionLog(store)]))
        with store.transaction() as tx:
            for person in STAFF:
                tx.employees.put(person)
            tx.employees.put(Employee(PERSON, "sales", (), "Zhang San"))
            tx.approvals.submit(claim("R1", requester=PERSON), key="s1")
        assert entries_of(store, PERSON) == (1, 3)
        assert erase_person(store, PERSON) == st.Erasure(PERSON, True, 1, 1)
        assert entries_of(store, PERSON) == (1,)  # the old entry keeps its clear id
        assert st.verify_log(store).ok
    finally:
        store.dispose()


def test_0006_downgrades_and_upgrades(db):
    store = st.open(db.url)
    try:
        store.upgrade()
        config = alembic_config()
        with store.database.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        assert "log_persons" not in sa.inspect(store.database).get_table_names()
        store.upgrade()
        assert "log_persons" in sa.inspect(store.database).get_table_names()
    finally:
        store.dispose()

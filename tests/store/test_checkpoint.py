"""Signed checkpoints and the log's guards: seven attacks by someone with database access."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

import agency_core.store as st
from agency_core import Engine
from agency_core.cli import main
from agency_core.errors import InvalidInput
from agency_core.store.checkpoint import Checkpoint, head_mac, load_key
from agency_core.store.log import (
    GENESIS,
    PendingEntry,
    entry_text,
    sign_head,
    take_checkpoint,
)
from agency_core.store.migrate import alembic_config
from tests.store.helpers import T0, claim, tamper

KEY = bytes(range(32))


@pytest.fixture
def keyed(db, clock):
    store = st.open(db.url, clock=clock, log_key=KEY)
    store.upgrade()
    log = st.DecisionLog(store, batch_size=100)
    store.use(Engine(plugins=[log]))
    yield store, log
    store.dispose()


def _decide(keyed, first: int, last: int) -> None:
    store, log = keyed
    for n in range(first, last + 1):
        store.engine.route_approval(claim(f"X{n}"))
    log.flush()


def _head(store):
    with store.database.connect() as conn:
        return conn.exec_driver_sql("SELECT seq, hash, mac FROM decision_log_head").one()


def _forge(store, seq: int, prev: str) -> str:
    """Append a forged entry ``seq`` chained from ``prev`` (correct hash, no key); its hash."""
    import hashlib

    entry = PendingEntry(T0, "approval", "d" * 64, "allow", "E1", "v", "s" * 64, [])
    body = entry_text(seq, entry)
    hash_ = hashlib.sha256((prev + body).encode()).hexdigest()
    at = "2026-03-02 09:00:00.000000" if store.dialect == "sqlite" else "2026-03-02T09:00:00Z"
    tamper(
        store,
        "INSERT INTO decision_log (seq, at, kind, digest, outcome, actor, policy_version, "
        f"policy_sha256, body, prev_hash, hash) VALUES ({seq}, '{at}', 'approval', '{'d' * 64}', "
        f"'allow', 'E1', 'v', '{'s' * 64}', '{body}', '{prev}', '{hash_}')",
        f"UPDATE decision_log_head SET seq = {seq}, hash = '{hash_}'",
    )
    return hash_


def _problem(store, *checkpoints, key=KEY):
    problem = st.verify_log(store, key=key, checkpoints=checkpoints).problem
    assert problem is not None
    return problem.kind, problem.seq


def test_the_head_is_signed_and_a_checkpoint_verifies(keyed):
    store, _log = keyed
    _decide(keyed, 1, 4)
    seq, hash_, mac = _head(store)
    assert (seq, mac) == (4, head_mac(KEY, 4, hash_))
    checkpoint = take_checkpoint(store, KEY)
    assert (checkpoint.seq, checkpoint.hash) == (4, hash_)
    assert Checkpoint.from_json(checkpoint.to_json()) == checkpoint
    _decide(keyed, 5, 6)
    assert st.verify_log(store, key=KEY, checkpoints=[checkpoint]).ok


def test_attack_1_a_forged_entry_appended_with_the_head_advanced(keyed):
    store, _log = keyed
    _decide(keyed, 1, 3)
    checkpoint = take_checkpoint(store, KEY)
    _forge(store, 4, _head(store).hash)
    assert st.verify_log(store).ok  # the chain alone cannot tell
    assert _problem(store, checkpoint) == ("forged", 4)
    with pytest.raises(st.StoreError, match="not signed"):
        _decide(keyed, 10, 10)  # the store refuses to extend a forged head


def test_attack_2_the_tail_truncated_and_an_old_signed_head_put_back(keyed):
    store, _log = keyed
    _decide(keyed, 1, 3)
    old = _head(store)
    _decide(keyed, 4, 6)
    checkpoint = take_checkpoint(store, KEY)
    tamper(
        store,
        "DELETE FROM decision_log WHERE seq > 3",
        f"UPDATE decision_log_head SET seq = 3, hash = '{old.hash}', mac = '{old.mac}'",
    )
    assert st.verify_log(store, key=KEY).ok  # a replayed head is validly signed
    assert _problem(store, checkpoint) == ("truncated", 4)


def test_attack_3_the_head_row_deleted(keyed):
    store, _log = keyed
    _decide(keyed, 1, 3)
    tamper(store, "DELETE FROM decision_log_head")
    problem = st.verify_log(store).problem  # never a pass, key or not
    assert (problem.kind, problem.seq) == ("removed", 4)
    assert _problem(store) == ("removed", 4)


def test_attack_4_everything_deleted_and_a_shorter_chain_rebuilt(keyed):
    store, _log = keyed
    _decide(keyed, 1, 3)
    first = take_checkpoint(store, KEY)
    _decide(keyed, 4, 6)
    second = take_checkpoint(store, KEY)
    tamper(
        store,
        "DELETE FROM decision_log",
        f"UPDATE decision_log_head SET seq = 0, hash = '{GENESIS}', mac = NULL",
    )
    _decide(keyed, 100, 104)  # the application signs the new, shorter chain
    assert st.verify_log(store, key=KEY).ok
    assert _problem(store, second) == ("truncated", 6)
    assert _problem(store, first, second) == ("rewritten", 1)


def test_attack_5_the_chain_rewritten_from_an_entry_on(keyed):
    store, _log = keyed
    _decide(keyed, 1, 3)
    at_3 = _head(store)
    first = take_checkpoint(store, KEY)
    _decide(keyed, 4, 6)
    second = take_checkpoint(store, KEY)
    tamper(
        store,
        "DELETE FROM decision_log WHERE seq > 3",
        f"UPDATE decision_log_head SET seq = 3, hash = '{at_3.hash}', mac = '{at_3.mac}'",
    )
    _decide(keyed, 200, 202)  # three other entries 4..6, signed by the application
    assert st.verify_log(store, key=KEY).ok
    assert _problem(store, first, second) == ("rewritten", 4)


def test_attack_6_a_checkpoint_edited_or_signed_with_another_key(keyed):
    store, _log = keyed
    _decide(keyed, 1, 3)
    checkpoint = take_checkpoint(store, KEY)
    edited = Checkpoint(2, checkpoint.hash, checkpoint.at, checkpoint.mac)
    assert _problem(store, edited) == ("forged", 2)
    other = Checkpoint.sign(b"x" * 32, 3, checkpoint.hash, checkpoint.at)
    assert _problem(store, other) == ("forged", 3)


def test_attack_7_entries_rewritten_and_rehashed_without_the_key(keyed):
    store, _log = keyed
    _decide(keyed, 1, 3)
    checkpoint = take_checkpoint(store, KEY)
    _decide(keyed, 4, 5)
    tamper(store, "DELETE FROM decision_log WHERE seq = 5")
    with store.database.connect() as conn:
        prev = conn.exec_driver_sql("SELECT hash FROM decision_log WHERE seq = 4").scalar()
    _forge(store, 5, prev)
    assert st.verify_log(store).ok
    assert _problem(store, checkpoint) == ("forged", 4)


def test_the_database_refuses_edits_to_the_log(keyed):
    store, _log = keyed
    _decide(keyed, 1, 2)
    edits = [
        "UPDATE decision_log SET outcome = 'allow'",
        "DELETE FROM decision_log WHERE seq = 1",
        "DELETE FROM decision_log_head",
    ]
    if store.dialect == "postgresql":
        edits += ["TRUNCATE decision_log", "TRUNCATE decision_log_head CASCADE"]
    for statement in edits:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.database.begin() as c:
            c.exec_driver_sql(statement)
    assert st.verify_log(store, key=KEY).ok


def test_downgrade_removes_the_guards(keyed):
    store, _log = keyed
    _decide(keyed, 1, 2)
    config = alembic_config()
    with store.database.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with store.database.begin() as conn:
        conn.exec_driver_sql("UPDATE decision_log SET outcome = 'deny' WHERE seq = 1")
        assert "mac" not in {c["name"] for c in sa.inspect(conn).get_columns("decision_log_head")}
    store.upgrade()


def test_adopting_a_key_signs_an_existing_head(db, clock):
    plain = st.open(db.url, clock=clock)
    plain.upgrade()
    log = st.DecisionLog(plain)
    plain.use(Engine(plugins=[log]))
    _decide((plain, log), 1, 2)
    assert _problem(plain) == ("forged", 1)
    assert sign_head(plain, KEY).ok
    assert st.verify_log(plain, key=KEY).ok
    plain.dispose()


def test_keys_and_checkpoints_are_read_strictly(tmp_path):
    short = tmp_path / "short"
    short.write_bytes(b"x" * 31)
    with pytest.raises(InvalidInput, match="32 bytes"):
        load_key(short)
    with pytest.raises(InvalidInput):
        load_key(tmp_path / "missing")
    good = Checkpoint.sign(KEY, 1, "a" * 64, "2026-03-02T09:00:00.000000+00:00").to_json()
    for text in (
        "[]",
        "{",
        good.replace('"seq": 1', '"seq": true'),
        good.replace('"seq": 1', '"seq": -1'),
        good.replace('"format"', '"formats"'),
        good[:-1] + ', "extra": 1}',
    ):
        with pytest.raises(InvalidInput):
            Checkpoint.from_json(text)
    with pytest.raises(InvalidInput, match="needs the log key"):
        st.verify_log(None, checkpoints=[Checkpoint.from_json(good)])  # type: ignore[arg-type]


def _agency(*args):
    return CliRunner().invoke(main, ["--no-entry-points", *args])


def test_cli_checkpoint_then_verify(keyed, db, tmp_path):
    store, _log = keyed
    _decide(keyed, 1, 3)
    key = tmp_path / "log.key"
    key.write_bytes(KEY)
    out = tmp_path / "cp1.json"
    made = _agency("log", "checkpoint", "--url", db.url, "--key", str(key), "--out", str(out))
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["seq"] == 3
    args = ["log", "verify", "--url", db.url, "--key", str(key), "--checkpoint", str(out)]
    ok = _agency(*args, "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    tamper(store, "DELETE FROM decision_log WHERE seq = 3", "UPDATE decision_log_head SET seq = 2")
    broken = _agency(*args, "--json")
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["problem"]["seq"] == 3
    no_key = _agency("log", "verify", "--url", db.url, "--checkpoint", str(out), "--json")
    assert no_key.exit_code == 2
    assert json.loads(no_key.stdout) == {"errors": ["--checkpoint needs --key @ $"]}

"""Revision 0002: entries logged before it get the body they were hashed from, and back."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

import agency_core.store as st
from agency_core.store.log import GENESIS, chain_hash, entry_body
from agency_core.store.migrate import alembic_config
from agency_core.store.types import UTCDateTime
from tests.store.helpers import T0

OLD_LOG = sa.table(
    "decision_log",
    sa.column("seq", sa.BigInteger()),
    sa.column("at", UTCDateTime()),
    sa.column("kind", sa.String()),
    sa.column("digest", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("policy_version", sa.String()),
    sa.column("policy_sha256", sa.String()),
    sa.column("findings", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


class _Entry:
    def __init__(self, **data):
        self.__dict__.update(data)


def _old_entries(n):
    prev, rows = GENESIS, []
    for seq in range(1, n + 1):
        entry = _Entry(
            at=T0,
            kind="approval",
            digest=f"{seq:064x}",
            outcome="needs_approval",
            actor=None if seq == 2 else f"E{seq}",
            policy_version="2026.1",
            policy_sha256="ab" * 32,
            findings=[{"control": "APR-01", "facts": {"tier": "≤ 5000 元"}, "n": seq}],
        )
        current = chain_hash(prev, entry_body(seq, entry))
        rows.append({**entry.__dict__, "seq": seq, "prev_hash": prev, "hash": current})
        prev = current
    return rows, prev


def _migrate(store, revision, *, down=False):
    config = alembic_config()
    with store.database.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_upgrading_gives_old_entries_their_hashed_body(db):
    store = st.open(db.url)
    try:
        _migrate(store, "0001")
        rows, head = _old_entries(7)
        with store.database.begin() as conn:
            conn.execute(OLD_LOG.insert(), rows)
            conn.exec_driver_sql(f"UPDATE decision_log_head SET seq = 7, hash = '{head}'")
        _migrate(store, "head")
        assert st.verify_log(store, chunk=3) == st.LogReport(7, head)
        with store.database.connect() as conn:
            body = conn.exec_driver_sql("SELECT body FROM decision_log WHERE seq = 3").scalar()
        assert json.loads(body)["findings"] == rows[2]["findings"]

        _migrate(store, "0001", down=True)
        with store.database.connect() as conn:
            back = conn.execute(sa.select(OLD_LOG.c.findings).order_by(OLD_LOG.c.seq)).scalars()
            assert list(back) == [r["findings"] for r in rows]
    finally:
        store.dispose()


def test_an_entry_altered_before_the_upgrade_is_still_caught(db):
    store = st.open(db.url)
    try:
        _migrate(store, "0001")
        rows, head = _old_entries(5)
        rows[3]["outcome"] = "allow"  # rewritten behind the log's back, hash left as it was
        with store.database.begin() as conn:
            conn.execute(OLD_LOG.insert(), rows)
            conn.exec_driver_sql(f"UPDATE decision_log_head SET seq = 5, hash = '{head}'")
        _migrate(store, "head")
        problem = st.verify_log(store).problem
        assert problem is not None
        assert (problem.seq, problem.kind) == (4, "altered")
    finally:
        store.dispose()

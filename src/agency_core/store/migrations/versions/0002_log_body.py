"""Decision log: store each entry's hashed body; the findings live only in the body.

The body is the canonical JSON that ``hash = sha256(prev_hash + body)`` covers, so verification
hashes the stored text instead of rebuilding it, and checks the columns against it. Existing
entries get their body rebuilt from their columns exactly as it was hashed (an entry altered
before the upgrade still fails verification afterwards: its rebuilt body does not hash right).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:30:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 5000


def _log() -> sa.TableClause:
    return sa.table(
        "decision_log",
        sa.column("seq", sa.BigInteger()),
        sa.column("at", agency_core.store.types.UTCDateTime(timezone=True)),
        sa.column("kind", sa.String()),
        sa.column("digest", sa.String()),
        sa.column("outcome", sa.String()),
        sa.column("actor", sa.String()),
        sa.column("policy_version", sa.String()),
        sa.column("policy_sha256", sa.String()),
        sa.column("findings", sa.JSON()),
        sa.column("body", sa.Text()),
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def upgrade() -> None:
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))

    bind = op.get_bind()
    log = _log()
    change = (
        sa.update(log).where(log.c.seq == sa.bindparam("b_seq")).values(body=sa.bindparam("b_body"))
    )
    last = 0
    while rows := bind.execute(
        sa.select(log).where(log.c.seq > last).order_by(log.c.seq).limit(_CHUNK)
    ).all():
        bodies = [
            {
                "b_seq": row.seq,
                "b_body": _canonical(
                    {
                        "seq": row.seq,
                        "at": row.at.astimezone(UTC).isoformat(timespec="microseconds"),
                        "kind": row.kind,
                        "digest": row.digest,
                        "outcome": row.outcome,
                        "actor": row.actor,
                        "policy": {"version": row.policy_version, "sha256": row.policy_sha256},
                        "findings": row.findings,
                    }
                ),
            }
            for row in rows
        ]
        bind.execute(change, bodies)
        last = rows[-1].seq

    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("findings")


def downgrade() -> None:
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("findings", sa.JSON(), nullable=True))

    bind = op.get_bind()
    log = _log()
    change = (
        sa.update(log)
        .where(log.c.seq == sa.bindparam("b_seq"))
        .values(findings=sa.bindparam("b_findings", type_=sa.JSON()))
    )
    last = 0
    while rows := bind.execute(
        sa.select(log.c.seq, log.c.body).where(log.c.seq > last).order_by(log.c.seq).limit(_CHUNK)
    ).all():
        bind.execute(
            change,
            [{"b_seq": r.seq, "b_findings": json.loads(r.body)["findings"]} for r in rows],
        )
        last = rows[-1].seq

    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.alter_column("findings", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("body")

"""Decision log guards: the database refuses edits to the log; the head carries a signature.

PostgreSQL: triggers refuse UPDATE, DELETE and TRUNCATE on ``decision_log``, and DELETE and
TRUNCATE on ``decision_log_head`` (appenders only advance the head). SQLite: triggers refuse
UPDATE and DELETE on ``decision_log`` and DELETE on the head. ``decision_log_head.mac`` holds the
HMAC of the head under the firm's log key (see :mod:`agency_core.store.checkpoint`); NULL when the
store runs without a key. Downgrade removes the triggers and the column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_UP = (
    """
    CREATE FUNCTION agency_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'agency: % on % is refused: the decision log is append-only',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    "CREATE TRIGGER agency_log_no_update BEFORE UPDATE OR DELETE ON decision_log "
    "FOR EACH ROW EXECUTE FUNCTION agency_log_refuse()",
    "CREATE TRIGGER agency_log_no_truncate BEFORE TRUNCATE ON decision_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION agency_log_refuse()",
    "CREATE TRIGGER agency_log_head_no_delete BEFORE DELETE ON decision_log_head "
    "FOR EACH ROW EXECUTE FUNCTION agency_log_refuse()",
    "CREATE TRIGGER agency_log_head_no_truncate BEFORE TRUNCATE ON decision_log_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION agency_log_refuse()",
)
_PG_DOWN = (
    "DROP TRIGGER agency_log_head_no_truncate ON decision_log_head",
    "DROP TRIGGER agency_log_head_no_delete ON decision_log_head",
    "DROP TRIGGER agency_log_no_truncate ON decision_log",
    "DROP TRIGGER agency_log_no_update ON decision_log",
    "DROP FUNCTION agency_log_refuse()",
)
_SQLITE_TRIGGERS = (
    ("agency_log_no_update", "UPDATE", "decision_log"),
    ("agency_log_no_delete", "DELETE", "decision_log"),
    ("agency_log_head_no_delete", "DELETE", "decision_log_head"),
)


def upgrade() -> None:
    with op.batch_alter_table("decision_log_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_UP:
            op.execute(statement)
        return
    for name, event, table in _SQLITE_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'agency: {event} on {table} is refused: "
            "the decision log is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_DOWN:
            op.execute(statement)
    else:
        for name, _event, _table in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("decision_log_head", schema=None) as batch_op:
        batch_op.drop_column("mac")

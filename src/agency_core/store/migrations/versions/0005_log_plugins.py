"""Decision log: keep the plugin set that made each decision (its sha256), as the host got it.

Entries logged before have an empty value and no ``plugins`` key in their body, so their hashes
and their verification are unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain ALTER TABLE on both databases: a batch (copy and rename) on SQLite would drop the
# triggers that guard the log (revision 0004).


def upgrade() -> None:
    op.add_column(
        "decision_log",
        sa.Column("plugins_sha256", sa.String(length=64), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("decision_log", "plugins_sha256")
    if op.get_bind().dialect.name == "sqlite":  # SQLite rebuilt the table: guard it again
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS agency_log_no_{event.lower()} BEFORE {event} "
                f"ON decision_log BEGIN SELECT RAISE(ABORT, 'agency: {event} on decision_log "
                "is refused: the decision log is append-only'); END"
            )

"""Sweeps: SOD-01 reads each approver's requests from an index of (requester, id) alone.

SOD-01 looks up the requests of every person who acted on a step. With the requester index
alone, SQLite fetches each request's row for its id; when most requesters also approve, that was
five times slower than scanning every step action. This index carries the id, so the lookup
never reads the table (revision 0007 covers the other approval sweeps).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_approval_requests_requester_sweep", "approval_requests", ["requester", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_approval_requests_requester_sweep", table_name="approval_requests")

"""Sweeps: covering indexes for the approval sweeps (SOD-01, SOD-04, APR-04) at a million rows.

Each index leads with the request id and carries every column the sweeps read, so PostgreSQL
joins step actions, route steps and requests as merge joins over index-only scans, and SQLite
reads the index instead of the table, instead of hashing two million rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    (
        "ix_step_actions_sweep",
        "step_actions",
        ["request_id", "step", "actor", "on_behalf_of", "verdict"],
    ),
    ("ix_route_steps_sweep", "route_steps", ["request_id", "idx", "role", "scope"]),
    ("ix_approval_requests_sweep", "approval_requests", ["id", "department", "requester"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)

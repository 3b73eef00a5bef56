"""Tracked items: things that must be done by a deadline, with their append-only moves.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracked_items",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("subject_kind", sa.String(length=64), nullable=False),
        sa.Column("control", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("open_key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_items")),
        sa.UniqueConstraint("open_key", name=op.f("uq_tracked_items_open_key")),
    )
    op.create_index(op.f("ix_tracked_items_is_open"), "tracked_items", ["is_open"])
    op.create_index(op.f("ix_tracked_items_due_on"), "tracked_items", ["due_on"])
    op.create_table(
        "tracked_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=128), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=64), nullable=False),
        sa.Column("to_state", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["tracked_items.id"],
            name=op.f("fk_tracked_moves_item_id_tracked_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_moves")),
        sa.UniqueConstraint("item_id", "seq", name="uq_tracked_moves_item_seq"),
        sa.UniqueConstraint("key", name=op.f("uq_tracked_moves_key")),
    )


def downgrade() -> None:
    op.drop_table("tracked_moves")
    op.drop_index(op.f("ix_tracked_items_due_on"), table_name="tracked_items")
    op.drop_index(op.f("ix_tracked_items_is_open"), table_name="tracked_items")
    op.drop_table("tracked_items")

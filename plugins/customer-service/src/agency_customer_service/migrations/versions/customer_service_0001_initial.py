"""Customer service: complaints, inquiries and follow-up visits beside their tracked items.

Revision ID: customer_service_0001
Revises:
Create Date: 2026-11-29 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision: str = "customer_service_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("customer_service",)
depends_on: str | Sequence[str] | None = "0003"

_TS = agency_core.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "customer_service_complaints",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("demand", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("planned_at", _TS, nullable=True),
        sa.Column("feedback_due_on", sa.Date(), nullable=True),
        sa.Column("response", sa.String(length=16), nullable=True),
        sa.Column("responded_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_service_complaints")),
    )
    op.create_index(
        op.f("ix_customer_service_complaints_case_id"),
        "customer_service_complaints",
        ["case_id"],
    )
    op.create_table(
        "customer_service_inquiries",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_service_inquiries")),
    )
    op.create_index(
        op.f("ix_customer_service_inquiries_case_id"), "customer_service_inquiries", ["case_id"]
    )
    op.create_table(
        "customer_service_follow_ups",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("delivered_at", _TS, nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("visited_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_service_follow_ups")),
    )
    op.create_index(
        op.f("ix_customer_service_follow_ups_case_id"), "customer_service_follow_ups", ["case_id"]
    )


def downgrade() -> None:
    for table in (
        "customer_service_follow_ups",
        "customer_service_inquiries",
        "customer_service_complaints",
    ):
        op.drop_index(op.f(f"ix_{table}_case_id"), table_name=table)
        op.drop_table(table)

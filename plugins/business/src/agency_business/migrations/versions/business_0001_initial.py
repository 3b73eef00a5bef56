"""Business department: cases, the notice of missing materials, documents, tasks, case numbers.

Revision ID: business_0001
Revises:
Create Date: 2026-11-29 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision: str = "business_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("business",)
depends_on: str | Sequence[str] | None = "0003"

_UTC = agency_core.store.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "business_cases",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("service_item", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("opened_at", _UTC(timezone=True), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=True),
        sa.Column("intake_approval_id", sa.String(length=64), nullable=True),
        sa.Column("plan_approval_id", sa.String(length=64), nullable=True),
        sa.Column("plan_change_approval_id", sa.String(length=64), nullable=True),
        sa.Column("settlement_approval_id", sa.String(length=64), nullable=True),
        sa.Column("notified_via", sa.String(length=64), nullable=True),
        sa.Column("statement_issued_at", _UTC(timezone=True), nullable=True),
        sa.Column("client_confirmed_at", _UTC(timezone=True), nullable=True),
        sa.Column("invoice_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_business_cases_number")),
    )
    op.create_table(
        "business_number_sequences",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_business_number_sequences")),
    )
    op.create_table(
        "business_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("added_at", _UTC(timezone=True), nullable=False),
        sa.Column("handed_over_at", _UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["business_cases.id"],
            name=op.f("fk_business_documents_case_id_business_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_documents")),
        sa.UniqueConstraint("case_id", "part", "name", name="uq_business_documents_case_part_name"),
    )
    op.create_index(
        op.f("ix_business_documents_case_id"), "business_documents", ["case_id"], unique=False
    )
    op.create_table(
        "business_notice_items",
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("material", sa.String(length=64), nullable=False),
        sa.Column("noticed_at", _UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["business_cases.id"],
            name=op.f("fk_business_notice_items_case_id_business_cases"),
        ),
        sa.PrimaryKeyConstraint("case_id", "material", name=op.f("pk_business_notice_items")),
    )
    op.create_table(
        "business_tasks",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["business_cases.id"],
            name=op.f("fk_business_tasks_case_id_business_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_tasks")),
    )
    op.create_index(op.f("ix_business_tasks_case_id"), "business_tasks", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_business_tasks_case_id"), table_name="business_tasks")
    op.drop_table("business_tasks")
    op.drop_table("business_notice_items")
    op.drop_index(op.f("ix_business_documents_case_id"), table_name="business_documents")
    op.drop_table("business_documents")
    op.drop_table("business_number_sequences")
    op.drop_table("business_cases")

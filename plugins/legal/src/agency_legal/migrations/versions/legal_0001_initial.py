"""Legal: contract versions, reviews, signings, matters and the records they hold.

Revision ID: legal_0001
Revises:
Create Date: 2026-11-29 22:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision: str = "legal_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("legal",)
depends_on: str | Sequence[str] | None = "0003"

_TS = agency_core.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "legal_contract_versions",
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("drafter", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "digest", name=op.f("pk_legal_contract_versions")),
    )
    op.create_index(
        op.f("ix_legal_contract_versions_case_id"), "legal_contract_versions", ["case_id"]
    )
    op.create_table(
        "legal_reviews",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("drafter", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("reviewed_at", _TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_reviews")),
    )
    op.create_index(op.f("ix_legal_reviews_contract_id"), "legal_reviews", ["contract_id"])
    op.create_table(
        "legal_signings",
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("drafter", sa.String(length=64), nullable=True),
        sa.Column("signer", sa.String(length=64), nullable=False),
        sa.Column("signed_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_legal_signings")),
    )
    op.create_table(
        "legal_matters",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("dispute", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_matters")),
    )
    op.create_index(op.f("ix_legal_matters_case_id"), "legal_matters", ["case_id"])
    op.create_table(
        "legal_matter_records",
        sa.Column("matter_id", sa.String(length=128), nullable=False),
        sa.Column("record_number", sa.String(length=64), nullable=False),
        sa.Column("hold_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["legal_matters.id"],
            name=op.f("fk_legal_matter_records_matter_id_legal_matters"),
        ),
        sa.PrimaryKeyConstraint("matter_id", "record_number", name=op.f("pk_legal_matter_records")),
        sa.UniqueConstraint("hold_id", name=op.f("uq_legal_matter_records_hold_id")),
    )


def downgrade() -> None:
    op.drop_table("legal_matter_records")
    op.drop_index(op.f("ix_legal_matters_case_id"), table_name="legal_matters")
    op.drop_table("legal_matters")
    op.drop_table("legal_signings")
    op.drop_index(op.f("ix_legal_reviews_contract_id"), table_name="legal_reviews")
    op.drop_table("legal_reviews")
    op.drop_index(op.f("ix_legal_contract_versions_case_id"), table_name="legal_contract_versions")
    op.drop_table("legal_contract_versions")

"""The admin plugin's tables: seals and their use, approved acts, assets and stocktakes,
meetings and resolutions, purchase contracts, acceptances and payments.

Revision ID: admin_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision = "admin_0001"
down_revision = None
branch_labels = ("admin",)
depends_on = "0003"

TABLES = (
    "admin_seal_uses",
    "admin_acceptance_lines",
    "admin_stocktakes",
    "admin_seal_applications",
    "admin_resolutions",
    "admin_payments",
    "admin_contract_lines",
    "admin_acceptances",
    "admin_seals",
    "admin_meetings",
    "admin_contracts",
    "admin_assets",
    "admin_acts",
)


def upgrade() -> None:
    op.create_table(
        "admin_acts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("act", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_acts")),
    )
    op.create_index(
        op.f("ix_admin_acts_application_id"), "admin_acts", ["application_id"], unique=False
    )
    op.create_table(
        "admin_assets",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=True),
        sa.Column("acquired_on", sa.Date(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("disposed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_admin_assets")),
    )
    op.create_index(
        op.f("ix_admin_assets_application_id"), "admin_assets", ["application_id"], unique=False
    )
    op.create_index(
        op.f("ix_admin_assets_contract_id"), "admin_assets", ["contract_id"], unique=False
    )
    op.create_table(
        "admin_contracts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("supplier", sa.String(length=64), nullable=False),
        sa.Column("purchaser", sa.String(length=64), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_contracts")),
    )
    op.create_table(
        "admin_meetings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("organiser", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_meetings")),
    )
    op.create_table(
        "admin_seals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("custodian", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_seals")),
    )
    op.create_table(
        "admin_acceptances",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("receiver", sa.String(length=64), nullable=False),
        sa.Column(
            "accepted_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["admin_contracts.id"],
            name=op.f("fk_admin_acceptances_contract_id_admin_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_acceptances")),
    )
    op.create_index(
        op.f("ix_admin_acceptances_contract_id"), "admin_acceptances", ["contract_id"], unique=False
    )
    op.create_table(
        "admin_contract_lines",
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "unit_price", agency_core.store.types.Amount(precision=20, scale=4), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fixed_asset", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["admin_contracts.id"],
            name=op.f("fk_admin_contract_lines_contract_id_admin_contracts"),
        ),
        sa.PrimaryKeyConstraint("contract_id", "item", name=op.f("pk_admin_contract_lines")),
    )
    op.create_table(
        "admin_payments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payer", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["admin_contracts.id"],
            name=op.f("fk_admin_payments_contract_id_admin_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_payments")),
    )
    op.create_index(
        op.f("ix_admin_payments_contract_id"), "admin_payments", ["contract_id"], unique=False
    )
    op.create_table(
        "admin_resolutions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["admin_meetings.id"],
            name=op.f("fk_admin_resolutions_meeting_id_admin_meetings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_resolutions")),
    )
    op.create_index(
        op.f("ix_admin_resolutions_meeting_id"), "admin_resolutions", ["meeting_id"], unique=False
    )
    op.create_table(
        "admin_seal_applications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seal", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("doc_kind", sa.String(length=64), nullable=False),
        sa.Column("doc_number", sa.String(length=64), nullable=False),
        sa.Column("doc_title", sa.String(length=200), nullable=False),
        sa.Column("doc_blank", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seal"], ["admin_seals.id"], name=op.f("fk_admin_seal_applications_seal_admin_seals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_seal_applications")),
    )
    op.create_table(
        "admin_stocktakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_number", sa.String(length=64), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("counted_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_number"],
            ["admin_assets.number"],
            name=op.f("fk_admin_stocktakes_asset_number_admin_assets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_stocktakes")),
    )
    op.create_index(
        op.f("ix_admin_stocktakes_asset_number"), "admin_stocktakes", ["asset_number"], unique=False
    )
    op.create_table(
        "admin_acceptance_lines",
        sa.Column("acceptance_id", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acceptance_id"],
            ["admin_acceptances.id"],
            name=op.f("fk_admin_acceptance_lines_acceptance_id_admin_acceptances"),
        ),
        sa.PrimaryKeyConstraint("acceptance_id", "item", name=op.f("pk_admin_acceptance_lines")),
    )
    op.create_table(
        "admin_seal_uses",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("seal", sa.String(length=64), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("custodian", sa.String(length=64), nullable=False),
        sa.Column("used_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc_kind", sa.String(length=64), nullable=False),
        sa.Column("doc_number", sa.String(length=64), nullable=False),
        sa.Column("doc_title", sa.String(length=200), nullable=False),
        sa.Column("doc_blank", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["admin_seal_applications.id"],
            name=op.f("fk_admin_seal_uses_application_id_admin_seal_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_seal_uses")),
    )
    op.create_index(
        op.f("ix_admin_seal_uses_application_id"),
        "admin_seal_uses",
        ["application_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)

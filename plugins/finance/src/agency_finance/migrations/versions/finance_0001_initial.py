"""The finance plugin's tables: claim attachments, budgets, spending, credit, receivables,
reconciliations, stocktake differences and payments (FIN-01..FIN-09).

Revision ID: finance_0001
Revises: (none: the first revision of the ``finance`` branch; depends on the core's 0003)
Create Date: 2026-11-29 21:44:25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision: str = "finance_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("finance",)
depends_on: str | Sequence[str] | None = "0003"


def upgrade() -> None:
    op.create_table(
        "finance_accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("keeper", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_accounts")),
    )
    op.create_table(
        "finance_budgets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_budgets")),
    )
    with op.batch_alter_table("finance_budgets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finance_budgets_department"), ["department"], unique=False
        )

    op.create_table(
        "finance_claim_attachments",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("kind", "number", name=op.f("pk_finance_claim_attachments")),
    )
    with op.batch_alter_table("finance_claim_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finance_claim_attachments_claim_id"), ["claim_id"], unique=False
        )

    op.create_table(
        "finance_credit",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column(
            "limit_amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=True
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("terms_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("client", name=op.f("pk_finance_credit")),
    )
    op.create_table(
        "finance_payments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("payer", sa.String(length=64), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_payments")),
        sa.UniqueConstraint("request_id", name=op.f("uq_finance_payments_request_id")),
    )
    op.create_table(
        "finance_receivables",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_receivables")),
        sa.UniqueConstraint("approval_id", name=op.f("uq_finance_receivables_approval_id")),
    )
    with op.batch_alter_table("finance_receivables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finance_receivables_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_finance_receivables_due_on"), ["due_on"], unique=False)

    op.create_table(
        "finance_stocktake_differences",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("asset", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("counted_by", sa.String(length=64), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_stocktake_differences")),
        sa.UniqueConstraint(
            "approval_id", name=op.f("uq_finance_stocktake_differences_approval_id")
        ),
    )
    op.create_table(
        "finance_budget_adjustments",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("budget_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["finance_budgets.id"],
            name=op.f("fk_finance_budget_adjustments_budget_id_finance_budgets"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_finance_budget_adjustments")),
    )
    with op.batch_alter_table("finance_budget_adjustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finance_budget_adjustments_budget_id"), ["budget_id"], unique=False
        )

    op.create_table(
        "finance_reconciliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("book", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("actual", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("reconciler", sa.String(length=64), nullable=False),
        sa.Column("at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["finance_accounts.id"],
            name=op.f("fk_finance_reconciliations_account_id_finance_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_reconciliations")),
        sa.UniqueConstraint("account_id", "period_end", name="uq_finance_reconciliations_period"),
    )
    op.create_table(
        "finance_spends",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("budget_id", sa.String(length=64), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("spender", sa.String(length=64), nullable=False),
        sa.Column("at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["finance_budgets.id"],
            name=op.f("fk_finance_spends_budget_id_finance_budgets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_spends")),
    )
    with op.batch_alter_table("finance_spends", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finance_spends_budget_id"), ["budget_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("finance_spends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finance_spends_budget_id"))

    op.drop_table("finance_spends")
    op.drop_table("finance_reconciliations")
    with op.batch_alter_table("finance_budget_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finance_budget_adjustments_budget_id"))

    op.drop_table("finance_budget_adjustments")
    op.drop_table("finance_stocktake_differences")
    with op.batch_alter_table("finance_receivables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finance_receivables_due_on"))
        batch_op.drop_index(batch_op.f("ix_finance_receivables_client"))

    op.drop_table("finance_receivables")
    op.drop_table("finance_payments")
    op.drop_table("finance_credit")
    with op.batch_alter_table("finance_claim_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finance_claim_attachments_claim_id"))

    op.drop_table("finance_claim_attachments")
    with op.batch_alter_table("finance_budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finance_budgets_department"))

    op.drop_table("finance_budgets")
    op.drop_table("finance_accounts")

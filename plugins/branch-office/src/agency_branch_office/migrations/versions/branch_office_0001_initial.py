"""Branch office: sales targets and their splits, service units.

Revision ID: branch_office_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "branch_office_0001"
down_revision = None
branch_labels = ("branch_office",)
depends_on = "0003"

CODE = sa.String(length=64)
AMOUNT = sa.Numeric(precision=20, scale=2)


def upgrade() -> None:
    op.create_table(
        "branch_office_targets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("branch", CODE, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("annual", AMOUNT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_office_targets")),
        sa.UniqueConstraint("branch", "year", name=op.f("uq_branch_office_targets_branch")),
    )
    op.create_table(
        "branch_office_target_parts",
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=8), nullable=False),
        sa.Column("key", CODE, nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.CheckConstraint(
            "part IN ('quarter', 'month', 'person')",
            name=op.f("ck_branch_office_target_parts_part"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["branch_office_targets.id"],
            name=op.f("fk_branch_office_target_parts_target_id_branch_office_targets"),
        ),
        sa.PrimaryKeyConstraint(
            "target_id", "part", "key", name=op.f("pk_branch_office_target_parts")
        ),
    )
    op.create_table(
        "branch_office_units",
        sa.Column("id", CODE, nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("staffing", sa.Text(), nullable=False),
        sa.Column("premises", sa.Text(), nullable=False),
        sa.Column("budget", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("registration", CODE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_office_units")),
    )


def downgrade() -> None:
    op.drop_table("branch_office_units")
    op.drop_table("branch_office_target_parts")
    op.drop_table("branch_office_targets")

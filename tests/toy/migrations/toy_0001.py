"""The toy plugin's table.

Revision ID: toy_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "toy_0001"
down_revision = None
branch_labels = ("toy",)
depends_on = "0003"


def upgrade() -> None:
    op.create_table(
        "toy_gifts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("employee", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_toy_gifts")),
    )


def downgrade() -> None:
    op.drop_table("toy_gifts")

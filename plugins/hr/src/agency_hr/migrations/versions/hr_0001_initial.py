"""The HR plugin's tables: leave, resignations and their clearance, training files, appeals.

Revision ID: hr_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agency_core.store.types import UTCDateTime

revision = "hr_0001"
down_revision = None
branch_labels = ("hr",)
depends_on = "0003"

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "hr_leaves",
        sa.Column("id", ID, nullable=False),
        sa.Column("employee", ID, nullable=False),
        sa.Column("department", ID, nullable=False),
        sa.Column("kind", ID, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("latest_request_on", sa.Date(), nullable=False),
        sa.Column("began_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_leaves")),
    )
    op.create_index(op.f("ix_hr_leaves_employee"), "hr_leaves", ["employee"])
    op.create_index(op.f("ix_hr_leaves_starts_on"), "hr_leaves", ["starts_on"])
    op.create_table(
        "hr_resignations",
        sa.Column("id", ID, nullable=False),
        sa.Column("employee", ID, nullable=False),
        sa.Column("department", ID, nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("earliest_last_day", sa.Date(), nullable=False),
        sa.Column("in_writing", sa.Boolean(), nullable=False),
        sa.Column("on_probation", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_resignations")),
    )
    op.create_index(op.f("ix_hr_resignations_employee"), "hr_resignations", ["employee"])
    op.create_table(
        "hr_clearances",
        sa.Column("resignation_id", ID, nullable=False),
        sa.Column("item", ID, nullable=False),
        sa.Column("done_by", ID, nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resignation_id"],
            ["hr_resignations.id"],
            name=op.f("fk_hr_clearances_resignation_id_hr_resignations"),
        ),
        sa.PrimaryKeyConstraint("resignation_id", "item", name=op.f("pk_hr_clearances")),
    )
    op.create_table(
        "hr_trainings",
        sa.Column("id", ID, nullable=False),
        sa.Column("employee", ID, nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_trainings")),
    )
    op.create_index(op.f("ix_hr_trainings_employee"), "hr_trainings", ["employee"])
    op.create_table(
        "hr_appeals",
        sa.Column("id", ID, nullable=False),
        sa.Column("employee", ID, nullable=False),
        sa.Column("review", ID, nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("window_ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_appeals")),
    )
    op.create_index(op.f("ix_hr_appeals_employee"), "hr_appeals", ["employee"])


def downgrade() -> None:
    op.drop_table("hr_appeals")
    op.drop_table("hr_trainings")
    op.drop_table("hr_clearances")
    op.drop_table("hr_resignations")
    op.drop_table("hr_leaves")

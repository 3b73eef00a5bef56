"""Risk and audit: risks, indicators and readings, audits, auditors and findings.

Revision ID: risk_audit_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "risk_audit_0001"
down_revision = None
branch_labels = ("risk_audit",)
depends_on = "0003"

CODE = sa.String(length=64)
AMOUNT = sa.Numeric(precision=20, scale=4)


def upgrade() -> None:
    op.create_table(
        "risk_audit_risks",
        sa.Column("id", CODE, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department", CODE, nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("response", CODE, nullable=True),
        sa.Column("owner", CODE, nullable=True),
        sa.CheckConstraint(
            "likelihood BETWEEN 1 AND 5", name=op.f("ck_risk_audit_risks_likelihood")
        ),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name=op.f("ck_risk_audit_risks_impact")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_audit_risks")),
    )
    op.create_table(
        "risk_audit_indicators",
        sa.Column("id", CODE, nullable=False),
        sa.Column("risk_id", CODE, nullable=False),
        sa.Column("threshold", AMOUNT, nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "direction IN ('at_or_above', 'at_or_below')",
            name=op.f("ck_risk_audit_indicators_direction"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risk_audit_risks.id"],
            name=op.f("fk_risk_audit_indicators_risk_id_risk_audit_risks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_audit_indicators")),
    )
    op.create_table(
        "risk_audit_readings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("indicator_id", CODE, nullable=False),
        sa.Column("value", AMOUNT, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["risk_audit_indicators.id"],
            name=op.f("fk_risk_audit_readings_indicator_id_risk_audit_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_audit_readings")),
    )
    op.create_index(
        op.f("ix_risk_audit_readings_indicator_id"),
        "risk_audit_readings",
        ["indicator_id"],
        unique=False,
    )
    op.create_table(
        "risk_audit_audits",
        sa.Column("id", CODE, nullable=False),
        sa.Column("audited_department", CODE, nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_audit_audits")),
    )
    op.create_table(
        "risk_audit_auditors",
        sa.Column("audit_id", CODE, nullable=False),
        sa.Column("employee_id", CODE, nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["risk_audit_audits.id"],
            name=op.f("fk_risk_audit_auditors_audit_id_risk_audit_audits"),
        ),
        sa.PrimaryKeyConstraint("audit_id", "employee_id", name=op.f("pk_risk_audit_auditors")),
    )
    op.create_table(
        "risk_audit_findings",
        sa.Column("id", CODE, nullable=False),
        sa.Column("audit_id", CODE, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["risk_audit_audits.id"],
            name=op.f("fk_risk_audit_findings_audit_id_risk_audit_audits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_audit_findings")),
    )
    op.create_index(
        op.f("ix_risk_audit_findings_audit_id"), "risk_audit_findings", ["audit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_audit_findings_audit_id"), table_name="risk_audit_findings")
    op.drop_table("risk_audit_findings")
    op.drop_table("risk_audit_auditors")
    op.drop_table("risk_audit_audits")
    op.drop_index(op.f("ix_risk_audit_readings_indicator_id"), table_name="risk_audit_readings")
    op.drop_table("risk_audit_readings")
    op.drop_table("risk_audit_indicators")
    op.drop_table("risk_audit_risks")

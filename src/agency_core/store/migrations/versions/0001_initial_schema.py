"""Initial schema: firm, approvals, decision log, records registry.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:39:08.420626
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agency_core.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("amount", agency_core.store.types.Amount(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column(
            "budget_remaining", agency_core.store.types.Amount(precision=20, scale=4), nullable=True
        ),
        sa.Column("budget_currency", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column(
            "submitted_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "pending_since", agency_core.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("submit_key", sa.String(length=128), nullable=False),
        sa.Column("payload_digest", sa.String(length=64), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("policy_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
        sa.UniqueConstraint("submit_key", name=op.f("uq_approval_requests_submit_key")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_requests_department"), ["department"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_approval_requests_requester"), ["requester"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_approval_requests_status"), ["status"], unique=False)

    op.create_table(
        "decision_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("policy_sha256", sa.String(length=64), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_decision_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_decision_log_hash")),
    )
    head = op.create_table(
        "decision_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_log_head")),
    )
    # the chain's head starts at the genesis hash; appenders lock and advance it
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    op.create_table(
        "destruction_lists",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("destruction_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "proposed_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("executed_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("record_number", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_lists")),
    )
    op.create_table(
        "duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("duty", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duties")),
        sa.UniqueConstraint("key", name=op.f("uq_duties_key")),
    )
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duties_subject"), ["subject"], unique=False)

    op.create_table(
        "employees",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employees")),
    )
    op.create_table(
        "number_sequences",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "appraisals",
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=32), nullable=False),
        sa.Column("opinion", sa.String(length=16), nullable=False),
        sa.Column("appraiser", sa.String(length=64), nullable=False),
        sa.Column("extra_years", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["destruction_lists.id"],
            name=op.f("fk_appraisals_list_id_destruction_lists"),
        ),
        sa.PrimaryKeyConstraint("list_id", "record", name=op.f("pk_appraisals")),
    )
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=64), nullable=False),
        sa.Column("delegate", sa.String(length=64), nullable=False),
        sa.Column("starts", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegate"], ["employees.id"], name=op.f("fk_delegations_delegate_employees")
        ),
        sa.ForeignKeyConstraint(
            ["principal"], ["employees.id"], name=op.f("fk_delegations_principal_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegations_delegate"), ["delegate"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegations_principal"), ["principal"], unique=False)

    op.create_table(
        "destruction_items",
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("volume", sa.String(length=64), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("required_years", sa.Integer(), nullable=True),
        sa.Column("kept_years", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["destruction_lists.id"],
            name=op.f("fk_destruction_items_list_id_destruction_lists"),
        ),
        sa.PrimaryKeyConstraint("list_id", "record", name=op.f("pk_destruction_items")),
    )
    op.create_table(
        "employee_roles",
        sa.Column("employee_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_employee_roles_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("employee_id", "role", name=op.f("pk_employee_roles")),
    )
    op.create_table(
        "records",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("event_on", sa.Date(), nullable=True),
        sa.Column("important", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column(
            "registered_at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("destroyed_on", sa.Date(), nullable=True),
        sa.Column("destruction_list_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["destruction_list_id"],
            ["destruction_lists.id"],
            name=op.f("fk_records_destruction_list_id_destruction_lists"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_records")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_due_on"), ["due_on"], unique=False)

    op.create_table(
        "route_steps",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_requests.id"],
            name=op.f("fk_route_steps_request_id_approval_requests"),
        ),
        sa.PrimaryKeyConstraint("request_id", "idx", name=op.f("pk_route_steps")),
    )
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("employee", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("checked_before", sa.Boolean(), nullable=False),
        sa.Column("signed_after", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["destruction_lists.id"],
            name=op.f("fk_signatures_list_id_destruction_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signatures_list_id"), ["list_id"], unique=False)

    op.create_table(
        "step_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=64), nullable=True),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", agency_core.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_requests.id"],
            name=op.f("fk_step_actions_request_id_approval_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_actions")),
        sa.UniqueConstraint("key", name=op.f("uq_step_actions_key")),
        sa.UniqueConstraint("request_id", "step", name="uq_step_actions_request_step"),
    )
    with op.batch_alter_table("step_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_step_actions_actor"), ["actor"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_step_actions_on_behalf_of"), ["on_behalf_of"], unique=False
        )

    op.create_table(
        "backups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_number", sa.String(length=32), nullable=False),
        sa.Column("location", sa.String(length=400), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_number"], ["records.number"], name=op.f("fk_backups_record_number_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backups")),
    )
    with op.batch_alter_table("backups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backups_record_number"), ["record_number"], unique=False
        )

    op.create_table(
        "holds",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("record_number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("matter", sa.String(length=64), nullable=True),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_number"], ["records.number"], name=op.f("fk_holds_record_number_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holds_record_number"), ["record_number"], unique=False)

    op.create_table(
        "loans",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("record_number", sa.String(length=32), nullable=False),
        sa.Column("borrower", sa.String(length=64), nullable=False),
        sa.Column("lent_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approval_requests.id"],
            name=op.f("fk_loans_approval_id_approval_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["record_number"], ["records.number"], name=op.f("fk_loans_record_number_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loans_record_number"), ["record_number"], unique=False)

    op.create_table(
        "record_classes",
        sa.Column("record_number", sa.String(length=32), nullable=False),
        sa.Column("record_class", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_number"],
            ["records.number"],
            name=op.f("fk_record_classes_record_number_records"),
        ),
        sa.PrimaryKeyConstraint("record_number", "record_class", name=op.f("pk_record_classes")),
    )


def downgrade() -> None:
    op.drop_table("record_classes")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_record_number"))

    op.drop_table("loans")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holds_record_number"))

    op.drop_table("holds")
    with op.batch_alter_table("backups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backups_record_number"))

    op.drop_table("backups")
    with op.batch_alter_table("step_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_actions_on_behalf_of"))
        batch_op.drop_index(batch_op.f("ix_step_actions_actor"))

    op.drop_table("step_actions")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signatures_list_id"))

    op.drop_table("signatures")
    op.drop_table("route_steps")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_due_on"))

    op.drop_table("records")
    op.drop_table("employee_roles")
    op.drop_table("destruction_items")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegations_principal"))
        batch_op.drop_index(batch_op.f("ix_delegations_delegate"))

    op.drop_table("delegations")
    op.drop_table("appraisals")
    op.drop_table("number_sequences")
    op.drop_table("employees")
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duties_subject"))

    op.drop_table("duties")
    op.drop_table("destruction_lists")
    op.drop_table("decision_log_head")
    op.drop_table("decision_log")
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_requests_status"))
        batch_op.drop_index(batch_op.f("ix_approval_requests_requester"))
        batch_op.drop_index(batch_op.f("ix_approval_requests_department"))

    op.drop_table("approval_requests")

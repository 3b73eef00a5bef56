"""The tables: typed declarative row classes, kept apart from the attrs entities.

Rows are mutable ORM objects; :mod:`agency_core.store.mapping` turns them into entities and back.
Money is an exact :class:`~agency_core.store.types.Amount` beside a currency column; every timestamp
is timezone-aware (:class:`~agency_core.store.types.UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from agency_core.store.types import Amount, UTCDateTime

__all__ = [
    "AppraisalRow",
    "ApprovalRequestRow",
    "BackupRow",
    "Base",
    "DelegationRow",
    "DestructionItemRow",
    "DestructionListRow",
    "DutyRow",
    "EmployeeRoleRow",
    "EmployeeRow",
    "HoldRow",
    "LoanRow",
    "LogEntryRow",
    "LogHeadRow",
    "LogPersonRow",
    "NumberSequenceRow",
    "RecordClassRow",
    "RecordRow",
    "RouteStepRow",
    "SignatureRow",
    "StepActionRow",
    "TrackedItemRow",
    "TrackedMoveRow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Code = String(64)
Key = String(128)
Digest = String(64)


class Base(DeclarativeBase):
    """The declarative base; constraint names follow :data:`NAMING` so migrations stay stable."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: Amount(),
        str: Code,
    }


# -- the firm ---------------------------------------------------------------------------------


class EmployeeRow(Base):
    __tablename__ = "employees"

    id: Mapped[str] = mapped_column(primary_key=True)
    department: Mapped[str]
    name: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[list[EmployeeRoleRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="EmployeeRoleRow.role"
    )


class EmployeeRoleRow(Base):
    __tablename__ = "employee_roles"

    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    role: Mapped[str] = mapped_column(primary_key=True)


class DelegationRow(Base):
    """A principal's authority lent to a delegate for a period (APR-06)."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(ForeignKey("employees.id"), index=True)
    delegate: Mapped[str] = mapped_column(ForeignKey("employees.id"), index=True)
    starts: Mapped[datetime]
    ends: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")


# -- approvals ----------------------------------------------------------------------------------


class ApprovalRequestRow(Base):
    """A submitted request, its state, and the version that guards concurrent updates."""

    __tablename__ = "approval_requests"
    # the approval sweeps read these from the index alone (revisions 0007 and 0008)
    __table_args__ = (
        Index("ix_approval_requests_sweep", "id", "department", "requester"),
        Index("ix_approval_requests_requester_sweep", "requester", "id"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    action: Mapped[str]
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    department: Mapped[str] = mapped_column(index=True)
    requester: Mapped[str] = mapped_column(index=True)
    budget_remaining: Mapped[Decimal | None]
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    next_step: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime]
    pending_since: Mapped[datetime]
    """When the current step became pending (APR-07 overdue sweep)."""
    submit_key: Mapped[str] = mapped_column(Key, unique=True)
    payload_digest: Mapped[str] = mapped_column(Digest)
    policy_version: Mapped[str]
    policy_sha256: Mapped[str] = mapped_column(Digest)
    version: Mapped[int] = mapped_column(Integer)

    steps: Mapped[list[RouteStepRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RouteStepRow.idx"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RouteStepRow(Base):
    __tablename__ = "route_steps"
    __table_args__ = (Index("ix_route_steps_sweep", "request_id", "idx", "role", "scope"),)

    request_id: Mapped[str] = mapped_column(ForeignKey("approval_requests.id"), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str]
    scope: Mapped[str] = mapped_column(String(16))


class StepActionRow(Base):
    """A step decided: one row per step, so two winners on one step are impossible."""

    __tablename__ = "step_actions"
    __table_args__ = (
        UniqueConstraint("request_id", "step", name="uq_step_actions_request_step"),
        Index("ix_step_actions_sweep", "request_id", "step", "actor", "on_behalf_of", "verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("approval_requests.id"))
    step: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(index=True)
    on_behalf_of: Mapped[str | None] = mapped_column(index=True)
    verdict: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    key: Mapped[str] = mapped_column(Key, unique=True)


class DutyRow(Base):
    """A duty performed on a subject (SOD-03)."""

    __tablename__ = "duties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(index=True)
    duty: Mapped[str]
    actor: Mapped[str]
    at: Mapped[datetime]
    key: Mapped[str] = mapped_column(Key, unique=True)


# -- tracked items ------------------------------------------------------------------------------


class TrackedItemRow(Base):
    """An item that must be done by a deadline: a complaint, a task, an audit finding, a loan."""

    __tablename__ = "tracked_items"

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    subject_kind: Mapped[str]
    control: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str]
    state: Mapped[str]
    is_open: Mapped[bool] = mapped_column(index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    opened_at: Mapped[datetime]
    open_key: Mapped[str] = mapped_column(Key, unique=True)
    moves: Mapped[list[TrackedMoveRow]] = relationship(
        order_by="TrackedMoveRow.seq", cascade="all, delete-orphan", lazy="selectin"
    )


class TrackedMoveRow(Base):
    """A transition a tracked item went through; appended, never changed."""

    __tablename__ = "tracked_moves"
    __table_args__ = (UniqueConstraint("item_id", "seq", name="uq_tracked_moves_item_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(Key, ForeignKey("tracked_items.id"))
    seq: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str]
    to_state: Mapped[str]
    actor: Mapped[str]
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str] = mapped_column(Key, unique=True)


# -- decision log -------------------------------------------------------------------------------


class LogEntryRow(Base):
    """One decision, chained: ``hash = sha256(prev_hash + body)``.

    ``body`` is the canonical JSON of the entry exactly as it was hashed, and the only place the
    findings are kept; the other columns copy what queries need, and verification checks them
    against the body.
    """

    __tablename__ = "decision_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(Digest)
    outcome: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None]
    policy_version: Mapped[str]
    policy_sha256: Mapped[str] = mapped_column(Digest)
    plugins_sha256: Mapped[str] = mapped_column(String(64), server_default="")
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(Digest)
    hash: Mapped[str] = mapped_column(Digest, unique=True)


class LogHeadRow(Base):
    """The single row holding the chain's last sequence number and hash; appenders lock it."""

    __tablename__ = "decision_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(Digest)
    mac: Mapped[str | None] = mapped_column(Digest)
    """HMAC-SHA256 of (seq, hash) under the firm's log key; None without a key."""


class LogPersonRow(Base):
    """A person's salt: the only link between an employee id and the pseudonym the log keeps.

    ``pseudonym = sha256(salt || person)`` (hex). Erasing the person deletes this row and nothing
    else: the log still verifies, and its entries can no longer be linked to them.
    """

    __tablename__ = "log_persons"

    person: Mapped[str] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(Digest)
    """32 random bytes, hex."""
    pseudonym: Mapped[str] = mapped_column(Digest, unique=True)


# -- records registry ---------------------------------------------------------------------------


class RecordRow(Base):
    """A registered record. Rows are never deleted, so a number is never reused (RET-05)."""

    __tablename__ = "records"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(400), default="")
    closed_on: Mapped[date]
    event_on: Mapped[date | None]
    important: Mapped[bool] = mapped_column(default=False)
    due_on: Mapped[date | None] = mapped_column(index=True)
    """First day the record may be destroyed, from the engine (RET-01, RET-02)."""
    permanent: Mapped[bool] = mapped_column(default=False)
    registered_at: Mapped[datetime]
    destroyed_on: Mapped[date | None]
    destruction_list_id: Mapped[str | None] = mapped_column(ForeignKey("destruction_lists.id"))

    classes: Mapped[list[RecordClassRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RecordClassRow.record_class"
    )
    holds: Mapped[list[HoldRow]] = relationship(lazy="selectin", order_by="HoldRow.id")
    loans: Mapped[list[LoanRow]] = relationship(lazy="selectin", order_by="LoanRow.id")
    backups: Mapped[list[BackupRow]] = relationship(lazy="selectin", order_by="BackupRow.id")


class RecordClassRow(Base):
    __tablename__ = "record_classes"

    record_number: Mapped[str] = mapped_column(ForeignKey("records.number"), primary_key=True)
    record_class: Mapped[str] = mapped_column(primary_key=True)


class HoldRow(Base):
    """A legal hold or a link to an unsettled claim, debt or matter (RET-03)."""

    __tablename__ = "holds"

    id: Mapped[str] = mapped_column(primary_key=True)
    record_number: Mapped[str] = mapped_column(ForeignKey("records.number"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    matter: Mapped[str | None]
    placed_on: Mapped[date]
    released_on: Mapped[date | None]


class LoanRow(Base):
    """A record lent out on an approved request (RET-06)."""

    __tablename__ = "loans"

    id: Mapped[str] = mapped_column(primary_key=True)
    record_number: Mapped[str] = mapped_column(ForeignKey("records.number"), index=True)
    borrower: Mapped[str]
    lent_on: Mapped[date]
    due_on: Mapped[date]
    approval_id: Mapped[str | None] = mapped_column(ForeignKey("approval_requests.id"))
    approved: Mapped[bool] = mapped_column(default=False)
    returned_on: Mapped[date | None]


class BackupRow(Base):
    """A backup copy of a record (RET-07)."""

    __tablename__ = "backups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_number: Mapped[str] = mapped_column(ForeignKey("records.number"), index=True)
    location: Mapped[str] = mapped_column(String(400))
    made_on: Mapped[date]


class NumberSequenceRow(Base):
    """The last number given per prefix and year (RET-05); it only grows."""

    __tablename__ = "number_sequences"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class DestructionListRow(Base):
    """A destruction list (销毁清册); kept permanently, never deleted (RET-04)."""

    __tablename__ = "destruction_lists"

    id: Mapped[str] = mapped_column(primary_key=True)
    destruction_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))
    proposed_at: Mapped[datetime]
    executed_at: Mapped[datetime | None]
    record_number: Mapped[str | None] = mapped_column(String(32))
    """The list's own registry number (class ``destruction_list``, kept permanently)."""

    items: Mapped[list[DestructionItemRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="DestructionItemRow.position"
    )
    appraisals: Mapped[list[AppraisalRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AppraisalRow.record"
    )
    signatures: Mapped[list[SignatureRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SignatureRow.id"
    )


class DestructionItemRow(Base):
    __tablename__ = "destruction_items"

    list_id: Mapped[str] = mapped_column(ForeignKey("destruction_lists.id"), primary_key=True)
    record: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(400))
    volume: Mapped[str]
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    required_years: Mapped[int | None] = mapped_column(Integer)
    kept_years: Mapped[int] = mapped_column(Integer)


class AppraisalRow(Base):
    __tablename__ = "appraisals"

    list_id: Mapped[str] = mapped_column(ForeignKey("destruction_lists.id"), primary_key=True)
    record: Mapped[str] = mapped_column(String(32), primary_key=True)
    opinion: Mapped[str] = mapped_column(String(16))
    appraiser: Mapped[str]
    extra_years: Mapped[int] = mapped_column(Integer)


class SignatureRow(Base):
    """An approval or a supervision signature on a destruction list."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("destruction_lists.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    employee: Mapped[str]
    role: Mapped[str] = mapped_column(default="")
    department: Mapped[str] = mapped_column(default="")
    checked_before: Mapped[bool] = mapped_column(default=False)
    signed_after: Mapped[bool] = mapped_column(default=False)

"""Target splits and service units in the store, with the branch office's sweeps.

Service units are the core's tracked items (subject kind ``service_unit``): state, applicant and
due day in ``tracked_items``, the application here under the same id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import Select

from agency_branch_office.entities import TargetSplit, UnitFacts
from agency_branch_office.rules import UNIT
from agency_branch_office.tree import branch_of, section
from agency_core.calendar import Period
from agency_core.decision import Decision, Outcome
from agency_core.errors import NotFound
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.errors import Refused
from agency_core.store.models import NAMING, ApprovalRequestRow, RouteStepRow, TrackedItemRow
from agency_core.store.session import translated
from agency_core.store.tracked import overdue_sweep
from agency_core.transitions import Tracked, TransitionCheck

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["SWEEPS", "ServiceUnits", "TargetBook", "metadata"]

Code = String(64)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


class TargetRow(Base):
    __tablename__ = "branch_office_targets"
    __table_args__ = (UniqueConstraint("branch", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    branch: Mapped[str] = mapped_column(Code)
    year: Mapped[int]
    annual: Mapped[Decimal] = mapped_column(Numeric(20, 2))


class TargetPartRow(Base):
    __tablename__ = "branch_office_target_parts"
    __table_args__ = (CheckConstraint("part IN ('quarter', 'month', 'person')", name="part"),)

    target_id: Mapped[int] = mapped_column(ForeignKey("branch_office_targets.id"), primary_key=True)
    part: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(Code, primary_key=True)
    """The quarter (1-4), the month (1-12) or the person."""
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))


class UnitRow(Base):
    __tablename__ = "branch_office_units"

    id: Mapped[str] = mapped_column(Code, primary_key=True)
    """The service unit's tracked item id."""
    plan: Mapped[str] = mapped_column(Text, default="")
    staffing: Mapped[str] = mapped_column(Text, default="")
    premises: Mapped[str] = mapped_column(Text, default="")
    budget: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    effective_on: Mapped[date | None] = mapped_column(Date)
    registration: Mapped[str] = mapped_column(Code, default="")


def _refuse(what: str, decision: Decision) -> Decision:
    if decision.outcome is Outcome.DENY:
        raise Refused(what, decision)
    return decision


class TargetBook:
    """Sales targets split by quarter, month and person (BR-02); uneven splits are refused."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def put(self, split: TargetSplit) -> Decision:
        """Store ``split`` (replacing the branch's split of that year) if it adds up exactly."""
        decision = _refuse(f"target of {split.branch} {split.year}", self._tx.engine.decide(split))
        session = self._tx.session
        row = session.scalars(
            select(TargetRow).where(TargetRow.branch == split.branch, TargetRow.year == split.year)
        ).one_or_none()
        if row is None:
            row = TargetRow(branch=split.branch, year=split.year, annual=split.annual)
            session.add(row)
            with translated():
                session.flush()
        row.annual = split.annual
        session.execute(delete(TargetPartRow).where(TargetPartRow.target_id == row.id))
        parts = [
            *(("quarter", str(i + 1), a) for i, a in enumerate(split.quarters)),
            *(("month", str(i + 1), a) for i, a in enumerate(split.months)),
            *(("person", p.person, p.amount) for p in split.people),
        ]
        session.add_all(
            TargetPartRow(target_id=row.id, part=part, key=key, amount=amount)
            for part, key, amount in parts
        )
        with translated():
            session.flush()
        return decision


class ServiceUnits:
    """Establishing and changing service units (BR-03) as tracked items."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _due(self, at: datetime) -> date:
        days = section(self._tx.engine.policy).registration_days
        return self._tx.engine.deadline(at, Period(days, "calendar_days")).last_day

    def _row(self, unit_id: str) -> UnitRow:
        row = self._tx.session.get(UnitRow, unit_id)
        if row is None:
            raise NotFound(f"no service unit {unit_id!r}")
        return row

    def _facts(self, row: UnitRow) -> UnitFacts:
        return UnitFacts(
            row.plan,
            row.staffing,
            row.premises,
            row.budget,
            row.reason,
            row.effective_on,
            row.registration,
        )

    def apply(
        self,
        unit_id: str,
        applicant: str,
        facts: UnitFacts,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Tracked:
        """Apply to establish a unit: plan, staffing, premises and budget, or refused."""
        at = at or self._tx.now()
        actor = self._tx.employees.get(applicant)
        first = TransitionCheck(UNIT, unit_id, "drafted", "applied", actor, at, facts)
        _refuse(f"service unit {unit_id}", self._tx.engine.decide(first))  # before opening it
        self._tx.tracked.open(
            unit_id, UNIT, control="BR-03", owner=applicant, due_on=self._due(at), key=key, at=at
        )
        item = self._tx.tracked.move(
            unit_id, "applied", applicant, key=f"{key}:applied", data=facts, at=at
        )
        self._save(unit_id, facts)
        return item

    def _save(self, unit_id: str, facts: UnitFacts) -> None:
        row = self._tx.session.get(UnitRow, unit_id) or UnitRow(id=unit_id)
        for name, value in attrs.asdict(facts).items():
            setattr(row, name, value)
        self._tx.session.add(row)
        with translated():
            self._tx.session.flush()

    def approve(self, unit_id: str, actor: str, *, key: str) -> Tracked:
        """Management approves the application or the change."""
        state = self._tx.tracked.get(unit_id).state
        to = "change_approved" if state == "change_applied" else "approved"
        return self._tx.tracked.move(
            unit_id, to, actor, key=key, data=self._facts(self._row(unit_id))
        )

    def register(self, unit_id: str, actor: str, registration: str, *, key: str) -> Tracked:
        """Record the registration (备案) with its number."""
        facts = attrs.evolve(self._facts(self._row(unit_id)), registration=registration)
        item = self._tx.tracked.move(unit_id, "registered", actor, key=key, data=facts)
        self._save(unit_id, facts)
        return item

    def change(
        self,
        unit_id: str,
        actor: str,
        reason: str,
        effective_on: date,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Tracked:
        """Apply for a change, with its reason, ahead of ``effective_on``."""
        at = at or self._tx.now()
        facts = attrs.evolve(
            self._facts(self._row(unit_id)), reason=reason, effective_on=effective_on
        )
        item = self._tx.tracked.move(
            unit_id, "change_applied", actor, key=key, data=facts, due_on=self._due(at), at=at
        )
        self._save(unit_id, facts)
        return item


# -- sweeps ---------------------------------------------------------------------------------------


def _finance_at_branches(opts: AuditOptions) -> Select[Any]:
    """BR-01: expense claims of branch departments routed to the finance review."""
    spec = section(opts.policy)
    at_branches = [u.id for u in spec.units if branch_of(opts.policy, u.id) is not None]
    r, s = ApprovalRequestRow, RouteStepRow
    return (
        select(r.id.label("id"))
        .join(s, s.request_id == r.id)
        .where(
            r.action == spec.expense_action,
            r.department.in_(at_branches),
            s.role == spec.replaces,
        )
        .distinct()
    )


def _uneven_targets(_opts: AuditOptions) -> Select[Any]:
    """BR-02: targets whose quarters, months or people (or a missing split) miss the annual."""
    t, p = TargetRow, TargetPartRow
    kinds = union_all(
        *(select(literal(kind).label("part")) for kind in ("quarter", "month", "person"))
    ).subquery()
    totals = (
        select(p.target_id, p.part, func.sum(p.amount).label("total"))
        .group_by(p.target_id, p.part)
        .subquery()
    )
    return (
        select((t.branch + ":" + cast(t.year, String)).label("id"))
        .select_from(t)
        .join(kinds, true())
        .outerjoin(totals, and_(totals.c.target_id == t.id, totals.c.part == kinds.c.part))
        .where(func.coalesce(totals.c.total, 0) != t.annual)
        .distinct()
    )


def _incomplete_units(_opts: AuditOptions) -> Select[Any]:
    """BR-03: units past their application with a blank plan, staffing, premises or budget,
    registered without a number, or changed without a reason."""
    u, t = UnitRow, TrackedItemRow
    blank = or_(*(func.trim(c) == "" for c in (u.plan, u.staffing, u.premises, u.budget)))
    return (
        select(u.id.label("id"))
        .join(t, t.id == u.id)
        .where(
            or_(
                and_(t.state != "drafted", blank),
                and_(t.state == "registered", func.trim(u.registration) == ""),
                and_(t.state.in_(("change_applied", "change_approved")), func.trim(u.reason) == ""),
            )
        )
    )


SWEEPS = (
    Sweep("BR-01", "branch expense claims routed to finance review", _finance_at_branches),
    Sweep("BR-02", "sales targets whose splits do not add up", _uneven_targets),
    overdue_sweep("BR-03", "service units not registered by their due day"),
    Sweep(
        "BR-03", "service units with an incomplete application or registration", _incomplete_units
    ),
)

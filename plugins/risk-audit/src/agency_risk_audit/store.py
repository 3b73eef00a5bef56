"""The risk register, indicators and readings, audits and findings in the store, with sweeps.

Audits and findings are the core's tracked items (subject kinds ``audit`` and
``audit_finding``): their state, owner and last day live in ``tracked_items``, their details here
under the same id. Repositories take a :class:`~agency_core.store.Transaction` and never commit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    MetaData,
    Numeric,
    String,
    Text,
    and_,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import Select

from agency_core.calendar import Period
from agency_core.decision import Decision, Outcome
from agency_core.errors import NotFound
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.errors import Refused
from agency_core.store.models import NAMING, EmployeeRow, TrackedItemRow, TrackedMoveRow
from agency_core.store.session import translated
from agency_core.store.tracked import overdue_sweep
from agency_core.transitions import Tracked
from agency_risk_audit.entities import AuditFacts, FindingFacts, IndicatorReading, Risk
from agency_risk_audit.policy import RiskAuditPolicy
from agency_risk_audit.rules import AUDIT, FINDING, SECTION

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["SWEEPS", "AuditBook", "FindingLedger", "RiskRegister", "metadata"]

Code = String(64)
Amount = Numeric(20, 4)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


class RiskRow(Base):
    __tablename__ = "risk_audit_risks"
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact"),
    )

    id: Mapped[str] = mapped_column(Code, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(Code)
    likelihood: Mapped[int]
    impact: Mapped[int]
    response: Mapped[str | None] = mapped_column(Code)
    owner: Mapped[str | None] = mapped_column(Code)


class IndicatorRow(Base):
    __tablename__ = "risk_audit_indicators"
    __table_args__ = (
        CheckConstraint("direction IN ('at_or_above', 'at_or_below')", name="direction"),
    )

    id: Mapped[str] = mapped_column(Code, primary_key=True)
    risk_id: Mapped[str] = mapped_column(ForeignKey("risk_audit_risks.id"))
    threshold: Mapped[Decimal] = mapped_column(Amount)
    direction: Mapped[str] = mapped_column(String(16))


class ReadingRow(Base):
    __tablename__ = "risk_audit_readings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("risk_audit_indicators.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Amount)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    alerted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the RSK-03 alert was raised; None when the reading raised none."""


class AuditRow(Base):
    __tablename__ = "risk_audit_audits"

    id: Mapped[str] = mapped_column(Code, primary_key=True)
    """The audit's tracked item id."""
    audited_department: Mapped[str] = mapped_column(Code)
    scope: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[str] = mapped_column(Text, default="")


class AuditorRow(Base):
    __tablename__ = "risk_audit_auditors"

    audit_id: Mapped[str] = mapped_column(ForeignKey("risk_audit_audits.id"), primary_key=True)
    employee_id: Mapped[str] = mapped_column(Code, primary_key=True)


class FindingRow(Base):
    __tablename__ = "risk_audit_findings"

    id: Mapped[str] = mapped_column(Code, primary_key=True)
    """The finding's tracked item id (its owner, state and deadline are there)."""
    audit_id: Mapped[str] = mapped_column(ForeignKey("risk_audit_audits.id"), index=True)
    description: Mapped[str] = mapped_column(Text)


def _refuse(what: str, decision: Decision) -> Decision:
    if decision.outcome is Outcome.DENY:
        raise Refused(what, decision)
    return decision


class RiskRegister:
    """Risks (RSK-01, RSK-02) and warning indicators with their readings (RSK-03)."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def put(self, risk: Risk) -> Decision:
        """Enter or update ``risk``; refused without a response and an owner (RSK-02)."""
        decision = _refuse(f"risk {risk.id}", self._tx.engine.decide(risk))
        row = RiskRow(
            id=risk.id,
            title=risk.title,
            department=risk.department,
            likelihood=risk.likelihood,
            impact=risk.impact,
            response=risk.response,
            owner=risk.owner,
        )
        with translated():
            self._tx.session.merge(row)
            self._tx.session.flush()
        return decision

    def add_indicator(
        self, indicator_id: str, risk_id: str, threshold: Decimal, direction: str = "at_or_above"
    ) -> None:
        """Watch ``risk_id`` with an indicator that alerts when a reading reaches ``threshold``."""
        IndicatorReading(indicator_id, threshold, threshold, self._tx.now(), direction)
        if self._tx.session.get(RiskRow, risk_id) is None:
            raise NotFound(f"no risk {risk_id!r}")
        self._tx.session.add(
            IndicatorRow(id=indicator_id, risk_id=risk_id, threshold=threshold, direction=direction)
        )
        with translated():
            self._tx.session.flush()

    def read(self, indicator_id: str, value: Decimal, at: datetime | None = None) -> Decision:
        """Record a reading; one that reaches the threshold is stored with its alert (RSK-03)."""
        indicator = self._tx.session.get(IndicatorRow, indicator_id)
        if indicator is None:
            raise NotFound(f"no indicator {indicator_id!r}")
        at = at or self._tx.now()
        reading = IndicatorReading(
            indicator_id, indicator.threshold, value, at, indicator.direction
        )
        decision = _refuse(f"reading of {indicator_id}", self._tx.engine.decide(reading))
        alerted = any(f.control == "RSK-03" for f in decision.findings)
        self._tx.session.add(
            ReadingRow(
                indicator_id=indicator_id, value=value, at=at, alerted_at=at if alerted else None
            )
        )
        with translated():
            self._tx.session.flush()
        return decision


class AuditBook:
    """Audits (AUD-02) as tracked items: planned, fieldwork, reported."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def plan(
        self,
        audit_id: str,
        audited_department: str,
        lead: str,
        auditors: tuple[str, ...],
        *,
        scope: str,
        content: str,
        method: str,
        key: str,
        at: datetime | None = None,
    ) -> Tracked:
        """Plan an audit led by ``lead``; its report is due ``report_days`` after ``at``."""
        at = at or self._tx.now()
        days = self._tx.engine.policy.section(SECTION, RiskAuditPolicy).report_days
        due = due_on(self._tx, at, days)
        self._facts_of(
            audited_department, (lead, *auditors), scope, content, method, ""
        )  # known people
        item = self._tx.tracked.open(
            audit_id, AUDIT, control="AUD-02", owner=lead, due_on=due, key=key, at=at
        )
        session = self._tx.session
        if session.get(AuditRow, audit_id) is None:
            session.add(
                AuditRow(
                    id=audit_id,
                    audited_department=audited_department,
                    scope=scope,
                    content=content,
                    method=method,
                    report="",
                )
            )
            session.add_all(
                AuditorRow(audit_id=audit_id, employee_id=person)
                for person in sorted({lead, *auditors})
            )
            with translated():
                session.flush()
        return item

    def _facts_of(
        self,
        department: str,
        people: tuple[str, ...],
        scope: str,
        content: str,
        method: str,
        report: str,
    ) -> AuditFacts:
        auditors = tuple(self._tx.employees.get(person) for person in people)
        return AuditFacts(department, auditors, scope, content, method, report)

    def _facts(self, audit_id: str, report: str | None = None) -> AuditFacts:
        row = self._tx.session.get(AuditRow, audit_id)
        if row is None:
            raise NotFound(f"no audit {audit_id!r}")
        people = self._tx.session.scalars(
            select(AuditorRow.employee_id).where(AuditorRow.audit_id == audit_id)
        ).all()
        return self._facts_of(
            row.audited_department,
            tuple(people),
            row.scope,
            row.content,
            row.method,
            row.report if report is None else report,
        )

    def start(self, audit_id: str, actor: str, *, key: str) -> Tracked:
        """Start fieldwork: refused on an incomplete plan or a dependent auditor (AUD-02)."""
        facts = self._facts(audit_id)
        return self._tx.tracked.move(audit_id, "fieldwork", actor, key=key, data=facts)

    def report(self, audit_id: str, actor: str, report: str, *, key: str) -> Tracked:
        """File the audit's report (AUD-02); an empty report is refused."""
        item = self._tx.tracked.move(
            audit_id, "reported", actor, key=key, data=self._facts(audit_id, report)
        )
        row = self._tx.session.get(AuditRow, audit_id)
        assert row is not None  # _facts found it
        row.report = report
        with translated():
            self._tx.session.flush()
        return item


class FindingLedger:
    """The issue ledger (问题台账, AUD-01): findings with owner and deadline until closed."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def record(
        self,
        finding_id: str,
        audit_id: str,
        owner: str,
        description: str,
        *,
        key: str,
        due: date | None = None,
        at: datetime | None = None,
    ) -> Tracked:
        """Put a finding on the ledger, due ``due`` or ``finding_days`` after ``at``."""
        if self._tx.session.get(AuditRow, audit_id) is None:
            raise NotFound(f"no audit {audit_id!r}")
        at = at or self._tx.now()
        if due is None:
            days = self._tx.engine.policy.section(SECTION, RiskAuditPolicy).finding_days
            due = due_on(self._tx, at, days)
        self._tx.employees.get(owner)
        item = self._tx.tracked.open(
            finding_id, FINDING, control="AUD-01", owner=owner, due_on=due, key=key, at=at
        )
        if self._tx.session.get(FindingRow, finding_id) is None:
            self._tx.session.add(
                FindingRow(id=finding_id, audit_id=audit_id, description=description)
            )
            with translated():
                self._tx.session.flush()
        return item

    def move(self, finding_id: str, to_state: str, actor: str, *, key: str) -> Tracked:
        """Move a finding (rectified, closed, reopened); closing is refused to its owner."""
        owner = self._tx.tracked.get(finding_id).owner
        return self._tx.tracked.move(finding_id, to_state, actor, key=key, data=FindingFacts(owner))


def due_on(tx: Transaction, at: datetime, days: int) -> date:
    """The last day of a period of ``days`` calendar days from ``at`` (the firm's calendar)."""
    return tx.engine.deadline(at, Period(days, "calendar_days")).last_day


# -- sweeps: one query of offending ids each ------------------------------------------------------


def _without_owner_or_response(opts: AuditOptions) -> Select[Any]:
    """RSK-02: risks without an owner, or without a response of the policy."""
    responses = opts.policy.section(SECTION, RiskAuditPolicy).responses
    return select(RiskRow.id.label("id")).where(
        or_(
            RiskRow.owner.is_(None),
            RiskRow.response.is_(None),
            RiskRow.response.not_in(responses),
        )
    )


def _readings_without_alert(_opts: AuditOptions) -> Select[Any]:
    """RSK-03: readings that reached their threshold and raised no alert."""
    r, i = ReadingRow, IndicatorRow
    reached = or_(
        and_(i.direction == "at_or_above", r.value >= i.threshold),
        and_(i.direction == "at_or_below", r.value <= i.threshold),
    )
    return (
        select((i.id + ":" + cast(r.id, String)).label("id"))
        .select_from(r)
        .join(i, i.id == r.indicator_id)
        .where(reached, r.alerted_at.is_(None))
    )


def _closed_by_owner(_opts: AuditOptions) -> Select[Any]:
    """AUD-01: findings whose owner moved them to closed."""
    t, m = TrackedItemRow, TrackedMoveRow
    return (
        select(t.id.label("id"))
        .join(m, m.item_id == t.id)
        .where(t.subject_kind == FINDING, m.to_state == "closed", m.actor == t.owner)
        .distinct()
    )


def _dependent_auditors(_opts: AuditOptions) -> Select[Any]:
    """AUD-02: audits with an auditor of the audited department."""
    a, p, e = AuditRow, AuditorRow, EmployeeRow
    return select(a.id.label("id")).where(
        exists().where(
            p.audit_id == a.id, e.id == p.employee_id, e.department == a.audited_department
        )
    )


def _without_plan(_opts: AuditOptions) -> Select[Any]:
    """AUD-02: audits past planning whose plan lacks scope, content or method."""
    a, t = AuditRow, TrackedItemRow
    blank = or_(*(func.trim(col) == "" for col in (a.scope, a.content, a.method)))
    return select(a.id.label("id")).join(t, t.id == a.id).where(t.state != "planned", blank)


def _reported_without_report(_opts: AuditOptions) -> Select[Any]:
    """AUD-02: audits marked reported with no report text."""
    a, t = AuditRow, TrackedItemRow
    return (
        select(a.id.label("id"))
        .join(t, t.id == a.id)
        .where(t.state == "reported", func.trim(a.report) == "")
    )


SWEEPS = (
    Sweep("RSK-02", "risks without an owner or a response", _without_owner_or_response),
    Sweep("RSK-03", "readings that reached a threshold without an alert", _readings_without_alert),
    overdue_sweep("AUD-01", "audit findings open past their deadline"),
    Sweep("AUD-01", "audit findings closed by their own owner", _closed_by_owner),
    overdue_sweep("AUD-02", "audits without a report past their due day"),
    Sweep("AUD-02", "audits with an auditor of the audited department", _dependent_auditors),
    Sweep("AUD-02", "audits under way without a complete plan", _without_plan),
    Sweep("AUD-02", "audits reported without a report", _reported_without_report),
)

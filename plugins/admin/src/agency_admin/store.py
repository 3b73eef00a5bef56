"""The admin plugin's tables, its repository over a store transaction, and its set-based sweeps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final
from zoneinfo import ZoneInfo

import attrs
from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql import Select

from agency_admin.entities import (
    Acceptance,
    AcceptedLine,
    Act,
    AdminAct,
    ApprovalFacts,
    ContractLine,
    Document,
    PurchaseContract,
    PurchasePayment,
    ResolutionDone,
    SealApplication,
    SealReturn,
    SealUse,
)
from agency_admin.policy import AdminPolicy
from agency_admin.rules import RESOLUTION, SEAL_USE, required_action
from agency_core.decision import Decision, Outcome
from agency_core.entities import ApprovalRequest, Money
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.requests import RoleGrant
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.errors import Refused
from agency_core.store.extension import StoreExtension
from agency_core.store.models import (
    NAMING,
    ApprovalRequestRow,
    StepActionRow,
    TrackedMoveRow,
)
from agency_core.store.ports import Submission
from agency_core.store.session import active_transaction, translated
from agency_core.store.tracked import overdue_sweep
from agency_core.store.types import Amount, UTCDateTime
from agency_core.transitions import Tracked, TransitionCheck

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = [
    "SWEEPS",
    "AdminRepository",
    "extension",
    "metadata",
    "resolution_item",
    "seal_item",
    "with_stored_custodian",
]

VERSIONS: Final = Path(__file__).parent / "migrations" / "versions"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: Amount(),
        str: String(64),
    }


metadata: Final = Base.metadata


class SealRow(Base):
    """A seal and its custodian (公司印章由专人负责保管)."""

    __tablename__ = "admin_seals"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    custodian: Mapped[str]


class _DocumentColumns:
    doc_kind: Mapped[str]
    doc_number: Mapped[str]
    doc_title: Mapped[str] = mapped_column(String(200))
    doc_blank: Mapped[bool] = mapped_column(Boolean)


class SealApplicationRow(_DocumentColumns, Base):
    """A seal use application; its approval is the core's request with the same id (ADM-01)."""

    __tablename__ = "admin_seal_applications"

    id: Mapped[str] = mapped_column(primary_key=True)
    seal: Mapped[str] = mapped_column(ForeignKey("admin_seals.id"))
    reason: Mapped[str] = mapped_column(Text)
    department: Mapped[str]
    user: Mapped[str]


class SealUseRow(_DocumentColumns, Base):
    """The seal use register (印章使用登记); the return is the tracked item ``seal_use/<id>``."""

    __tablename__ = "admin_seal_uses"

    id: Mapped[str] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("admin_seal_applications.id"), index=True
    )
    seal: Mapped[str]
    user: Mapped[str]
    custodian: Mapped[str]
    used_at: Mapped[datetime]


class ActRow(Base):
    """Supplies issued, equipment repaired or scrapped, on an approved application."""

    __tablename__ = "admin_acts"

    id: Mapped[str] = mapped_column(primary_key=True)
    act: Mapped[str]
    subject: Mapped[str]
    application_id: Mapped[str] = mapped_column(index=True)
    actor: Mapped[str]
    on: Mapped[date]


class AssetRow(Base):
    """The fixed-asset register (资产台账): numbered on purchase (ADM-07)."""

    __tablename__ = "admin_assets"

    number: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str]
    application_id: Mapped[str] = mapped_column(index=True)
    contract_id: Mapped[str | None] = mapped_column(index=True)
    acquired_on: Mapped[date]
    registered_on: Mapped[date]
    disposed_on: Mapped[date | None]


class StocktakeRow(Base):
    """An asset counted in a stocktake (清查盘点)."""

    __tablename__ = "admin_stocktakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_number: Mapped[str] = mapped_column(ForeignKey("admin_assets.number"), index=True)
    counted_on: Mapped[date]
    counted_by: Mapped[str]


class MeetingRow(Base):
    """A meeting whose resolutions are tracked (ADM-05)."""

    __tablename__ = "admin_meetings"

    id: Mapped[str] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date]
    organiser: Mapped[str]


class ResolutionRow(Base):
    """A resolution of a meeting; its execution is the tracked item ``resolution/<id>``."""

    __tablename__ = "admin_resolutions"

    id: Mapped[str] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("admin_meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)


class ContractRow(Base):
    """A purchase contract (ADM-06)."""

    __tablename__ = "admin_contracts"

    id: Mapped[str] = mapped_column(primary_key=True)
    supplier: Mapped[str]
    purchaser: Mapped[str]
    signed_on: Mapped[date]
    lines: Mapped[list[ContractLineRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ContractLineRow.item"
    )


class ContractLineRow(Base):
    __tablename__ = "admin_contract_lines"

    contract_id: Mapped[str] = mapped_column(ForeignKey("admin_contracts.id"), primary_key=True)
    item: Mapped[str] = mapped_column(primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    fixed_asset: Mapped[bool] = mapped_column(Boolean)


class AcceptanceRow(Base):
    """Goods accepted against a contract (验收)."""

    __tablename__ = "admin_acceptances"

    id: Mapped[str] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("admin_contracts.id"), index=True)
    receiver: Mapped[str]
    accepted_at: Mapped[datetime]
    passed: Mapped[bool] = mapped_column(Boolean)
    lines: Mapped[list[AcceptanceLineRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AcceptanceLineRow.item"
    )


class AcceptanceLineRow(Base):
    __tablename__ = "admin_acceptance_lines"

    acceptance_id: Mapped[str] = mapped_column(ForeignKey("admin_acceptances.id"), primary_key=True)
    item: Mapped[str] = mapped_column(primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)


class PaymentRow(Base):
    """A payment on a purchase contract (ADM-06)."""

    __tablename__ = "admin_payments"

    id: Mapped[str] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("admin_contracts.id"), index=True)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime]
    payer: Mapped[str]


def seal_item(use_id: str) -> str:
    """The id of the tracked item of a seal use (out until returned)."""
    return f"{SEAL_USE}/{use_id}"


def resolution_item(resolution_id: str) -> str:
    """The id of the tracked item of a meeting resolution."""
    return f"{RESOLUTION}/{resolution_id}"


def with_stored_custodian(check: TransitionCheck) -> TransitionCheck:
    """``check`` with the seal's custodian as the active store transaction registered it.

    A seal's return inside a store transaction (by the repository or a direct
    ``tx.tracked.move``) is judged on the stored custodian; outside one, on its data.
    """
    tx = active_transaction()
    if tx is None or check.subject_kind != SEAL_USE:
        return check
    use = tx.session.get(SealUseRow, check.subject.removeprefix(f"{SEAL_USE}/"))
    return attrs.evolve(check, data=SealReturn(use.custodian) if use is not None else None)


def _document(row: _DocumentColumns) -> Document:
    return Document(row.doc_kind, row.doc_number, row.doc_title, row.doc_blank)


def _document_columns(document: Document) -> dict[str, Any]:
    return {
        "doc_kind": document.kind,
        "doc_number": document.number,
        "doc_title": document.title,
        "doc_blank": document.blank,
    }


class AdminRepository:
    """Seals, supplies, equipment, assets, meetings and purchases in one store transaction.

    Every act asks the engine with facts read from the store (the stored approval, the seal's
    registered custodian, the contract's acceptances), never with a caller's claim, and raises
    :class:`~agency_core.store.Refused` when it denies. Repositories never commit.
    """

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    @property
    def _policy(self) -> AdminPolicy:
        return self._tx.engine.policy.section("admin", AdminPolicy)

    def _allowed(self, what: str, request: object) -> Decision:
        decision = self._tx.engine.decide(request)
        if decision.outcome is Outcome.DENY:
            raise Refused(what, decision)
        return decision

    def _add(self, row: Base, *key: object) -> None:
        session = self._tx.session
        if session.get(type(row), key if len(key) > 1 else key[0]) is not None:
            raise StateError(f"{type(row).__tablename__} {key[0]} is already recorded")
        session.add(row)
        with translated():
            session.flush()

    def _get(self, kind: type[Any], key: str, what: str) -> Any:
        row = self._tx.session.get(kind, key)
        if row is None:
            raise NotFound(f"no {what} {key!r}")
        return row

    def _approval(self, application: str) -> ApprovalFacts | None:
        if self._tx.session.get(ApprovalRequestRow, application) is None:
            return None
        return self._tx.approvals.get(application).facts()

    def _submit(
        self, application: str, action: str, department: str, requester: str, key: str
    ) -> Submission:
        person = self._tx.employees.get(requester)
        if person.department != department:
            raise InvalidInput(
                f"{requester} belongs to {person.department}, not {department}",
                path="$.department",
            )
        money = Money("0", self._tx.engine.policy.currency)
        request = ApprovalRequest(application, action, money, department, requester)
        return self._tx.approvals.submit(request, key=key)

    # -- seals (ADM-01, ADM-02, ADM-08, SOD-02, SOD-03) --

    def register_seal(self, seal: str, name: str, custodian: str) -> None:
        """Register a seal with its custodian, who must hold the custodian role (SOD-02 checked)."""
        role = self._policy.custodian_role
        person = self._tx.employees.get(custodian)
        if role not in self._tx.engine.policy.effective_roles(person.roles):
            raise InvalidInput(f"{custodian} does not hold the role {role}", path="$.custodian")
        grant = RoleGrant(attrs.evolve(person, roles=person.roles - {role}), role)
        self._allowed(f"{custodian} as custodian of {seal}", grant)
        self._add(SealRow(id=seal, name=name, custodian=custodian), seal)

    def apply_for_seal(self, application: SealApplication, *, key: str) -> Submission:
        """File a seal use application and submit it for approval along the policy's route."""
        self._get(SealRow, application.seal, "seal")
        submission = self._submit(
            application.id, self._policy.seal_action, application.department, application.user, key
        )
        self._add(
            SealApplicationRow(
                id=application.id,
                seal=application.seal,
                reason=application.reason,
                department=application.department,
                user=application.user,
                **_document_columns(application.document),
            ),
            application.id,
        )
        return submission

    def application(self, application_id: str) -> SealApplication:
        """The stored seal use application ``application_id``."""
        row: SealApplicationRow = self._get(SealApplicationRow, application_id, "application")
        return SealApplication(
            row.id, row.seal, row.reason, row.department, row.user, _document(row)
        )

    def use_seal(
        self,
        use_id: str,
        application_id: str,
        user: str,
        document: Document,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Tracked:
        """Hand the seal to ``user`` for ``document``: logged, tracked until it is returned.

        One application is one use: a second use of it is a :class:`StateError`.

        Refused unless the stored application is approved and names this user and document,
        the document is not blank, and the seal's custodian approved nothing of it (ADM-01,
        ADM-02, SOD-02); the approvers' and the user's duties go through the core (SOD-03).
        """
        spec, at = self._policy, at or self._tx.now()
        application = self.application(application_id)
        used = self._tx.session.scalars(
            select(SealUseRow.id).where(SealUseRow.application_id == application_id)
        ).first()
        if used is not None and used != use_id:
            raise StateError(f"application {application_id} was used already ({used})")
        seal: SealRow = self._get(SealRow, application.seal, "seal")
        approval = self._approval(application_id)
        people = self._tx.employees
        use = SealUse(
            use_id,
            application,
            people.get(user),
            people.get(seal.custodian),
            document,
            at,
            approval,
        )
        self._allowed(f"seal use {use_id}", use)
        duties = self._tx.duties
        for index, approver in enumerate(approval.approvers if approval else ()):
            duties.perform(
                application_id, spec.approve_seal_duty, approver, key=f"{key}:approve:{index}"
            )
        duties.perform(application_id, spec.apply_seal_duty, user, key=f"{key}:apply", at=at)
        self._add(
            SealUseRow(
                id=use_id,
                application_id=application_id,
                seal=seal.id,
                user=user,
                custodian=seal.custodian,
                used_at=at,
                **_document_columns(document),
            ),
            use_id,
        )
        # the day of use where the firm is (CONTROLS.md section 4), whatever the offset of ``at``
        due = self._tx.engine.policy.local_date(at) + timedelta(days=spec.seal_return_days)
        return self._tx.tracked.open(
            seal_item(use_id), SEAL_USE, control="ADM-08", owner=user, due_on=due, key=key, at=at
        )

    def return_seal(
        self, use_id: str, received_by: str, *, key: str, at: datetime | None = None
    ) -> Tracked:
        """Log the seal's return, received by its custodian (ADM-08)."""
        use: SealUseRow = self._get(SealUseRow, use_id, "seal use")
        return self._tx.tracked.move(
            seal_item(use_id),
            "returned",
            received_by,
            key=key,
            data=SealReturn(use.custodian),
            at=at,
        )

    # -- approved acts (ADM-03, ADM-04, ADM-07) --

    def request(
        self, application: str, act: Act | str, department: str, requester: str, *, key: str
    ) -> Submission:
        """Submit an application for ``act`` under the action the policy names for it."""
        action = required_action(Act(act), self._policy)
        return self._submit(application, action, department, requester, key)

    def _act(
        self, act_id: str, act: Act, subject: str, application: str, actor: str, on: date
    ) -> None:
        check = AdminAct(act_id, act, subject, application, actor, on, self._approval(application))
        self._allowed(f"{act.value} {subject}", check)
        row = ActRow(
            id=act_id,
            act=act.value,
            subject=subject,
            application_id=application,
            actor=actor,
            on=on,
        )
        self._add(row, act_id)

    def issue_supplies(self, issue_id: str, application: str, actor: str, on: date) -> None:
        """Issue the supplies of an approved requisition (ADM-03)."""
        self._act(issue_id, Act.SUPPLIES_ISSUE, application, application, actor, on)

    def repair(self, repair_id: str, asset: str, application: str, actor: str, on: date) -> None:
        """Repair a registered asset on an approved repair application (ADM-04)."""
        self._live_asset(asset)
        self._act(repair_id, Act.EQUIPMENT_REPAIR, asset, application, actor, on)

    def scrap(self, scrap_id: str, asset: str, application: str, actor: str, on: date) -> None:
        """Scrap a registered asset on an approved scrapping application (ADM-04)."""
        row = self._live_asset(asset)
        self._act(scrap_id, Act.EQUIPMENT_SCRAPPING, asset, application, actor, on)
        row.disposed_on = on
        with translated():
            self._tx.session.flush()

    def _live_asset(self, number: str) -> AssetRow:
        row: AssetRow = self._get(AssetRow, number, "asset")
        if row.disposed_on is not None:
            raise StateError(f"asset {number} was disposed of on {row.disposed_on}")
        return row

    # -- fixed assets (ADM-07) --

    def register_asset(
        self,
        name: str,
        department: str,
        application: str,
        actor: str,
        *,
        acquired_on: date,
        on: date,
        contract: str | None = None,
    ) -> str:
        """Number and register a fixed asset bought on an approved purchase; its number."""
        if contract is not None:
            self._get(ContractRow, contract, "contract")
        prefix = self._policy.asset_number_prefix
        count = self._tx.session.scalar(
            select(func.count()).select_from(AssetRow).where(AssetRow.number.like(f"{prefix}-%"))
        )
        number = f"{prefix}-{int(count or 0) + 1:06d}"
        check = AdminAct(
            f"register:{number}",
            Act.ASSET_REGISTRATION,
            number,
            application,
            actor,
            on,
            self._approval(application),
        )
        self._allowed(f"registration of {name}", check)
        row = AssetRow(
            number=number,
            name=name,
            department=department,
            application_id=application,
            contract_id=contract,
            acquired_on=acquired_on,
            registered_on=on,
        )
        self._add(row, number)
        return number

    def stocktake(self, asset: str, counted_by: str, on: date) -> None:
        """Record that ``asset`` was counted in a stocktake on ``on``."""
        self._live_asset(asset)
        self._tx.session.add(StocktakeRow(asset_number=asset, counted_on=on, counted_by=counted_by))
        with translated():
            self._tx.session.flush()

    # -- meetings (ADM-05) --

    def record_meeting(self, meeting_id: str, title: str, held_on: date, organiser: str) -> None:
        """Record a meeting whose resolutions will be tracked."""
        self._tx.employees.get(organiser)
        self._add(
            MeetingRow(id=meeting_id, title=title, held_on=held_on, organiser=organiser), meeting_id
        )

    def add_resolution(
        self, resolution_id: str, meeting: str, text: str, owner: str, due_on: date, *, key: str
    ) -> Tracked:
        """Track a resolution of ``meeting`` with its owner and deadline."""
        self._get(MeetingRow, meeting, "meeting")
        if not text.strip():
            raise InvalidInput("text must be a non-empty text", path="$.text")
        self._add(ResolutionRow(id=resolution_id, meeting_id=meeting, text=text), resolution_id)
        return self._tx.tracked.open(
            resolution_item(resolution_id),
            RESOLUTION,
            control="ADM-05",
            owner=owner,
            due_on=due_on,
            key=key,
        )

    def complete_resolution(
        self, resolution_id: str, actor: str, outcome: str, *, key: str
    ) -> Tracked:
        """Close a resolution with its outcome recorded (ADM-05)."""
        return self._tx.tracked.move(
            resolution_item(resolution_id), "done", actor, key=key, data=ResolutionDone(outcome)
        )

    # -- purchases (ADM-06) --

    def add_contract(self, contract: PurchaseContract) -> None:
        """Record a purchase contract and its lines."""
        lines = [
            ContractLineRow(
                item=line.item,
                quantity=line.quantity,
                unit_price=line.unit_price.amount,
                currency=line.unit_price.currency,
                fixed_asset=line.fixed_asset,
            )
            for line in contract.lines
        ]
        row = ContractRow(
            id=contract.id,
            supplier=contract.supplier,
            purchaser=contract.purchaser,
            signed_on=contract.signed_on,
            lines=lines,
        )
        self._add(row, contract.id)

    def contract(self, contract_id: str) -> PurchaseContract:
        """The stored purchase contract ``contract_id``."""
        row: ContractRow = self._get(ContractRow, contract_id, "contract")
        lines = tuple(
            ContractLine(
                line.item, line.quantity, Money(line.unit_price, line.currency), line.fixed_asset
            )
            for line in row.lines
        )
        return PurchaseContract(row.id, row.supplier, row.purchaser, row.signed_on, lines)

    def accept_goods(self, acceptance: Acceptance) -> None:
        """Record goods accepted against their contract: only items on it, up to its quantity."""
        contract = self.contract(acceptance.contract)
        ordered = {line.item: line.quantity for line in contract.lines}
        for index, line in enumerate(acceptance.lines):
            if line.item not in ordered:
                raise InvalidInput(
                    f"{line.item} is not on contract {contract.id}", path=f"$.lines[{index}].item"
                )
        self._tx.employees.get(acceptance.receiver)
        row = AcceptanceRow(
            id=acceptance.id,
            contract_id=acceptance.contract,
            receiver=acceptance.receiver,
            accepted_at=acceptance.at,
            passed=acceptance.passed,
            lines=[
                AcceptanceLineRow(item=line.item, quantity=line.quantity)
                for line in acceptance.lines
            ],
        )
        self._add(row, acceptance.id)

    def pay(
        self, payment_id: str, contract_id: str, amount: Money, payer: str, *, at: datetime
    ) -> Decision:
        """Pay on a contract: refused before its goods are accepted, or beyond them (ADM-06)."""
        contract = self.contract(contract_id)
        session = self._tx.session
        acceptances = tuple(
            Acceptance(
                a.id,
                a.contract_id,
                a.receiver,
                a.accepted_at,
                tuple(AcceptedLine(line.item, line.quantity) for line in a.lines),
                a.passed,
            )
            for a in session.scalars(
                select(AcceptanceRow).where(AcceptanceRow.contract_id == contract_id)
            )
        )
        paid = session.scalars(
            select(PaymentRow.amount).where(PaymentRow.contract_id == contract_id)
        ).all()
        before = Money(sum(paid, Decimal(0)), amount.currency) if paid else None
        payment = PurchasePayment(payment_id, contract, amount, at, acceptances, before)
        decision = self._allowed(f"payment {payment_id}", payment)
        row = PaymentRow(
            id=payment_id,
            contract_id=contract_id,
            amount=amount.amount,
            currency=amount.currency,
            paid_at=at,
            payer=payer,
        )
        self._add(row, payment_id)
        return decision


# -- sweeps: one query each, offending ids ---------------------------------------------------------


def _unapproved(application: Any, action: Any) -> Any:
    """No approval request ``application`` of ``action`` was approved (outer-joined rows)."""
    request = ApprovalRequestRow
    return ~(
        select(request.id)
        .where(request.id == application, request.action == action, request.status == "approved")
        .exists()
    )


def _seal_unapproved(opts: AuditOptions) -> Select[Any]:
    """ADM-01: seals used without an approved seal use application."""
    action = opts.policy.section("admin", AdminPolicy).seal_action
    return select(SealUseRow.id.label("id")).where(_unapproved(SealUseRow.application_id, action))


def _seal_blank(_opts: AuditOptions) -> Select[Any]:
    """ADM-02: seals put on a blank document."""
    return select(SealUseRow.id.label("id")).where(SealUseRow.doc_blank.is_(True))


def _seal_self_approved(_opts: AuditOptions) -> Select[Any]:
    """SOD-03: a seal applied by someone who approved its application."""
    use, step = SealUseRow, StepActionRow
    return (
        select(use.id.label("id"))
        .join(step, step.request_id == use.application_id)
        .where(
            step.verdict == "approve", or_(step.actor == use.user, step.on_behalf_of == use.user)
        )
        .distinct()
    )


def _seal_returned_elsewhere(_opts: AuditOptions) -> Select[Any]:
    """ADM-08: seals whose return was logged by someone other than their custodian."""
    use, move = SealUseRow, TrackedMoveRow
    return (
        select(use.id.label("id"))
        .join(move, move.item_id == literal(f"{SEAL_USE}/") + use.id)
        .where(move.to_state == "returned", move.actor != use.custodian)
    )


def _acts_unapproved(control: str, acts: tuple[Act, ...]) -> Any:
    def query(opts: AuditOptions) -> Select[Any]:
        spec = opts.policy.section("admin", AdminPolicy)
        action = case(
            *((ActRow.act == act.value, required_action(act, spec)) for act in acts), else_=""
        )
        return select(ActRow.id.label("id")).where(
            ActRow.act.in_([act.value for act in acts]), _unapproved(ActRow.application_id, action)
        )

    query.__doc__ = f"{control}: {', '.join(acts)} without an approved application."
    return query


def _assets_unapproved(opts: AuditOptions) -> Select[Any]:
    """ADM-07: assets registered without an approved fixed-asset purchase."""
    action = opts.policy.section("admin", AdminPolicy).asset_purchase_action
    return select(AssetRow.number.label("id")).where(_unapproved(AssetRow.application_id, action))


def _assets_not_stocktaken(opts: AuditOptions) -> Select[Any]:
    """ADM-07: assets in use not counted within the stocktake interval.

    The next count is due on the last count's day (or the acquisition's) plus the interval, and
    is overdue from the day after, as every tracked deadline is: a count on ``since`` is still
    in time on ``opts.on``.
    """
    since = opts.on - timedelta(
        days=opts.policy.section("admin", AdminPolicy).stocktake_interval_days
    )
    counted = select(StocktakeRow.id).where(
        StocktakeRow.asset_number == AssetRow.number, StocktakeRow.counted_on >= since
    )
    return select(AssetRow.number.label("id")).where(
        AssetRow.disposed_on.is_(None), AssetRow.acquired_on < since, ~counted.exists()
    )


def _assets_unregistered(opts: AuditOptions) -> Select[Any]:
    """ADM-07: contracts with fixed assets accepted but fewer of them registered."""
    days = opts.policy.section("admin", AdminPolicy).asset_register_days
    # accepted before the firm's midnight starting the day ``days`` before ``opts.on``: the
    # registration deadline (the acceptance's day where the firm is, plus ``days``) has passed
    firm = ZoneInfo(opts.policy.timezone)
    cutoff = datetime.combine(opts.on - timedelta(days=days), time.min, tzinfo=firm)
    acceptance, line, ordered = AcceptanceRow, AcceptanceLineRow, ContractLineRow
    accepted = (
        select(acceptance.contract_id.label("contract"), func.sum(line.quantity).label("n"))
        .join(line, line.acceptance_id == acceptance.id)
        .join(
            ordered,
            and_(ordered.contract_id == acceptance.contract_id, ordered.item == line.item),
        )
        .where(
            acceptance.passed.is_(True),
            ordered.fixed_asset.is_(True),
            acceptance.accepted_at < cutoff,
        )
        .group_by(acceptance.contract_id)
        .subquery()
    )
    registered = (
        select(func.count())
        .select_from(AssetRow)
        .where(AssetRow.contract_id == accepted.c.contract)
        .scalar_subquery()
    )
    return select(accepted.c.contract.label("id")).where(registered < accepted.c.n)


def _paid_before_acceptance(_opts: AuditOptions) -> Select[Any]:
    """ADM-06: payments made before any passed acceptance of their contract."""
    accepted = select(AcceptanceRow.id).where(
        AcceptanceRow.contract_id == PaymentRow.contract_id,
        AcceptanceRow.passed.is_(True),
        AcceptanceRow.accepted_at <= PaymentRow.paid_at,
    )
    return select(PaymentRow.id.label("id")).where(~accepted.exists())


def _cents(amount: Any) -> Any:
    """An amount in hundredths as an exact integer, on SQLite (text) and PostgreSQL (numeric)."""
    return cast(func.round(cast(amount, Numeric(20, 4)) * 100), BigInteger)


def _paid_beyond_acceptance(_opts: AuditOptions) -> Select[Any]:
    """ADM-06: contracts paid more than their goods accepted at contract prices.

    Payments and accepted value are each summed per contract once and joined: a value per
    payment group as a correlated subquery rescanned every acceptance on SQLite (quadratic).
    """
    acceptance, got, line = AcceptanceRow, AcceptanceLineRow, ContractLineRow
    accepted = (
        select(
            acceptance.contract_id.label("contract"),
            got.item.label("item"),
            func.sum(got.quantity).label("quantity"),
        )
        .join(got, got.acceptance_id == acceptance.id)
        .where(acceptance.passed.is_(True))
        .group_by(acceptance.contract_id, got.item)
        .subquery()
    )
    counted = case((accepted.c.quantity < line.quantity, accepted.c.quantity), else_=line.quantity)
    value = (
        select(
            line.contract_id.label("contract"),
            func.sum(_cents(line.unit_price) * counted).label("n"),
        )
        .join(accepted, and_(accepted.c.contract == line.contract_id, accepted.c.item == line.item))
        .group_by(line.contract_id)
        .subquery("value")
    )
    paid = (
        select(
            PaymentRow.contract_id.label("contract"), func.sum(_cents(PaymentRow.amount)).label("n")
        )
        .group_by(PaymentRow.contract_id)
        .subquery("paid")
    )
    return (
        select(paid.c.contract.label("id"))
        .outerjoin(value, value.c.contract == paid.c.contract)
        .where(paid.c.n > func.coalesce(value.c.n, 0))
    )


SWEEPS: Final = (
    Sweep("ADM-01", "seals used without an approved application", _seal_unapproved),
    Sweep("ADM-02", "seals put on blank paper or a blank contract", _seal_blank),
    Sweep(
        "ADM-03",
        "supplies issued without an approved requisition",
        _acts_unapproved("ADM-03", (Act.SUPPLIES_ISSUE,)),
    ),
    Sweep(
        "ADM-04",
        "equipment repaired or scrapped without approval",
        _acts_unapproved("ADM-04", (Act.EQUIPMENT_REPAIR, Act.EQUIPMENT_SCRAPPING)),
    ),
    overdue_sweep("ADM-05", "meeting resolutions past their deadline"),
    Sweep("ADM-06", "payments before the goods were accepted", _paid_before_acceptance),
    Sweep("ADM-06", "contracts paid beyond the goods accepted", _paid_beyond_acceptance),
    Sweep("ADM-07", "fixed assets registered without an approved purchase", _assets_unapproved),
    Sweep("ADM-07", "fixed assets accepted but not registered", _assets_unregistered),
    Sweep("ADM-07", "fixed assets not stocktaken within the interval", _assets_not_stocktaken),
    overdue_sweep("ADM-08", "seals not returned by their day"),
    Sweep("ADM-08", "seal returns not received by the custodian", _seal_returned_elsewhere),
    Sweep("SOD-03", "seals applied by an approver of their application", _seal_self_approved),
)


def extension() -> StoreExtension:
    """The admin plugin's part of the store: the ``admin`` branch, its tables and sweeps."""
    # StoreExtension converts sweeps with a bare ``tuple``, which mypy cannot type.
    return StoreExtension("admin", VERSIONS, metadata, SWEEPS)

"""Legal in the store: contract versions, reviews, signings, matters and the holds they place.

A matter's records are held through the core's records registry (``tx.records.place_hold`` with
the matter's id, RET-03) from the day it opens to the day it closes (LEG-02). Repositories take
the host's transaction and never commit; the sweeps are single queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    ForeignKey,
    MetaData,
    String,
    Text,
    and_,
    exists,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import Select

from agency_core.decision import Outcome
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.errors import Refused
from agency_core.store.extension import StoreExtension
from agency_core.store.models import NAMING, HoldRow
from agency_core.store.session import translated
from agency_core.store.types import UTCDateTime
from agency_legal.entities import ContractSigning, LegalReview, Matter, Verdict

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = [
    "EXTENSION",
    "SWEEPS",
    "ContractVersionRow",
    "Legal",
    "MatterRecordRow",
    "MatterRow",
    "ReviewRow",
    "SigningRow",
    "metadata",
]

Code = String(64)
Key = String(128)
_HOLD_ID: Final = 64
Digest = String(64)


class Base(DeclarativeBase):
    """This plugin's tables, on a MetaData of their own with the core's naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), str: Code}  # noqa: RUF012


metadata: Final = Base.metadata


class ContractVersionRow(Base):
    """A version of a contract submitted for legal review: its content digest and drafter."""

    __tablename__ = "legal_contract_versions"

    contract_id: Mapped[str] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(Digest, primary_key=True)
    drafter: Mapped[str]
    case_id: Mapped[str | None] = mapped_column(index=True)
    submitted_at: Mapped[datetime]


class ReviewRow(Base):
    """A legal review of one version."""

    __tablename__ = "legal_reviews"

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    contract_id: Mapped[str] = mapped_column(index=True)
    digest: Mapped[str] = mapped_column(Digest)
    drafter: Mapped[str]
    reviewer: Mapped[str]
    verdict: Mapped[str] = mapped_column(String(8))
    reviewed_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)


class SigningRow(Base):
    """A contract signed: which version, by whom, when (a contract is signed once)."""

    __tablename__ = "legal_signings"

    contract_id: Mapped[str] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(Digest)
    drafter: Mapped[str | None]
    signer: Mapped[str]
    signed_at: Mapped[datetime]


class MatterRow(Base):
    """A dispute's matter: open until ``closed_on``."""

    __tablename__ = "legal_matters"

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    case_id: Mapped[str | None] = mapped_column(index=True)
    dispute: Mapped[str] = mapped_column(Text)
    opened_on: Mapped[date]
    opened_by: Mapped[str]
    closed_on: Mapped[date | None]
    resolution: Mapped[str | None] = mapped_column(Text)


class MatterRecordRow(Base):
    """A record tied to a matter, and the id of the hold placed on it."""

    __tablename__ = "legal_matter_records"

    matter_id: Mapped[str] = mapped_column(Key, ForeignKey("legal_matters.id"), primary_key=True)
    record_number: Mapped[str] = mapped_column(primary_key=True)
    hold_id: Mapped[str] = mapped_column(Key, unique=True)


def hold_id(matter_id: str, number: str) -> str:
    """The id of the hold a matter places on a record."""
    return f"{matter_id}/{number}"


class Legal:
    """Contract reviews, signings and matters in one transaction: ``Legal(tx)``."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _decided(self, what: str, request: object) -> None:
        decision = self._tx.engine.decide(request)
        if decision.outcome is Outcome.DENY:
            raise Refused(what, decision)

    # -- contracts (LEG-01) -----------------------------------------------------------------

    def submit(
        self,
        contract: str,
        digest: str,
        drafter: str,
        *,
        case: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Submit a version (its content digest) of ``contract`` for legal review."""
        session = self._tx.session
        if session.get(ContractVersionRow, (contract, digest)) is not None:
            raise StateError(f"version {digest[:12]} of contract {contract} is already submitted")
        self._tx.employees.get(drafter)  # a known employee
        session.add(
            ContractVersionRow(
                contract_id=contract,
                digest=digest,
                drafter=drafter,
                case_id=case,
                submitted_at=at or self._tx.now(),
            )
        )
        with translated():
            session.flush()

    def _version(self, contract: str, digest: str) -> ContractVersionRow | None:
        return self._tx.session.get(ContractVersionRow, (contract, digest))

    def review(
        self,
        review_id: str,
        contract: str,
        digest: str,
        reviewer: str,
        verdict: Verdict,
        *,
        note: str = "",
        at: datetime | None = None,
    ) -> LegalReview:
        """Record legal's review of a submitted version; refused for its drafter (LEG-01)."""
        version = self._version(contract, digest)
        if version is None:
            raise NotFound(f"version {digest[:12]} of contract {contract} was never submitted")
        review = LegalReview(
            review_id,
            contract,
            digest,
            version.drafter,
            self._tx.employees.get(reviewer),
            verdict,
            at or self._tx.now(),
            note,
        )
        self._decided(f"review {review_id} of contract {contract}", review)
        if self._tx.session.get(ReviewRow, review_id) is not None:
            raise StateError(f"review {review_id} already exists")
        self._tx.session.add(
            ReviewRow(
                id=review.id,
                contract_id=contract,
                digest=digest,
                drafter=review.drafter,
                reviewer=reviewer,
                verdict=review.verdict.value,
                reviewed_at=review.at,
                note=note,
            )
        )
        with translated():
            self._tx.session.flush()
        return review

    def reviews(self, contract: str) -> tuple[LegalReview, ...]:
        """Every legal review of ``contract`` on record, oldest first."""
        rows = self._tx.session.scalars(
            select(ReviewRow)
            .where(ReviewRow.contract_id == contract)
            .order_by(ReviewRow.reviewed_at, ReviewRow.id)
        )
        return tuple(
            LegalReview(
                r.id,
                r.contract_id,
                r.digest,
                r.drafter,
                self._tx.employees.get(r.reviewer),
                r.verdict,
                r.reviewed_at,
                r.note,
            )
            for r in rows
        )

    def sign(
        self, contract: str, digest: str, signer: str, *, at: datetime | None = None
    ) -> ContractSigning:
        """Record the signing of version ``digest``, if legal passed it (LEG-01, SOD-03)."""
        version = self._version(contract, digest)
        signing = ContractSigning(
            contract,
            digest,
            self._tx.employees.get(signer).id,
            at or self._tx.now(),
            version.drafter if version is not None else None,
            self.reviews(contract),
        )
        self._decided(f"signing contract {contract}", signing)
        if self._tx.session.get(SigningRow, contract) is not None:
            raise StateError(f"contract {contract} is already signed")
        self._tx.session.add(
            SigningRow(
                contract_id=contract,
                digest=digest,
                drafter=signing.drafter,
                signer=signer,
                signed_at=signing.at,
            )
        )
        with translated():
            self._tx.session.flush()
        return signing

    # -- matters (LEG-02, RET-03) -------------------------------------------------------------

    def _matter(self, matter_id: str) -> MatterRow:
        row = self._tx.session.get(MatterRow, matter_id)
        if row is None:
            raise NotFound(f"no matter {matter_id!r}")
        return row

    def open_matter(self, matter: Matter, records: Iterable[str] = ()) -> None:
        """Open a matter for a dispute and hold its records from the day it opens."""
        session = self._tx.session
        if session.get(MatterRow, matter.id) is not None:
            raise StateError(f"matter {matter.id} already exists")
        self._tx.employees.get(matter.opened_by)
        session.add(
            MatterRow(
                id=matter.id,
                case_id=matter.case,
                dispute=matter.dispute,
                opened_on=matter.opened_on,
                opened_by=matter.opened_by,
            )
        )
        with translated():
            session.flush()
        for number in records:
            self.hold(matter.id, number, on=matter.opened_on)

    def hold(self, matter_id: str, number: str, *, on: date) -> None:
        """Tie record ``number`` to an open matter: a hold no disposal can pass (RET-03)."""
        matter = self._matter(matter_id)
        if matter.closed_on is not None:
            raise StateError(f"matter {matter_id} was closed on {matter.closed_on}")
        if self._tx.session.get(MatterRecordRow, (matter_id, number)) is not None:
            return
        held = hold_id(matter_id, number)
        if len(held) > _HOLD_ID:  # the registry's hold ids are codes of 64 characters
            raise InvalidInput(
                f"matter id and record number make a hold id longer than {_HOLD_ID}: {held!r}",
                path="$.matter",
            )
        self._tx.records.place_hold(
            number, held, f"matter {matter_id}: {matter.dispute}"[:200], on=on, matter=matter_id
        )
        self._tx.session.add(
            MatterRecordRow(matter_id=matter_id, record_number=number, hold_id=held)
        )
        with translated():
            self._tx.session.flush()

    def close_matter(self, matter_id: str, resolution: str, *, on: date) -> None:
        """Close a matter with its resolution and release every hold it placed (LEG-02)."""
        if not isinstance(resolution, str) or not resolution.strip():
            raise InvalidInput("a matter closes with its resolution", path="$.resolution")
        matter = self._matter(matter_id)
        if matter.closed_on is not None:
            raise StateError(f"matter {matter_id} was closed on {matter.closed_on}")
        if on < matter.opened_on:
            raise InvalidInput(f"matter {matter_id} opened on {matter.opened_on}", path="$.on")
        held = self._tx.session.scalars(
            select(MatterRecordRow.hold_id).where(MatterRecordRow.matter_id == matter_id)
        )
        for hold in held.all():
            self._tx.records.release_hold(hold, on=on)
        matter.closed_on, matter.resolution = on, resolution
        with translated():
            self._tx.session.flush()


# -- sweeps ---------------------------------------------------------------------------------------


def _signed_unreviewed(_opts: AuditOptions) -> Select[Any]:
    """LEG-01: signings without a passing review of the signed version by someone not its drafter,
    made before the signing and not followed by a failing one."""
    s, r, later = SigningRow, ReviewRow, ReviewRow.__table__.alias("later")
    passed = exists().where(
        r.contract_id == s.contract_id,
        r.digest == s.digest,
        r.verdict == Verdict.PASSED.value,
        r.reviewer != r.drafter,
        or_(s.drafter.is_(None), r.reviewer != s.drafter),
        r.reviewed_at <= s.signed_at,
        ~exists().where(
            later.c.contract_id == r.contract_id,
            later.c.digest == r.digest,
            later.c.verdict != Verdict.PASSED.value,
            later.c.reviewed_at > r.reviewed_at,
            later.c.reviewed_at <= s.signed_at,
        ),
    )
    return select(s.contract_id.label("id")).where(~passed)


def _unheld(opts: AuditOptions) -> Select[Any]:
    """LEG-02: records of an open matter without a hold in force, or still held after it closed."""
    m, mr, h = MatterRow, MatterRecordRow, HoldRow
    label = (mr.matter_id + literal(":") + mr.record_number).label("id")
    in_force = exists().where(
        h.id == mr.hold_id,
        h.matter == mr.matter_id,
        h.record_number == mr.record_number,
        h.placed_on <= opts.on,
        or_(h.released_on.is_(None), h.released_on > opts.on),
    )
    open_unheld = (
        select(label)
        .join(m, m.id == mr.matter_id)
        .where(or_(m.closed_on.is_(None), m.closed_on > opts.on), ~in_force)
    )
    closed_held = (
        select(label)
        .join(m, m.id == mr.matter_id)
        .join(h, h.id == mr.hold_id)
        .where(and_(m.closed_on <= opts.on, h.released_on.is_(None)))
    )
    both = union_all(open_unheld, closed_held).subquery()
    return select(both.c.id.label("id"))


SWEEPS: Final = (
    Sweep(
        "LEG-01",
        "contracts signed without a passing legal review of that version",
        _signed_unreviewed,
    ),
    Sweep("LEG-02", "records of open matters not held, or held after the matter closed", _unheld),
)
EXTENSION: Final = StoreExtension(
    label="legal",
    versions=Path(__file__).parent / "migrations" / "versions",
    metadata=metadata,
    sweeps=SWEEPS,
)

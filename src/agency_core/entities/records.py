"""Records and archives: records with their classes, holds and loans; the destruction procedure."""

from __future__ import annotations

import enum
from datetime import date

import attrs

from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = [
    "Appraisal",
    "DestructionItem",
    "DestructionList",
    "Hold",
    "Loan",
    "Opinion",
    "Record",
    "Signature",
]


def _not_before(instance: object, start: str, end: str) -> None:
    first, last = getattr(instance, start), getattr(instance, end)
    if last is not None and last < first:
        raise InvalidInput(f"{end} {last} is before {start} {first}")


@attrs.frozen
class Hold:
    """A legal hold, or a link to an unsettled claim, debt or matter (RET-03)."""

    id: str = attrs.field(validator=_f.code)
    reason: str = attrs.field(validator=_f.code)
    placed_on: date = attrs.field(validator=_f.day)
    released_on: date | None = attrs.field(default=None, validator=_f.optional_day)

    def __attrs_post_init__(self) -> None:
        _not_before(self, "placed_on", "released_on")

    def active(self, on: date) -> bool:
        """Whether the hold still binds on ``on``."""
        return self.placed_on <= on and (self.released_on is None or on < self.released_on)


@attrs.frozen
class Loan:
    """A record lent out (档案借阅, RET-06)."""

    id: str = attrs.field(validator=_f.code)
    borrower: str = attrs.field(validator=_f.code)
    lent_on: date = attrs.field(validator=_f.day)
    due_on: date = attrs.field(validator=_f.day)
    approved: bool = False
    returned_on: date | None = attrs.field(default=None, validator=_f.optional_day)

    def __attrs_post_init__(self) -> None:
        _not_before(self, "lent_on", "due_on")
        _not_before(self, "lent_on", "returned_on")

    def out(self, on: date) -> bool:
        """Whether the record is away on this loan on ``on``."""
        return self.lent_on <= on and (self.returned_on is None or on < self.returned_on)

    def overdue(self, on: date) -> bool:
        """Whether the loan is past its due date and not returned on ``on``."""
        return self.out(on) and on > self.due_on


@attrs.frozen
class Record:
    """An archived record: its classes (RET-01), number (RET-05), dates, holds, loans, backups.

    ``closed_on`` is the day the record was closed (its fiscal year counts for RET-02); ``event_on``
    is the day of the event that starts event-based retention (an asset disposed of, a case closed).
    """

    number: str = attrs.field(validator=_f.code)
    classes: frozenset[str] = attrs.field(converter=_f.to_codes, validator=_f.codes)
    closed_on: date = attrs.field(validator=_f.day)
    title: str = ""
    event_on: date | None = attrs.field(default=None, validator=_f.optional_day)
    important: bool = False
    backups: int = 0
    holds: tuple[Hold, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Hold)
    )
    loans: tuple[Loan, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Loan)
    )

    def __attrs_post_init__(self) -> None:
        if not self.classes:
            raise InvalidInput(f"record {self.number} needs at least one record class (RET-01)")
        if isinstance(self.backups, bool) or not isinstance(self.backups, int) or self.backups < 0:
            raise InvalidInput(f"record {self.number}: backups must be a count >= 0")


class Opinion(enum.StrEnum):
    """An appraisal's verdict on an expired record (鉴定意见)."""

    DESTROY = "destroy"
    KEEP = "keep"


def _opinion(value: str) -> Opinion:
    return value if isinstance(value, Opinion) else Opinion(value)


@attrs.frozen
class Appraisal:
    """The appraisal opinion on one record; a record still needed is kept for ``extra_years``."""

    record: str = attrs.field(validator=_f.code)
    opinion: Opinion = attrs.field(converter=_opinion)
    appraiser: str = attrs.field(validator=_f.code)
    extra_years: int = 0


@attrs.frozen
class DestructionItem:
    """One line of a destruction list (销毁清册)."""

    record: str = attrs.field(validator=_f.code)
    name: str = attrs.field(validator=_f.code)
    volume: str = attrs.field(validator=_f.code)
    start_year: int = attrs.field(validator=_f.of(int))
    end_year: int = attrs.field(validator=_f.of(int))
    required_years: int | None = None
    """None for a record whose retention is permanent."""
    kept_years: int = 0


@attrs.frozen
class Signature:
    """A person who approved or supervised, with the role or department they signed for."""

    employee: str = attrs.field(validator=_f.code)
    role: str = ""
    department: str = ""
    checked_before: bool = False
    signed_after: bool = False


@attrs.frozen
class DestructionList:
    """A destruction list with its appraisals, approvals and supervisors (RET-04)."""

    id: str = attrs.field(validator=_f.code)
    destruction_on: date = attrs.field(validator=_f.day)
    items: tuple[DestructionItem, ...] = attrs.field(
        converter=_f.to_tuple, validator=_f.each(DestructionItem, required=True)
    )
    appraisals: tuple[Appraisal, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Appraisal)
    )
    approvals: tuple[Signature, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Signature)
    )
    supervisors: tuple[Signature, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Signature)
    )

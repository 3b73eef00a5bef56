"""Requests and facts of the risk register, the indicators, audits and findings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from agency_core.entities import Employee
from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = ["AuditFacts", "FindingFacts", "IndicatorReading", "Risk"]

DIRECTIONS = ("at_or_above", "at_or_below")


def _one_to_five(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise InvalidInput(f"{attribute.name} must be a whole number 1 to 5, not {value!r}")


def _decimal(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInput(f"{attribute.name} must be a finite decimal, not {value!r}")


def _direction(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in DIRECTIONS:
        raise InvalidInput(f"{attribute.name} must be one of {DIRECTIONS}, not {value!r}")


@attrs.frozen
class Risk:
    """A risk on the register (RSK-01, RSK-02): scored likelihood x impact, with response, owner."""

    id: str = attrs.field(validator=_f.code)
    title: str = attrs.field(validator=_f.code)
    department: str = attrs.field(validator=_f.code)
    likelihood: int = attrs.field(validator=_one_to_five)
    impact: int = attrs.field(validator=_one_to_five)
    response: str | None = attrs.field(default=None, validator=_f.optional_code)
    owner: str | None = attrs.field(default=None, validator=_f.optional_code)

    @property
    def score(self) -> int:
        """Likelihood x impact, 1 to 25."""
        return self.likelihood * self.impact


@attrs.frozen
class IndicatorReading:
    """A reading of a warning indicator against its threshold (RSK-03)."""

    indicator: str = attrs.field(validator=_f.code)
    threshold: Decimal = attrs.field(validator=_decimal)
    value: Decimal = attrs.field(validator=_decimal)
    at: datetime = attrs.field(validator=_f.aware)
    direction: str = attrs.field(default="at_or_above", validator=_direction)

    @property
    def reached(self) -> bool:
        """Whether the reading reaches the threshold (equal counts)."""
        if self.direction == "at_or_above":
            return self.value >= self.threshold
        return self.value <= self.threshold


@attrs.frozen
class AuditFacts:
    """What an audit's transition needs (AUD-02): the plan, the auditors, the report."""

    audited_department: str = attrs.field(validator=_f.code)
    auditors: tuple[Employee, ...] = attrs.field(
        converter=_f.to_tuple, validator=_f.each(Employee, required=True)
    )
    scope: str = attrs.field(default="", validator=_f.of(str))
    content: str = attrs.field(default="", validator=_f.of(str))
    method: str = attrs.field(default="", validator=_f.of(str))
    report: str = attrs.field(default="", validator=_f.of(str))


@attrs.frozen
class FindingFacts:
    """What closing a finding needs (AUD-01): the finding's owner, as the ledger stores it."""

    owner: str = attrs.field(validator=_f.code)

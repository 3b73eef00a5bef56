"""Requests and facts of the branch office plugin: target splits and service units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = ["PersonTarget", "TargetSplit", "UnitFacts"]


def _amount(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidInput(f"{attribute.name} must be a finite decimal >= 0, not {value!r}")


def _amounts(count: int) -> Any:
    def validate(inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        if len(value) != count:
            raise InvalidInput(f"{attribute.name} must list {count} amounts, not {len(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, Decimal) or not item.is_finite() or item < 0:
                raise InvalidInput(
                    f"{attribute.name}[{index}] must be a finite decimal >= 0, not {item!r}"
                )

    return validate


@attrs.frozen
class PersonTarget:
    """One salesperson's share of the annual target."""

    person: str = attrs.field(validator=_f.code)
    amount: Decimal = attrs.field(validator=_amount)


@attrs.frozen
class TargetSplit:
    """A branch's annual sales target split by quarter, month and person (BR-02)."""

    branch: str = attrs.field(validator=_f.code)
    year: int = attrs.field(validator=_f.of(int))
    annual: Decimal = attrs.field(validator=_amount)
    quarters: tuple[Decimal, ...] = attrs.field(converter=_f.to_tuple, validator=_amounts(4))
    months: tuple[Decimal, ...] = attrs.field(converter=_f.to_tuple, validator=_amounts(12))
    people: tuple[PersonTarget, ...] = attrs.field(
        converter=_f.to_tuple, validator=_f.each(PersonTarget, required=True)
    )

    def __attrs_post_init__(self) -> None:
        if len({p.person for p in self.people}) != len(self.people):
            raise InvalidInput("people must name each person once", path="$.people")


@attrs.frozen
class UnitFacts:
    """What a service unit's transition needs (BR-03): the application, approval, registration.

    ``effective_on`` and ``reason`` concern a change; ``registration`` is the filing number
    (备案号) once registered.
    """

    plan: str = attrs.field(default="", validator=_f.of(str))
    staffing: str = attrs.field(default="", validator=_f.of(str))
    premises: str = attrs.field(default="", validator=_f.of(str))
    budget: str = attrs.field(default="", validator=_f.of(str))
    reason: str = attrs.field(default="", validator=_f.of(str))
    effective_on: date | None = attrs.field(default=None, validator=_f.optional_day)
    registration: str = attrs.field(default="", validator=_f.of(str))

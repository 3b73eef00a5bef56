"""The HR requests and records: frozen attrs classes whose errors name the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from agency_core.entities import ApprovalFacts
from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = [
    "Appeal",
    "ApprovalFacts",
    "Clearance",
    "Leave",
    "LeaveCheck",
    "Resignation",
    "TrainingRecord",
]


def _text(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be a non-empty text, not {value!r}")


def _strings(_inst: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInput(f"{attribute.name}[{index}] must be a non-empty string")


@attrs.frozen
class Leave:
    """A leave (请假) of ``employee`` from ``starts_on`` to ``ends_on``, requested on a day."""

    id: str = attrs.field(validator=_f.code)
    employee: str = attrs.field(validator=_f.code)
    department: str = attrs.field(validator=_f.code)
    kind: str = attrs.field(validator=_f.code)
    starts_on: date = attrs.field(validator=_f.day)
    ends_on: date = attrs.field(validator=_f.day)
    requested_on: date = attrs.field(validator=_f.day)

    def __attrs_post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise InvalidInput(
                f"ends_on {self.ends_on} is before starts_on {self.starts_on}", path="$.ends_on"
            )


@attrs.frozen
class LeaveCheck:
    """May ``leave`` go ahead, as of ``on``, with the stored ``approval`` (HR-01)?"""

    leave: Leave = attrs.field(validator=_f.of(Leave))
    on: date = attrs.field(validator=_f.day)
    approval: ApprovalFacts | None = attrs.field(
        default=None, validator=_f.of(ApprovalFacts, optional=True)
    )


@attrs.frozen
class Resignation:
    """A resignation (辞职) applied for on ``submitted_on`` to end employment on ``last_day``."""

    id: str = attrs.field(validator=_f.code)
    employee: str = attrs.field(validator=_f.code)
    department: str = attrs.field(validator=_f.code)
    submitted_on: date = attrs.field(validator=_f.day)
    last_day: date = attrs.field(validator=_f.day)
    in_writing: bool = attrs.field(validator=_f.of(bool))
    reason: str = attrs.field(default="", validator=_f.of(str))
    on_probation: bool = attrs.field(default=False, validator=_f.of(bool))

    def __attrs_post_init__(self) -> None:
        if self.last_day < self.submitted_on:
            raise InvalidInput(
                f"last_day {self.last_day} is before submitted_on {self.submitted_on}",
                path="$.last_day",
            )


@attrs.frozen
class Clearance:
    """The data of a resignation's completion: the clearance items done, as the store has them."""

    done: tuple[str, ...] = attrs.field(factory=tuple, converter=_f.to_tuple, validator=_strings)


@attrs.frozen
class TrainingRecord:
    """One training of one employee and its result (培训档案: 培训情况和考核结果, HR-03)."""

    id: str = attrs.field(validator=_f.code)
    employee: str = attrs.field(validator=_f.code)
    course: str = attrs.field(validator=_text)
    completed_on: date = attrs.field(validator=_f.day)
    result: str = attrs.field(validator=_text)


@attrs.frozen
class Appeal:
    """A performance appeal (绩效申诉) filed on ``filed_on`` against a result notified earlier."""

    id: str = attrs.field(validator=_f.code)
    employee: str = attrs.field(validator=_f.code)
    review: str = attrs.field(validator=_f.code)
    notified_on: date = attrs.field(validator=_f.day)
    filed_on: date = attrs.field(validator=_f.day)
    reason: str = attrs.field(validator=_text)

    def __attrs_post_init__(self) -> None:
        if self.filed_on < self.notified_on:
            raise InvalidInput(
                f"filed_on {self.filed_on} is before the result was notified ({self.notified_on})",
                path="$.filed_on",
            )

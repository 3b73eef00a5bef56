"""The HR policy section ``[plugins.hr]``: every number with the sources' default."""

from __future__ import annotations

from typing import Any

import attrs

from agency_core.errors import InvalidInput

__all__ = ["HrPolicy"]


def _days(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number of days >= 0, not {value!r}")


def _name(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be a non-empty name, not {value!r}")


def _items(_inst: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    if not value or len(set(value)) != len(value):
        raise InvalidInput(f"{attribute.name} must list distinct items, not {list(value)!r}")
    for item in value:
        _name(_inst, attribute, item)


@attrs.frozen
class HrPolicy:
    """HR-01..HR-05. Periods in days count from the day after the event (民法典 §201)."""

    leave_notice_days: int = attrs.field(default=1, validator=_days)
    """HR-01: a leave is requested at least this many days before its first day (提前: the day
    before, when the sources name no number)."""
    leave_action: str = attrs.field(default="leave_request", validator=_name)
    """HR-01: the approval-matrix action a leave is approved under (请假)."""
    resignation_notice_days: int = attrs.field(default=30, validator=_days)
    """HR-05: a resignation is applied for in writing this many days before the last day
    (劳动合同法 §37: 提前三十日以书面形式)."""
    probation_notice_days: int = attrs.field(default=3, validator=_days)
    """HR-05: the notice during probation (劳动合同法 §37: 试用期内提前三日)."""
    clearance_items: tuple[str, ...] = attrs.field(
        default=("handover", "settlement", "property"), validator=_items
    )
    """HR-02: what a resignation needs before it completes: 工作交接, 财务结算, 归还公司财物."""
    appeal_window_days: int = attrs.field(default=15, validator=_days)
    """HR-04: a performance appeal is accepted within this many days of the result."""

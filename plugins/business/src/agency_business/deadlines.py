"""Working-day deadlines of the business department, computed in one place (BIZ-04).

The core's working calendar (``agency_core.calendar``: holidays and adjusted working days of the
State Council's schedules) counts the days; a period starts the day after the event (民法典 §201).
The event's day is taken in the firm's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from agency_core.calendar import add_working_days
from agency_core.errors import InvalidInput
from agency_core.policy import Policy

__all__ = ["FIRM_ZONE", "due_on"]

FIRM_ZONE: Final = ZoneInfo("Asia/Shanghai")
"""The firm's time zone until the core's policy carries one (CONTROLS §4, default Asia/Shanghai)."""


def due_on(policy: Policy, start: datetime, working_days: int) -> date:
    """The last day of ``working_days`` working days after the event at ``start``.

    ``policy`` is the policy in force: its working calendar, once the core keeps one on it. A
    year the calendar does not know is :class:`~agency_core.errors.InvalidInput`, never counted
    as weekdays only.
    """
    if not isinstance(start, datetime) or start.utcoffset() is None:
        raise InvalidInput(f"start must be a datetime with a UTC offset, not {start!r}")
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise InvalidInput(f"working_days must be a whole number >= 1, not {working_days!r}")
    return add_working_days(start.astimezone(FIRM_ZONE).date(), working_days)

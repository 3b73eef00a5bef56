"""Working-day deadlines of the business department, computed in one place (BIZ-04).

The policy's working calendar (``agency_core.calendar``: holidays and adjusted working days of the
State Council's schedules, extendable in the policy) counts the days; a period starts the day after
the event (民法典 §201), whose day is taken in the firm's time zone (the policy's ``timezone``).
"""

from __future__ import annotations

from datetime import date, datetime

from agency_core.calendar import Period
from agency_core.errors import InvalidInput
from agency_core.policy import Policy

__all__ = ["due_on"]


def due_on(policy: Policy, start: datetime, working_days: int) -> date:
    """The last day of ``working_days`` working days after the event at ``start``.

    A year the calendar does not know is :class:`~agency_core.errors.CalendarError`, never
    counted as weekdays only.
    """
    if not isinstance(start, datetime) or start.utcoffset() is None:
        raise InvalidInput(f"start must be a datetime with a UTC offset, not {start!r}")
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise InvalidInput(f"working_days must be a whole number >= 1, not {working_days!r}")
    return policy.calendar.deadline(start, Period(working_days), policy.timezone).last_day

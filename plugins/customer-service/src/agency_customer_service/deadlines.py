"""The one place where the plugin turns an event and a count of working days into a last day.

Periods start the day after the event (民法典 §201) on the Chinese working calendar, with its
holidays and adjusted working days; the event's day is taken in the firm's time zone.
"""

from __future__ import annotations

from datetime import date, datetime

from agency_core.calendar import Period
from agency_core.errors import InvalidInput
from agency_core.policy import Policy

__all__ = ["due_on", "local_day"]


def local_day(policy: Policy, at: datetime) -> date:
    """The firm's calendar day of the instant ``at`` (an aware datetime)."""
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidInput(f"an instant with a UTC offset is needed, not {at!r}")
    return policy.local_date(at)


def due_on(policy: Policy, start: datetime, days: int) -> date:
    """The last day of ``days`` working days counted from the day after ``start``.

    ``policy`` is the policy in force (its working calendar, once the core's policy has one). A
    year the calendar does not know is :class:`~agency_core.errors.InvalidInput`, never a guess.
    """
    local_day(policy, start)  # refuses a naive instant
    return policy.calendar.deadline(start, Period(days), policy.timezone).last_day

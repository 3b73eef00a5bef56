"""The one place the HR plugin computes a period's last day (to move onto agency_core.calendar)."""

from __future__ import annotations

from datetime import date, timedelta

from agency_core.calendar import is_working_day
from agency_core.policy import Policy

__all__ = ["due_on"]


def due_on(policy: Policy, start: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days after the event on ``start``.

    The period starts the next day (民法典 §201); a last day that is a holiday or a rest day moves
    to the next working day (§203), on the Chinese calendar. A year the calendar does not know is
    :class:`~agency_core.errors.InvalidInput`.
    """
    end = start + timedelta(days=days)
    while not is_working_day(end):
        end += timedelta(days=1)
    return end

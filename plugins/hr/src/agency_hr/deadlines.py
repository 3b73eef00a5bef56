"""The one place the HR plugin computes a period's last day, on the policy's working calendar."""

from __future__ import annotations

from datetime import date

from agency_core.policy import Policy

__all__ = ["due_on"]


def due_on(policy: Policy, start: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days after the event on ``start``.

    The period starts the next day (民法典 §201); a last day that is a holiday or a rest day moves
    to the next working day (§203), on the policy's calendar. A year the calendar does not know
    is :class:`~agency_core.errors.CalendarError`.
    """
    return policy.calendar.add_calendar_days(start, days)

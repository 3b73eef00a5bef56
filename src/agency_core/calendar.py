"""Working days on the Chinese calendar: official holidays and adjusted working days (调休).

Periods counted in working days start the day after the event (民法典 §201): a complaint received
on a Tuesday with 5 working days to answer is due on the fifth working day after that Tuesday.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from agency_core.errors import InvalidInput

__all__ = ["add_working_days", "is_working_day"]


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day in mainland China (holidays off, adjusted days on)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise InvalidInput(f"the working calendar has no data for {day.year}: {exc}") from None


def add_working_days(start: date, days: int) -> date:
    """The day on which ``days`` working days after ``start`` end (``start`` itself not counted)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidInput(f"days must be a whole number >= 0, not {days!r}")
    day = start
    while days:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day

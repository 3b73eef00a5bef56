"""BIZ-04 deadlines on the working calendar: holidays, adjusted working days, the firm's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from agency_business import due_on
from hypothesis import given
from hypothesis import strategies as hs

from agency_core.calendar import bundled_calendar
from agency_core.errors import CalendarError, InvalidInput
from agency_core.policy import default_policy

POLICY = default_policy()


def _at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in Shanghai on ``day``, written in UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)


def test_national_day_2025_holidays_are_not_counted_and_the_adjusted_saturday_is() -> None:
    # 2025-10-01..08 are off; Saturday 2025-10-11 is a working day (调休).
    assert due_on(POLICY, _at(date(2025, 9, 30)), 1) == date(2025, 10, 9)
    assert due_on(POLICY, _at(date(2025, 9, 30)), 3) == date(2025, 10, 11)


def test_spring_festival_2025_holidays_are_not_counted() -> None:
    # 2025-01-28..02-04 are off; Sunday 2025-01-26 and Saturday 2025-02-08 are working days.
    assert due_on(POLICY, _at(date(2025, 1, 27)), 1) == date(2025, 2, 5)
    assert due_on(POLICY, _at(date(2025, 1, 25)), 1) == date(2025, 1, 26)


def test_spring_festival_and_national_day_2026() -> None:
    # 2026-02-15..23 are off, Saturdays 14 and 28 February are working days.
    assert due_on(POLICY, _at(date(2026, 2, 13)), 1) == date(2026, 2, 14)
    assert due_on(POLICY, _at(date(2026, 2, 13)), 2) == date(2026, 2, 24)
    # 2026-10-01..07 are off, Saturday 10 October is a working day.
    assert due_on(POLICY, _at(date(2026, 9, 30)), 1) == date(2026, 10, 8)
    assert due_on(POLICY, _at(date(2026, 9, 30)), 3) == date(2026, 10, 10)


def test_an_adjusted_working_saturday_counts() -> None:
    assert due_on(POLICY, _at(date(2025, 2, 7)), 1) == date(2025, 2, 8)
    assert due_on(POLICY, _at(date(2025, 10, 10)), 1) == date(2025, 10, 11)


def test_the_day_of_the_event_is_the_firms_day_and_is_not_counted() -> None:
    # 20:00 UTC on 30 September is 04:00 on 1 October in Shanghai: counting starts on 2 October.
    late = datetime(2025, 9, 30, 20, tzinfo=UTC)
    assert due_on(POLICY, late, 1) == date(2025, 10, 9)
    assert due_on(POLICY, _at(date(2026, 3, 2)), 5) == date(2026, 3, 9)


def test_a_year_the_calendar_does_not_know_is_refused() -> None:
    with pytest.raises(CalendarError, match="no schedule for 2099"):
        due_on(POLICY, datetime(2099, 12, 30, tzinfo=UTC), 5)


@pytest.mark.parametrize("days", [0, -1, True, 1.5, "5"])
def test_a_period_is_a_whole_number_of_days(days: object) -> None:
    with pytest.raises(InvalidInput, match="working_days"):
        due_on(POLICY, _at(date(2026, 3, 2)), days)  # type: ignore[arg-type]


def test_the_event_time_carries_an_offset() -> None:
    with pytest.raises(InvalidInput, match="UTC offset"):
        due_on(POLICY, datetime(2026, 3, 2, 9), 1)


@given(
    day=hs.dates(min_value=date(2020, 1, 1), max_value=date(2026, 10, 31)),  # ends in a known year
    days=hs.integers(min_value=1, max_value=30),
)
def test_a_deadline_is_a_working_day_never_earlier_than_the_same_count_of_calendar_days(
    day: date, days: int
) -> None:
    last = due_on(POLICY, _at(day), days)
    assert last >= day + timedelta(days=days)
    assert bundled_calendar().is_working_day(last)

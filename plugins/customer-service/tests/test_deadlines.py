"""Deadlines on the Chinese working calendar (CS-02, CS-05, CS-06), through ``due_on``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from agency_customer_service import due_on
from hypothesis import given
from hypothesis import strategies as st

from agency_core.errors import CalendarError, InvalidInput
from agency_core.policy import default_policy

POLICY = default_policy()

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_deadline_across_national_day() -> None:
    # Tuesday 2025-09-30; Oct 1-8 are holidays (National Day with Mid-Autumn), Saturday Oct 11 is
    # an adjusted working day: Oct 9, 10, 11, 13, 14.
    received = datetime.fromisoformat("2025-09-30T16:00:00+08:00")
    assert due_on(POLICY, received, 5) == date(2025, 10, 14)


def test_deadline_across_spring_festival() -> None:
    # Monday 2025-01-27; Jan 28 - Feb 4 are holidays, Saturday Feb 8 is a working day:
    # Feb 5, 6, 7, 8, 10.
    received = datetime.fromisoformat("2025-01-27T09:00:00+08:00")
    assert due_on(POLICY, received, 5) == date(2025, 2, 10)


def test_reply_due_on_an_adjusted_working_saturday() -> None:
    # CS-06's one working day from Friday 2025-10-10 ends on Saturday 2025-10-11 (调休上班).
    received = datetime.fromisoformat("2025-10-10T15:00:00+08:00")
    assert due_on(POLICY, received, 1) == date(2025, 10, 11)


def test_day_of_receipt_is_not_counted() -> None:
    # Monday 2025-03-03: five working days are Tuesday to the next Monday.
    assert due_on(POLICY, datetime.fromisoformat("2025-03-03T08:00:00+08:00"), 5) == date(
        2025, 3, 10
    )


def test_the_day_is_the_firms_day() -> None:
    # 17:00 UTC on Thursday Oct 9 is already Friday Oct 10 in Shanghai.
    received = datetime.fromisoformat("2025-10-09T17:00:00+00:00")
    assert due_on(POLICY, received, 1) == date(2025, 10, 11)


def test_unknown_year_is_refused() -> None:
    with pytest.raises(CalendarError, match="no schedule for 2099"):
        due_on(POLICY, datetime.fromisoformat("2099-06-01T10:00:00+08:00"), 5)


def test_naive_instant_is_refused() -> None:
    with pytest.raises(InvalidInput, match="UTC offset"):
        due_on(POLICY, datetime(2025, 6, 1, 10), 5)


@given(
    day=st.dates(min_value=date(2010, 1, 1), max_value=date(2025, 10, 31)),
    days=st.integers(min_value=1, max_value=20),
)
def test_deadline_never_earlier_than_the_same_count_of_calendar_days(day: date, days: int) -> None:
    received = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)
    assert due_on(POLICY, received, days) >= day + timedelta(days=days)

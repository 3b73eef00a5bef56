"""The working calendar: holidays, adjusted working days, and counting from the next day."""

from __future__ import annotations

from datetime import date

import pytest

from agency_core import InvalidInput
from agency_core.calendar import add_working_days, is_working_day


def test_national_day_2025_holidays_and_adjusted_working_days() -> None:
    assert not is_working_day(date(2025, 10, 8))  # 国庆中秋 1–8 October
    assert is_working_day(date(2025, 9, 28))  # a Sunday worked in lieu (调休)
    assert is_working_day(date(2025, 10, 11))  # a Saturday worked in lieu


def test_five_working_days_from_a_receipt_before_the_holiday() -> None:
    # received Tuesday 30 September 2025; the day of receipt is not counted (民法典 §201)
    assert add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_an_ordinary_week() -> None:
    assert add_working_days(date(2025, 11, 3), 5) == date(2025, 11, 10)
    assert add_working_days(date(2025, 11, 3), 0) == date(2025, 11, 3)


def test_years_without_calendar_data_are_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="no data for 2031"):
        add_working_days(date(2031, 1, 1), 1)


@pytest.mark.parametrize("days", [-1, 1.5, True])
def test_bad_day_counts_are_refused(days: object) -> None:
    with pytest.raises(InvalidInput):
        add_working_days(date(2025, 1, 1), days)  # type: ignore[arg-type]

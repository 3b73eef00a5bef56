"""The working calendar: the official schedule as data, counting from the next day (民法典 §201),
the §203 holiday rule, the firm's time zone, and the refusal of years without a schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency_core import (
    CalendarError,
    Deadline,
    InvalidInput,
    Period,
    PolicyError,
    WorkingCalendar,
    bundled_calendar,
    default_policy,
    load_policy,
    parse_policy,
)
from agency_core.calendar import YearSchedule

CAL = bundled_calendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT = resources.files("agency_core.policy").joinpath("default.toml").read_text("utf-8")

# An illustrative schedule for 2027, NOT the official one: New Year's Day off Friday 1 to Sunday 3
# January, and a made-up Spring Festival week with Saturday 6 February worked in lieu.
YEAR_2027 = """
[calendar.years.2027]
holidays = [2027-01-01, 2027-01-02, 2027-01-03, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10]
workdays = [2027-02-06]
"""


def policy_problems(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text.encode(), "firm.toml")
    return caught.value.problems


# -------------------------------------------------------------------------------------------------
# The bundled schedule
# -------------------------------------------------------------------------------------------------


def test_the_bundled_schedule_covers_2004_to_2026() -> None:
    assert set(range(2004, 2027)) <= CAL.years
    assert default_policy().calendar is CAL


def test_national_day_2025_holidays_and_adjusted_working_days() -> None:
    assert not CAL.is_working_day(date(2025, 10, 1))  # 国庆中秋 1–8 October
    assert not CAL.is_working_day(date(2025, 10, 8))  # a Wednesday off
    assert CAL.is_working_day(date(2025, 9, 28))  # a Sunday worked in lieu (调休)
    assert CAL.is_working_day(date(2025, 10, 11))  # a Saturday worked in lieu
    assert not CAL.is_working_day(date(2025, 10, 12))  # an ordinary Sunday


def test_spring_festival_2026_holidays_and_adjusted_working_days() -> None:
    assert not CAL.is_working_day(date(2026, 2, 23))  # 春节 15–23 February, a Monday off
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday before, worked in lieu
    assert CAL.is_working_day(date(2026, 2, 28))  # Saturday after, worked in lieu


# -------------------------------------------------------------------------------------------------
# Working days (CS-02: 5 working days; §201: the day of receipt is not counted)
# -------------------------------------------------------------------------------------------------


def test_the_day_of_receipt_is_not_counted() -> None:
    # received Monday 3 November 2025: one working day later is Tuesday, five is the next Monday
    assert CAL.add_working_days(date(2025, 11, 3), 1) == date(2025, 11, 4)
    assert CAL.add_working_days(date(2025, 11, 3), 5) == date(2025, 11, 10)
    assert CAL.add_working_days(date(2025, 11, 3), 0) == date(2025, 11, 3)


def test_five_working_days_across_national_day_2025_count_the_adjusted_saturday() -> None:
    # received Tuesday 30 September: 9, 10, 11 (Saturday, worked in lieu), 13 and 14 October
    assert CAL.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_five_working_days_across_spring_festival_2026() -> None:
    # received Friday 13 February: 14 (Saturday, worked in lieu), then 24, 25, 26, 27 February
    assert CAL.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert CAL.add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)  # a Saturday, worked


def test_one_working_day_across_spring_festival_2025() -> None:
    # received Monday 27 January 2025; 28 January to 4 February are off
    assert CAL.add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)


def test_complaint_deadline_received_on_a_holiday() -> None:
    deadline = CAL.deadline(date(2025, 10, 3), Period(5))
    assert deadline == Deadline(date(2025, 10, 14), datetime(2025, 10, 15, tzinfo=SHANGHAI))


# -------------------------------------------------------------------------------------------------
# Calendar days (§203: a period ending on a day off ends on the next working day)
# -------------------------------------------------------------------------------------------------


def test_a_calendar_day_period_ending_on_national_day_moves_past_the_holiday() -> None:
    # 7 days after Wednesday 24 September 2025 is 1 October; the holiday ends on 8 October
    assert CAL.add_calendar_days(date(2025, 9, 24), 7) == date(2025, 10, 9)
    assert CAL.deadline(date(2025, 9, 24), Period(7, "calendar_days")).last_day == date(2025, 10, 9)


def test_a_calendar_day_period_ending_on_a_weekend_moves_to_monday() -> None:
    assert CAL.add_calendar_days(date(2025, 11, 1), 1) == date(2025, 11, 3)


def test_a_calendar_day_period_ending_on_a_day_worked_in_lieu_stays() -> None:
    assert CAL.add_calendar_days(date(2025, 9, 21), 7) == date(2025, 9, 28)  # Sunday, worked


def test_a_calendar_day_period_ending_on_a_working_day_stays() -> None:
    assert CAL.add_calendar_days(date(2025, 11, 3), 15) == date(2025, 11, 18)


# -------------------------------------------------------------------------------------------------
# Time zones: the event's day is the day in the firm's time zone; a period ends at its midnight
# -------------------------------------------------------------------------------------------------


def test_late_evening_utc_is_the_next_day_in_shanghai() -> None:
    late = datetime(2025, 11, 3, 16, 30, tzinfo=UTC)  # Tuesday 4 November, 00:30 in Shanghai
    deadline = CAL.deadline(late, Period(1))
    assert deadline.last_day == date(2025, 11, 5)
    assert deadline.ends_at == datetime(2025, 11, 6, tzinfo=SHANGHAI)
    assert deadline.ends_at.astimezone(UTC) == datetime(2025, 11, 5, 16, tzinfo=UTC)
    # the same instant written in +08:00 is the same event
    same = late.astimezone(timezone(timedelta(hours=8)))
    assert CAL.deadline(same, Period(1)) == deadline
    # a firm whose time zone is UTC counts from Monday
    assert CAL.deadline(late, Period(1), "UTC").last_day == date(2025, 11, 4)


def test_just_before_midnight_in_shanghai_is_still_that_day() -> None:
    evening = datetime(2025, 11, 3, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    assert CAL.deadline(evening, Period(1)).last_day == date(2025, 11, 4)


def test_a_utc_evening_on_the_last_holiday_is_the_first_working_day_in_shanghai() -> None:
    # 16:30 UTC on Wednesday 8 October 2025 (still National Day) is 00:30 on Thursday 9 October
    evening = datetime(2025, 10, 8, 16, 30, tzinfo=UTC)
    assert CAL.deadline(evening, Period(1)).last_day == date(2025, 10, 10)
    assert CAL.deadline(evening, Period(1), "UTC").last_day == date(2025, 10, 9)
    plus_eight = evening.astimezone(timezone(timedelta(hours=8)))
    assert plus_eight.date() == date(2025, 10, 9)
    assert CAL.deadline(plus_eight, Period(1)).last_day == date(2025, 10, 10)


# -------------------------------------------------------------------------------------------------
# Years without a schedule are refused, never counted as weekdays
# -------------------------------------------------------------------------------------------------


def test_a_deadline_counting_into_an_unknown_year_is_refused() -> None:
    assert CAL.add_working_days(date(2026, 12, 24), 5) == date(2026, 12, 31)
    with pytest.raises(CalendarError) as caught:
        CAL.add_working_days(date(2026, 12, 24), 6)
    assert caught.value.year == 2027
    assert "no schedule for 2027" in str(caught.value)
    assert "[calendar.years.2027]" in str(caught.value)
    assert isinstance(caught.value, InvalidInput)


def test_an_event_in_an_unknown_year_is_refused() -> None:
    with pytest.raises(CalendarError, match="2027"):
        CAL.deadline(datetime(2027, 3, 1, 9, tzinfo=SHANGHAI), Period(5))
    with pytest.raises(CalendarError, match="2003"):
        CAL.is_working_day(date(2003, 6, 2))


def test_a_calendar_day_period_ending_in_an_unknown_year_is_refused() -> None:
    with pytest.raises(CalendarError, match="2027"):
        CAL.add_calendar_days(date(2026, 12, 20), 30)
    with pytest.raises(CalendarError, match="2027"):  # 31 December 2026 is a Thursday, but
        CAL.add_calendar_days(date(2026, 12, 30), 3)  # 2 January 2027 is a Saturday: unknown


def test_a_policy_that_adds_2027_counts_into_it() -> None:
    with pytest.raises(CalendarError):
        default_policy().calendar.add_working_days(date(2026, 12, 30), 2)
    policy = parse_policy((DEFAULT + YEAR_2027).encode(), "firm.toml")
    calendar = policy.calendar
    assert 2027 in calendar.years
    assert calendar.add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert calendar.add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 6)  # worked Saturday
    assert calendar.add_working_days(date(2027, 2, 5), 2) == date(2027, 2, 11)
    assert calendar.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)  # bundled kept


def test_a_calendar_file_next_to_the_policy_adds_a_year(tmp_path: Path) -> None:
    (tmp_path / "calendar-2027.toml").write_text(
        YEAR_2027.replace("[calendar.years.2027]", "[years.2027]"), "utf-8"
    )
    policy_file = tmp_path / "firm.toml"
    text = DEFAULT.replace("\n[calendar]\n", '\n[calendar]\nfile = "calendar-2027.toml"\n')
    policy_file.write_text(text, "utf-8")
    policy = load_policy(policy_file)
    assert policy.calendar.add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)
    # the calendar file is part of the policy's hash
    first = policy.sha256
    (tmp_path / "calendar-2027.toml").write_text(
        YEAR_2027.replace("[calendar.years.2027]", "[years.2027]").replace(", 2027-01-03", ""),
        "utf-8",
    )
    assert load_policy(policy_file).sha256 != first


def test_a_policy_year_replaces_the_bundled_one() -> None:
    text = DEFAULT + "[calendar.years.2025]\nholidays = [2025-01-01]\n"
    calendar = parse_policy(text.encode(), "firm.toml").calendar
    assert calendar.is_working_day(date(2025, 10, 8))
    assert not calendar.is_working_day(date(2025, 10, 11))  # no longer worked in lieu
    assert not calendar.is_working_day(date(2025, 1, 1))
    assert not calendar.is_working_day(date(2026, 10, 1))  # other years untouched


def test_with_years_replaces_and_adds() -> None:
    empty = WorkingCalendar()
    with pytest.raises(CalendarError):
        empty.is_working_day(date(2025, 1, 2))
    one = empty.with_years({2025: YearSchedule([date(2025, 1, 1)])})
    assert one.years == frozenset({2025})
    assert one.is_working_day(date(2025, 10, 8))


# -------------------------------------------------------------------------------------------------
# Bad schedules are refused when the policy loads, with the path of each problem
# -------------------------------------------------------------------------------------------------


def test_an_adjusted_working_day_on_a_weekday_is_refused() -> None:
    text = DEFAULT + YEAR_2027.replace("workdays = [2027-02-06]", "workdays = [2027-02-04]")
    assert policy_problems(text) == (
        "an adjusted working day (调休) is a Saturday or Sunday; 2027-02-04 is a Thursday "
        "@ $.calendar.years['2027'].workdays[0]",
    )


def test_a_date_outside_its_year_is_refused() -> None:
    text = DEFAULT + YEAR_2027.replace("holidays = [2027-01-01,", "holidays = [2028-01-01,")
    assert policy_problems(text) == (
        "2028-01-01 is not in 2027 @ $.calendar.years['2027'].holidays[0]",
    )


def test_a_day_both_holiday_and_working_day_is_refused() -> None:
    text = DEFAULT + YEAR_2027.replace("workdays = [2027-02-06]", "workdays = [2027-01-02]")
    assert policy_problems(text) == (
        "2027-01-02 is both a holiday and an adjusted working day "
        "@ $.calendar.years['2027'].workdays[0]",
    )


def test_a_year_without_holidays_or_with_a_bad_key_is_refused() -> None:
    empty = DEFAULT + "[calendar.years.2027]\nholidays = []\n"
    assert policy_problems(empty) == (
        "2027 lists no holiday: that would count weekdays only @ $.calendar.years['2027'].holidays",
    )
    short = DEFAULT + "[calendar.years.27]\nholidays = [2027-01-01]\n"
    assert policy_problems(short) == (
        "a year is written with four digits, 1900..2999, not '27' @ $.calendar.years['27']",
    )
    twice = DEFAULT + "[calendar.years.2027]\nholidays = [2027-01-01, 2027-01-01]\n"
    assert policy_problems(twice) == (
        "2027-01-01 is listed twice @ $.calendar.years['2027'].holidays[1]",
    )


def test_structural_errors_in_the_calendar_table_name_their_path() -> None:
    text = DEFAULT + '[calendar.years.2027]\nholidays = ["1 January"]\nextra = 1\n'
    problems = policy_problems(text)
    assert any(p.endswith("@ $.calendar.years['2027'].holidays[0]") for p in problems), problems
    assert any("extra" in p for p in problems), problems


def test_an_unreadable_calendar_file_is_refused(tmp_path: Path) -> None:
    policy_file = tmp_path / "firm.toml"
    policy_file.write_text(
        DEFAULT.replace("\n[calendar]\n", '\n[calendar]\nfile = "x.toml"\n'), "utf-8"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_file)
    (problem,) = caught.value.problems
    assert problem.startswith(f"cannot read the calendar file {tmp_path / 'x.toml'}")
    assert problem.endswith("@ $.calendar.file")


def test_a_calendar_file_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    text = DEFAULT.replace("\n[calendar]\n", '\n[calendar]\nfile = "/dev/zero"\n')
    assert policy_problems(text) == (
        "cannot read the calendar file /dev/zero: not a regular file @ $.calendar.file",
    )
    (tmp_path / "folder").mkdir()
    text = DEFAULT.replace("\n[calendar]\n", '\n[calendar]\nfile = "folder"\n')
    with pytest.raises(PolicyError, match="not a regular file"):
        parse_policy(text.encode(), "firm.toml", base=tmp_path)


def test_a_bad_calendar_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "cal.toml").write_text(
        "[years.2027]\nholidays = [2027-01-01]\nworkdays = [2027-01-05]\n"
    )
    policy_file = tmp_path / "firm.toml"
    policy_file.write_text(
        DEFAULT.replace("\n[calendar]\n", '\n[calendar]\nfile = "cal.toml"\n'), "utf-8"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_file)
    assert caught.value.source == str(tmp_path / "cal.toml")
    assert caught.value.problems == (
        "an adjusted working day (调休) is a Saturday or Sunday; 2027-01-05 is a Tuesday "
        "@ $.years['2027'].workdays[0]",
    )


def test_with_years_checks_the_schedule() -> None:
    with pytest.raises(InvalidInput, match="not in 2027"):
        WorkingCalendar().with_years({2027: YearSchedule([date(2026, 1, 1)])})


# -------------------------------------------------------------------------------------------------
# Bad arguments
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, -1, 1.5, True, "5"])
def test_bad_period_counts_are_refused(count: object) -> None:
    with pytest.raises(InvalidInput, match="count"):
        Period(count)  # type: ignore[arg-type]


def test_a_bad_period_unit_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unit"):
        Period(5, "weeks")  # type: ignore[arg-type]


@pytest.mark.parametrize("days", [-1, 1.5, True])
def test_bad_day_counts_are_refused(days: object) -> None:
    with pytest.raises(InvalidInput):
        CAL.add_working_days(date(2025, 1, 2), days)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        CAL.add_calendar_days(date(2025, 1, 2), days)  # type: ignore[arg-type]


def test_a_huge_calendar_day_count_is_refused() -> None:
    with pytest.raises(InvalidInput):
        CAL.add_calendar_days(date(2025, 1, 2), 10**9)


def test_a_naive_event_is_refused() -> None:
    with pytest.raises(InvalidInput, match="UTC offset"):
        CAL.deadline(datetime(2025, 11, 3, 9), Period(1))


def test_a_datetime_is_not_a_day() -> None:
    with pytest.raises(InvalidInput, match="not a datetime"):
        CAL.is_working_day(datetime(2025, 10, 1, tzinfo=UTC))  # type: ignore[arg-type]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "Asia"])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        CAL.deadline(date(2025, 11, 3), Period(1), zone)


# -------------------------------------------------------------------------------------------------
# Properties (within the bundled years: starts up to mid-2026, at most 60 days)
# -------------------------------------------------------------------------------------------------

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))
counts = st.integers(min_value=1, max_value=60)


@given(starts, counts)
def test_working_days_never_end_before_the_same_count_of_calendar_days(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) >= CAL.add_calendar_days(start, n)


@given(starts, counts, counts)
def test_deadlines_are_monotonic_in_the_count(start: date, n: int, m: int) -> None:
    low, high = sorted((n, m))
    assert CAL.add_working_days(start, low) <= CAL.add_working_days(start, high)
    assert CAL.add_calendar_days(start, low) <= CAL.add_calendar_days(start, high)


@given(starts, starts, counts)
def test_deadlines_are_monotonic_in_the_start(first: date, second: date, n: int) -> None:
    early, late = sorted((first, second))
    assert CAL.add_working_days(early, n) <= CAL.add_working_days(late, n)
    assert CAL.add_calendar_days(early, n) <= CAL.add_calendar_days(late, n)


@given(starts, st.integers(0, 30), st.integers(0, 30))
def test_adding_n_then_m_working_days_is_adding_n_plus_m(start: date, n: int, m: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(start, n), m) == CAL.add_working_days(
        start, n + m
    )


@given(starts, counts)
def test_every_deadline_is_a_working_day_after_the_event(start: date, n: int) -> None:
    for last in (CAL.add_working_days(start, n), CAL.add_calendar_days(start, n)):
        assert last > start
        assert CAL.is_working_day(last)
    working = CAL.add_working_days(start, n)
    days = (working - start).days
    assert sum(CAL.is_working_day(start + timedelta(d)) for d in range(1, days + 1)) == n


@given(st.datetimes(min_value=datetime(2004, 1, 2), max_value=datetime(2026, 6, 30)), counts)
def test_a_deadline_ends_at_midnight_after_its_last_day(moment: datetime, n: int) -> None:
    event = moment.replace(tzinfo=UTC)
    deadline = CAL.deadline(event, Period(n))
    assert deadline.ends_at > event
    assert deadline.ends_at.tzinfo == SHANGHAI
    assert deadline.ends_at.date() == deadline.last_day + timedelta(days=1)
    assert (deadline.ends_at.hour, deadline.ends_at.minute) == (0, 0)
    assert deadline.last_day == CAL.add_working_days(event.astimezone(SHANGHAI).date(), n)


# -- the deadline lookup: the engine asks agency_deadline, the bundled answer counts on the policy --


def test_the_engine_counts_deadlines_with_the_bundled_lookup() -> None:
    from agency_core import Engine

    engine = Engine()
    event = datetime(2025, 9, 30, 10, tzinfo=UTC)  # 18:00 in Shanghai, before National Day
    assert engine.deadline(event, Period(5)).last_day == date(2025, 10, 14)
    with pytest.raises(CalendarError, match="2027"):
        engine.deadline(datetime(2026, 12, 28, 10, tzinfo=UTC), Period(5))


def test_a_firm_overrides_the_deadline_lookup_and_a_failing_one_is_named() -> None:
    from agency_core import Engine, PluginError, hookimpl

    class Generous:
        @hookimpl
        def agency_deadline(self, start: datetime, period: Period) -> Deadline:
            day = start.date() + timedelta(days=30)
            return Deadline(
                day, datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
            )

    class Broken:
        @hookimpl
        def agency_deadline(self) -> Deadline:
            raise RuntimeError("calendar service down")

    event = datetime(2025, 9, 30, 10, tzinfo=UTC)
    assert Engine(plugins=[Generous()]).deadline(event, Period(5)).last_day == date(2025, 10, 30)
    with pytest.raises(PluginError, match=r"Broken.*calendar service down"):
        Engine(plugins=[Broken()]).deadline(event, Period(5))
    with pytest.raises(PluginError, match="no plugin answers agency_deadline"):
        Engine(block=["agency_core.builtin.deadlines"]).deadline(event, Period(5))

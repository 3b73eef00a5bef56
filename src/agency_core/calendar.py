"""The working calendar of mainland China as data, and deadlines counted on it (CONTROLS.md §4).

The official schedule of each year (holidays and the weekend days worked in lieu, 调休) ships in
``agency_core/data/calendar-cn.toml``; a policy adds or replaces years (``[calendar]``). Counting
follows 民法典 §201-§203:

- a period starts the day after its event: the day of the event is not counted (§201);
- a period of *n* working days ends on the *n*-th working day after the event;
- a period of *n* calendar days whose last day is a day off ends on the next working day (§203);
- a period ends at the end of its last day, in the firm's time zone (§203).

Counting never guesses: a day in a year the calendar has no schedule for raises
:class:`~agency_core.errors.CalendarError`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import cattrs

from agency_core.convert import converter, error_lines
from agency_core.errors import CalendarError, InvalidInput, PolicyError

__all__ = [
    "DEFAULT_TIMEZONE",
    "Deadline",
    "Period",
    "Unit",
    "WorkingCalendar",
    "YearSchedule",
    "bundled_calendar",
    "read_calendar",
    "schedule_problems",
]

DEFAULT_TIMEZONE: Final = "Asia/Shanghai"
"""The firm's time zone unless its policy says otherwise (CONTROLS.md §4)."""

Unit = Literal["working_days", "calendar_days"]
"""How a period counts: working days on the calendar, or calendar days (§203 applies)."""

_ONE_DAY: Final = timedelta(days=1)
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_YEAR: Final = re.compile(r"(19|2[0-9])[0-9]{2}")


@attrs.frozen
class YearSchedule:
    """One year's official schedule: ``[years.<year>]`` of a calendar file, or of ``[calendar]``."""

    holidays: list[date]
    """The days off of the statutory holidays, weekends inside a holiday included."""
    workdays: list[date] = attrs.Factory(list)
    """The Saturdays and Sundays worked in lieu (调休)."""


@attrs.frozen
class _CalendarFile:
    years: dict[str, YearSchedule]


def schedule_problems(years: Mapping[str, YearSchedule], path: str) -> Iterator[str]:
    """One line per problem of ``years`` (keyed by the year as written), ending ``@ path``."""
    for key, schedule in years.items():
        here = f"{path}['{key}']"
        if not _YEAR.fullmatch(key):
            yield f"a year is written with four digits, 1900..2999, not {key!r} @ {here}"
            continue
        year = int(key)
        if not schedule.holidays:
            yield f"{year} lists no holiday: that would count weekdays only @ {here}.holidays"
        for name, days in (("holidays", schedule.holidays), ("workdays", schedule.workdays)):
            for index, day in enumerate(days):
                if day.year != year:
                    yield f"{day} is not in {year} @ {here}.{name}[{index}]"
                if day in days[:index]:
                    yield f"{day} is listed twice @ {here}.{name}[{index}]"
        for index, day in enumerate(schedule.workdays):
            at = f"{here}.workdays[{index}]"
            if day.weekday() < 5:
                yield (
                    f"an adjusted working day (调休) is a Saturday or Sunday; {day} is a "
                    f"{_WEEKDAYS[day.weekday()]} @ {at}"
                )
            if day in schedule.holidays:
                yield f"{day} is both a holiday and an adjusted working day @ {at}"


def read_calendar(data: bytes, source: str) -> dict[int, YearSchedule]:
    """The years of the calendar file ``data`` (TOML); ``source`` names it in errors.

    Raises :class:`~agency_core.errors.PolicyError` naming the path of each problem.
    """
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(source, [f"not UTF-8 TOML: {exc}"]) from None
    try:
        years = converter.structure(raw, _CalendarFile).years
    except cattrs.BaseValidationError as exc:
        raise PolicyError(source, error_lines(exc)) from None
    problems = list(schedule_problems(years, "$.years"))
    if problems:
        raise PolicyError(source, problems)
    return {int(key): schedule for key, schedule in years.items()}


def _count(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{attribute.name} must be a whole number of days >= 1, not {value!r}")


def _unit(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ("working_days", "calendar_days"):
        raise InvalidInput(
            f"{attribute.name} must be 'working_days' or 'calendar_days', not {value!r}"
        )


@attrs.frozen
class Period:
    """A period of ``count`` days (at least one), counted in ``unit``: CS-02 is 5 working days."""

    count: int = attrs.field(validator=_count)
    unit: Unit = attrs.field(default="working_days", validator=_unit)


@attrs.frozen
class Deadline:
    """When a period ends: its last day, and the instant that day ends, in the firm's time zone."""

    last_day: date
    """The last day of the period (inclusive)."""
    ends_at: datetime
    """The end of ``last_day``: 00:00 of the next day in the firm's time zone (aware)."""


def _day(value: object, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a date (not a datetime), not {value!r}")
    return value


def _days(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a whole number of days >= 0, not {value!r}")
    return value


def _zone(name: object) -> ZoneInfo:
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidInput(f"unknown time zone {name!r}: give an IANA name such as 'Asia/Shanghai'")


@attrs.frozen
class WorkingCalendar:
    """The compiled calendar: the years it knows, their holidays and adjusted working days.

    Build one with :meth:`with_years` (checked); :func:`bundled_calendar` is the official schedule
    that ships with agency-core and the compiled policy's ``calendar`` adds the policy's years.
    Every method raises :class:`~agency_core.errors.CalendarError` for a day in an unknown year.
    """

    years: frozenset[int] = frozenset()
    holidays: frozenset[date] = attrs.field(default=frozenset(), repr=False)
    workdays: frozenset[date] = attrs.field(default=frozenset(), repr=False)

    def with_years(self, schedules: Mapping[int, YearSchedule]) -> WorkingCalendar:
        """This calendar with ``schedules`` added, each replacing any schedule of its year."""
        problems = list(schedule_problems({str(y): s for y, s in schedules.items()}, "$"))
        if problems:
            raise InvalidInput(problems[0], problems=problems)
        if not schedules:
            return self
        kept = self.years - set(schedules)
        return WorkingCalendar(
            kept | set(schedules),
            frozenset(d for d in self.holidays if d.year in kept).union(
                *(s.holidays for s in schedules.values())
            ),
            frozenset(d for d in self.workdays if d.year in kept).union(
                *(s.workdays for s in schedules.values())
            ),
        )

    def _works(self, day: date) -> bool:
        if day.year not in self.years:
            raise CalendarError(day.year)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day: a weekday not a holiday, or a day worked in lieu."""
        return self._works(_day(day, "day"))

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` not counted, §201).

        Zero days is ``start`` itself. ``start`` and every day counted must lie in known years.
        """
        day, days = _day(start, "start"), _days(days, "days")
        self._works(day)
        while days:
            day += _ONE_DAY
            days -= self._works(day)
        return day

    def add_calendar_days(self, start: date, days: int) -> date:
        """``start`` plus ``days``; a last day that is a day off moves to the next working day."""
        start, days = _day(start, "start"), _days(days, "days")
        self._works(start)
        if days > (date.max - start).days:
            raise InvalidInput(f"{days} days after {start} is past the year {date.max.year}")
        day = start + timedelta(days=days)
        while not self._works(day):
            day += _ONE_DAY
        return day

    def deadline(
        self, event: date | datetime, period: Period, timezone: str = DEFAULT_TIMEZONE
    ) -> Deadline:
        """The deadline of ``period`` after ``event`` for a firm in ``timezone`` (§201-§203).

        ``event`` is an aware datetime, taken on its day in ``timezone`` (23:30 UTC is the next
        morning in Shanghai), or a date already in the firm's time zone; a naive datetime is
        refused. The period starts the next day and ends at the end of its last day.
        """
        zone = _zone(timezone)
        if isinstance(event, datetime):
            if event.utcoffset() is None:
                raise InvalidInput(f"event must carry a UTC offset, got naive {event}")
            day = event.astimezone(zone).date()
        else:
            day = _day(event, "event")
        if not isinstance(period, Period):
            raise InvalidInput(f"period must be a Period, not {period!r}")
        if period.unit == "working_days":
            last = self.add_working_days(day, period.count)
        else:
            last = self.add_calendar_days(day, period.count)
        return Deadline(last, datetime.combine(last + _ONE_DAY, time(), tzinfo=zone))


@cache
def bundled_calendar() -> WorkingCalendar:
    """The official schedule that ships with agency-core (``agency_core/data/calendar-cn.toml``)."""
    data = resources.files("agency_core").joinpath("data/calendar-cn.toml").read_bytes()
    return WorkingCalendar().with_years(read_calendar(data, "agency_core:data/calendar-cn.toml"))

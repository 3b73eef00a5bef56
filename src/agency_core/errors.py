"""The errors agency-core raises: every one is an :class:`AgencyError`.

Each error says what is wrong and where (``path`` in JSONPath form, ``$`` for the whole input), so a
host can show it to a person without a traceback. Errors subclass the matching builtin as attrs does
(an invalid value is also a :class:`ValueError`).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AgencyError",
    "CalendarError",
    "CurrencyMismatch",
    "InvalidInput",
    "MoneyError",
    "NotFound",
    "PluginError",
    "PolicyError",
    "StateError",
]


class AgencyError(Exception):
    """Base of every error agency-core raises on purpose."""


class InvalidInput(AgencyError, ValueError):
    """Input that does not describe a valid entity or request.

    ``problems`` holds one line per problem, each ending with ``@ path``.
    """

    def __init__(self, message: str, *, path: str = "$", problems: Sequence[str] = ()) -> None:
        self.path = path
        self.problems: tuple[str, ...] = tuple(problems) or (f"{message} @ {path}",)
        super().__init__(message if not problems else "\n".join(self.problems))


class MoneyError(InvalidInput):
    """Not exact money (FEE-06): a float, NaN, an infinity, a negative or a bad currency."""


class CurrencyMismatch(MoneyError):
    """Two amounts in different currencies were combined or compared (FEE-06)."""


class CalendarError(InvalidInput):
    """A deadline that needs a day of a year the working calendar has no schedule for.

    ``year`` is that year. Deadlines are never counted on weekdays alone: add the year's official
    schedule to the policy (``[calendar.years.<year>]``) or to a calendar file it names.
    """

    def __init__(self, year: int, *, path: str = "$") -> None:
        self.year = year
        super().__init__(
            f"the working calendar has no schedule for {year}: add its official holidays and "
            f"adjusted working days to the policy as [calendar.years.{year}] holidays = [...] "
            f"workdays = [...] (or in the file [calendar] file names)",
            path=path,
        )


class PolicyError(AgencyError, ValueError):
    """A policy file that cannot be loaded: unreadable, malformed or breaking an invariant."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid policy {source}:\n{lines}")


class PluginError(AgencyError):
    """Plugins that cannot be composed: a hook nobody specified, a bad signature, a bad name."""


class StateError(AgencyError):
    """An operation that the current state does not allow (for example deciding a decided step)."""


class NotFound(AgencyError, LookupError):
    """A referenced thing (employee, record, request) does not exist."""

"""The compiled policy the hooks receive: tiers ready for bisection, conflicts as frozensets."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs

from agency_core.calendar import WorkingCalendar
from agency_core.decision import RouteStep
from agency_core.entities import Record, Role
from agency_core.entities import _fields as _f
from agency_core.errors import PluginError
from agency_core.policy.model import Basis

_S = TypeVar("_S")

__all__ = [
    "ConflictSet",
    "Destruction",
    "Matrix",
    "Policy",
    "Retention",
    "RetentionRule",
    "add_years",
    "lower_approvals",
]


@attrs.frozen(cache_hash=True)
class Matrix:
    """The tiers of one action for one department (or every department): sorted upper bounds."""

    action: str
    control: str
    inclusive: bool
    bounds: tuple[Decimal, ...]
    routes: tuple[tuple[RouteStep, ...], ...]
    """One more route than bounds: the last tier is unbounded."""

    def tier(self, amount: Decimal) -> int:
        """The index of the tier ``amount`` falls in (bisection on the bounds)."""
        if self.inclusive:
            return bisect_left(self.bounds, amount)
        return bisect_right(self.bounds, amount)

    def describe(self, tier: int) -> str:
        """The tier's range in words, such as ``5000 < amount <= 50000``."""
        low = self.bounds[tier - 1] if tier > 0 else None
        high = self.bounds[tier] if tier < len(self.bounds) else None
        if low is None and high is None:
            return "any amount"
        lower, upper = ("<", "<=") if self.inclusive else ("<=", "<")
        parts = [f"{low} {lower} " if low is not None else "", "amount"]
        parts.append(f" {upper} {high}" if high is not None else "")
        return "".join(parts)


@attrs.frozen
class ConflictSet:
    """A static separation-of-duty set (SOD-02): nobody holds ``cardinality`` roles of ``roles``."""

    name: str
    roles: frozenset[str]
    cardinality: int
    name_zh: str = ""


@attrs.frozen
class RetentionRule:
    """How long a record class is kept (``years`` None: permanently) and from when it counts."""

    record_class: str
    years: int | None
    basis: Basis


@attrs.frozen
class Retention:
    """When a record may be destroyed (RET-01, RET-02).

    ``due`` is the first day the record may be destroyed, None when it may never be (permanent) or
    cannot be known yet. ``decided_by`` is the class whose period is longest; ``unknown`` the
    classes no rule exists for; ``waiting`` the event-based classes whose event has not happened.
    """

    record: str
    due: date | None
    permanent: bool
    decided_by: str | None
    years: int | None
    """The period of the deciding class (None when permanent or not known)."""
    unknown: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """Whether the due date is settled (every class known, every event happened)."""
        return not self.unknown and not self.waiting


def lower_approvals(
    high: Sequence[str], low: Sequence[str], ranks: Mapping[str, int]
) -> str | None:
    """Why route ``high`` needs fewer or lower approvals than ``low`` (APR-03), or None.

    ``high`` dominates ``low`` when every role of ``low`` can be paired with its own role of
    ``high`` of equal or higher rank: both routes' ranks sorted from the highest, each rank of
    ``high`` is at least the rank in the same place of ``low``.
    """
    if len(high) < len(low):
        return f"fewer approvals, {len(high)} instead of {len(low)}"
    mine = sorted(high, key=lambda role: -ranks.get(role, 0))
    theirs = sorted(low, key=lambda role: -ranks.get(role, 0))
    for ours, needed in zip(mine, theirs, strict=False):
        if ranks.get(ours, 0) < ranks.get(needed, 0):
            rank = ranks[needed]
            return f"lower approvals, {needed} (rank {rank}) has no approver of its rank or higher"
    return None


@attrs.frozen
class Destruction:
    """Who approves and supervises the destruction of records (RET-04)."""

    approver_roles: tuple[str, ...]
    supervisor_departments: tuple[str, ...]
    min_supervisors: int


def add_years(start: date, years: int) -> date:
    """The first day after a period of whole ``years`` whose first counted day is ``start``.

    民法典 §201-§203: the period counts from ``start`` (the day after the event) and its last day
    is the day of the event ``years`` later, or the end of that month when the year has no such
    day; the period ends at the end of its last day. So 2020-02-29 (after an event on 2020-02-28)
    plus 5 years ends at the end of 2025-02-28 and gives 2025-03-01; 2025-01-01 plus 30 gives
    2055-01-01 (RET-02).
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year without one: the period ended on 28 February
        return date(start.year + years, 3, 1)


@attrs.frozen
class Policy:
    """A loaded, checked and compiled policy. Hooks receive it as ``policy``."""

    name: str
    version: str
    sha256: str
    source: str
    effective_from: date
    effective_to: date | None
    currency: str
    fiscal_year_start_month: int
    timezone: str
    """The firm's time zone (an IANA name): the dates that decide a rule are taken in it."""
    roles: Mapping[str, Role] = attrs.field(converter=_f.frozen_map)
    role_closure: Mapping[str, frozenset[str]] = attrs.field(converter=_f.frozen_map)
    """Each role with every role it inherits, directly or not."""
    matrices: Mapping[tuple[str, str | None], Matrix] = attrs.field(converter=_f.frozen_map)
    """Keyed by (action, department); department None holds the firm-wide tiers."""
    budget_action: str
    borrowing_action: str | None
    """The action whose approved requests lend archived records (RET-06); None: none does."""
    delegates: Mapping[str, frozenset[str]] = attrs.field(converter=_f.frozen_map)
    static_conflicts: tuple[ConflictSet, ...]
    duty_conflicts: Mapping[str, frozenset[str]] = attrs.field(converter=_f.frozen_map)
    """Each duty with the duties the same person may not also perform on one subject."""
    duty_conflict_names: Mapping[frozenset[str], tuple[str, str]] = attrs.field(
        converter=_f.frozen_map
    )
    """Each incompatible pair of duties with the conflict's name in English and Chinese."""
    retention: Mapping[str, RetentionRule] = attrs.field(converter=_f.frozen_map)
    prefixes: Mapping[str, str] = attrs.field(converter=_f.frozen_map)
    destruction: Destruction
    min_backups: int
    calendar: WorkingCalendar = attrs.field(repr=False)
    """The working calendar: the bundled schedule with the policy's ``[calendar]`` years."""
    plugin_tables: Mapping[str, Any] = attrs.field(factory=_f.FrozenMap, repr=False)
    """The file's ``[plugins.NAME]`` tables as written, bound to sections by an engine."""
    sections: Mapping[str, Any] = attrs.field(factory=_f.FrozenMap, repr=False)
    """The plugins' policy sections, by name, once an engine has bound them."""

    def section(self, name: str, spec: type[_S]) -> _S:
        """The policy section ``name`` as its plugin declared it (``spec``)."""
        value = self.sections.get(name)
        if not isinstance(value, spec):
            raise PluginError(
                f"the policy has no section {name!r} of type {spec.__name__}: "
                "is the plugin that declares it registered with the engine?"
            )
        return value

    def local_date(self, at: datetime) -> date:
        """The day ``at`` falls on in the firm's time zone, whatever offset it was written in."""
        return at.astimezone(ZoneInfo(self.timezone)).date()

    def matrix(self, action: str, department: str) -> Matrix | None:
        """The tiers for ``action`` in ``department``: its own override, else firm-wide."""
        return self.matrices.get((action, department)) or self.matrices.get((action, None))

    def in_force(self, on: date) -> bool:
        """Whether the policy is in force on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def holds(self, roles: Iterable[str], role: str) -> bool:
        """Whether ``roles`` include ``role``, directly or by inheritance."""
        closure = self.role_closure
        for held in roles:  # noqa: SIM110 - a loop: no generator frame on every step decision
            if held == role or role in closure.get(held, ()):
                return True
        return False

    def effective_roles(self, roles: Iterable[str]) -> frozenset[str]:
        """``roles`` with every inherited role (unknown roles count as themselves)."""
        held: set[str] = set()
        closure = self.role_closure
        for role in roles:
            held |= closure.get(role, frozenset((role,)))
        return frozenset(held)

    def retention_start(self, rule: RetentionRule, record: Record) -> date | None:
        """The first day a record's period counts from under ``rule`` (RET-02)."""
        if rule.basis is Basis.EVENT:
            return None if record.event_on is None else record.event_on + timedelta(days=1)
        closed, month = record.closed_on, self.fiscal_year_start_month
        return date(closed.year + (closed.month >= month), month, 1)

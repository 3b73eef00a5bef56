"""Many step questions as columns: may ``actor[i]`` approve the next step of request ``i``?

A :class:`StepBatch` holds the question hosts ask most, for many rows at once, in plain values
(strings, Decimals, datetimes) rather than one entity per fact. Its columns are validated once, as
columns, with the entities' rules and typed errors; :meth:`Engine.check_steps
<agency_core.Engine.check_steps>` decides every row.

Row ``i`` stands for exactly one :class:`~agency_core.StepCheck`, which :meth:`StepBatch.check`
builds: the request ``ApprovalRequest(request_id[i], action[i], Money(amount[i], currency[i]),
department[i], requester[i])``; the actor ``Employee(actor[i], actor_department[i],
actor_roles[i])`` approving, in their own name at ``at[i]``, the step after those in
``approved[i]``; and as history, step ``k`` approved by ``approved[i][k] = (who, when)``. Steps
with a rejection, a delegate or a reason are asked with :meth:`Engine.check_step
<agency_core.Engine.check_step>`.

One row is asked alone with :meth:`Engine.check_step_row <agency_core.Engine.check_step_row>`: its
values are validated one by one (``step_row``, with the same rules and errors naming the
argument). Either way the entities of a row are built once, from validated values, by constructors
that do not validate them again (``_fields.prevalidated``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import Decimal
from itertools import chain
from operator import attrgetter
from typing import Any, Final

import attrs

from agency_core.decision import Route
from agency_core.entities import ApprovalRequest, Employee, Money, StepAction, Verdict
from agency_core.entities import _fields as _f
from agency_core.entities.money import CURRENCIES, MAX_DIGITS, amount_of, rounded_all
from agency_core.errors import InvalidInput
from agency_core.requests import StepCheck

__all__ = ["StepBatch"]

Approved = tuple[tuple[str, datetime], ...]
"""The steps approved so far, in order: step ``k`` by ``approved[k] = (who, when)``."""

_CODES: Final = (
    "request_id",
    "action",
    "department",
    "requester",
    "actor",
    "actor_department",
)
_year = attrgetter("year")
_zone = attrgetter("tzinfo")


def _column(value: Any) -> tuple[Any, ...]:
    """A column as a tuple; a single string or datetime is kept for every row (broadcast)."""
    if isinstance(value, str | datetime):
        return (value,)
    return _f.to_tuple(value)


_FEW: Final = 16
"""Below this many cells, a Python loop is cheaper than setting up the C loops."""


def _plain(column: tuple[Any, ...]) -> bool:
    """Whether every cell is a printable ASCII string of a storable length, not blank: the usual
    case, which :func:`_codes` need not look at cell by cell. Checked on the cells joined, in C:
    printable ASCII holds no whitespace but the space, so without a space only an empty cell is
    blank, and cells are short enough when all of them together are."""
    try:
        joined = "".join(column)  # a TypeError unless every cell is a string
    except TypeError:
        return False
    if not (joined.isascii() and joined.isprintable()):
        return False
    if " " in joined:
        return all(map(str.strip, column)) and max(map(len, column)) <= _f.MAX_CODE
    if "" in column:
        return False
    if len(joined) <= _f.MAX_CODE:
        return True
    if len(column) >= _FEW:
        return max(map(len, column)) <= _f.MAX_CODE
    for value in column:  # noqa: SIM110 - a loop: cheaper than setting up map() for a few cells
        if len(value) > _f.MAX_CODE:
            return False
    return True


def _codes(name: str, column: tuple[Any, ...]) -> None:
    """Every cell an identifier (:func:`agency_core.entities._fields.code`), checked as a column."""
    if not _plain(column):
        for row, value in enumerate(column):
            _f.check_code(f"{name}[{row}]", value)


def _fixed(column: tuple[Any, ...]) -> bool:
    """Whether every cell is a datetime at a fixed UTC offset within the years the engine
    computes with: the usual case, which :func:`_instants` need not look at cell by cell."""
    if len(column) < _FEW:
        for value in column:
            if not (
                type(value) is datetime
                and type(value.tzinfo) is timezone
                and _f.MIN_YEAR <= value.year <= _f.MAX_YEAR
            ):
                return False
        return True
    return (
        set(map(type, column)) == {datetime}
        and set(map(type, map(_zone, column))) == {timezone}
        and min(map(_year, column)) >= _f.MIN_YEAR
        and max(map(_year, column)) <= _f.MAX_YEAR
    )


def _instants(name: str, column: tuple[Any, ...]) -> None:
    """Every cell a timezone-aware datetime within the years the engine computes with."""
    if not _fixed(column):
        for row, value in enumerate(column):
            _f.check_aware(f"{name}[{row}]", value)


Roles = tuple[str, ...] | frozenset[str]
_KEPT: Final = {tuple, frozenset}
"""Immutable collections of roles, kept as given."""


def _roles(name: str, value: object) -> Roles:
    if type(value) is tuple or type(value) is frozenset:  # immutable: kept as given
        return value
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput(f"{name} must be a collection of roles, not {value!r}")
    return frozenset(value)


def _approved(name: str, value: Any) -> Approved:
    try:
        steps = _f.to_tuple(value)
    except InvalidInput:
        raise InvalidInput(f"{name} must be a list of (who, when) pairs, not {value!r}") from None
    for step, pair in enumerate(steps):
        if type(pair) is not tuple or len(pair) != 2:
            raise InvalidInput(f"{name}[{step}] must be a (who, when) pair, not {pair!r}")
    return steps


def _amounts(column: tuple[Any, ...], currencies: tuple[str, ...]) -> tuple[Decimal, ...]:
    """Every cell as :class:`~agency_core.Money` rounds it in its row's currency."""
    if (  # the usual case, in C loops: finite, non-negative Decimals in one currency
        column
        and len(set(currencies)) == 1
        and currencies[0] in CURRENCIES
        and set(map(type, column)) == {Decimal}
        and all(map(Decimal.is_finite, column))
        and min(column) >= 0
        and max(column).adjusted() < MAX_DIGITS
    ):
        return rounded_all(column, currencies[0])
    amounts = []
    for row, (value, currency) in enumerate(zip(column, currencies, strict=True)):
        try:
            amounts.append(amount_of(value, currency))
        except InvalidInput as exc:
            raise type(exc)(f"amount[{row}]: {exc}") from None
    return tuple(amounts)


@attrs.frozen
class StepBatch:
    """Step questions as columns, one row per question (see the module docs for what a row means).

    Every column has one cell per row; ``currency`` and ``at`` may be given once for all rows.
    Bad cells raise :class:`~agency_core.InvalidInput` (or :class:`~agency_core.MoneyError`)
    naming the column and the row, such as ``actor[17]``.
    """

    request_id: tuple[str, ...] = attrs.field(converter=_column)
    action: tuple[str, ...] = attrs.field(converter=_column)
    amount: tuple[Decimal, ...] = attrs.field(converter=_column)
    """Rounded to the currency's minor unit, as :class:`~agency_core.Money` rounds."""
    department: tuple[str, ...] = attrs.field(converter=_column)
    requester: tuple[str, ...] = attrs.field(converter=_column)
    actor: tuple[str, ...] = attrs.field(converter=_column)
    actor_department: tuple[str, ...] = attrs.field(converter=_column)
    actor_roles: tuple[Roles, ...] = attrs.field(converter=_column)
    """Each row's roles: a tuple or frozenset, kept as given; other collections, frozensets."""
    approved: tuple[Approved, ...] = attrs.field(converter=_column)
    at: tuple[datetime, ...] = attrs.field(converter=_column)
    currency: tuple[str, ...] = attrs.field(default="CNY", converter=_column)

    def __attrs_post_init__(self) -> None:
        rows = len(self.request_id)
        for name in ("currency", "at"):
            column = getattr(self, name)
            if len(column) == 1 and rows != 1:
                object.__setattr__(self, name, column * rows)
        for field in attrs.fields(StepBatch):
            if len(getattr(self, field.name)) != rows:
                raise InvalidInput(
                    f"{field.name} has {len(getattr(self, field.name))} cells, "
                    f"request_id has {rows}: every column needs one per row"
                )
        if not _plain(tuple(chain.from_iterable(getattr(self, name) for name in _CODES))):
            for name in _CODES:
                _codes(name, getattr(self, name))
        _codes("currency", self.currency)
        _instants("at", self.at)
        object.__setattr__(self, "amount", _amounts(self.amount, self.currency))
        roles = self.actor_roles
        if not set(map(type, roles)) <= _KEPT:
            roles = tuple(_roles(f"actor_roles[{row}]", value) for row, value in enumerate(roles))
            object.__setattr__(self, "actor_roles", roles)
        if not _plain(tuple(chain.from_iterable(roles))):
            for row, held in enumerate(roles):
                _codes(f"actor_roles[{row}]", tuple(held))
        approved = self.approved
        tuples = set(map(type, approved)) <= {tuple}
        steps = tuple(chain.from_iterable(approved)) if tuples else ()
        if not (  # the usual case: tuples of (who, when) tuples
            tuples and set(map(type, steps)) <= {tuple} and set(map(len, steps)) <= {2}
        ):
            approved = tuple(
                _approved(f"approved[{row}]", value) for row, value in enumerate(approved)
            )
            steps = tuple(chain.from_iterable(approved))
            object.__setattr__(self, "approved", approved)
        who, when = tuple(zip(*steps, strict=True)) or ((), ())
        if not _plain(who):
            for row, earlier in enumerate(approved):
                for step, (person, _when) in enumerate(earlier):
                    _f.check_code(f"approved[{row}][{step}] (who)", person)
        try:
            _instants("approved", when)
        except InvalidInput:
            for row, earlier in enumerate(approved):
                for step, (_who, instant) in enumerate(earlier):
                    _f.check_aware(f"approved[{row}][{step}] (when)", instant)

    def __len__(self) -> int:
        return len(self.request_id)

    def request(self, row: int) -> ApprovalRequest:
        """The approval request of ``row``."""
        return _request(
            self.request_id[row],
            self.action[row],
            _money(self.amount[row], self.currency[row]),
            self.department[row],
            self.requester[row],
            None,
        )

    def check(self, row: int, route: Route, request: ApprovalRequest | None = None) -> StepCheck:
        """The step check ``row`` stands for, on ``route`` (the route its request is given)."""
        return step_check(
            request if request is not None else self.request(row),
            route,
            (
                self.actor[row],
                self.actor_department[row],
                self.actor_roles[row],
                self.approved[row],
                self.at[row],
            ),
        )


# The entities of a row, built from values validated above (as a column or one by one), once.
_money = _f.prevalidated(Money)
_request = _f.prevalidated(ApprovalRequest)
_action = _f.prevalidated(StepAction)
_employee = _f.prevalidated(Employee)
_check = _f.prevalidated(StepCheck)
_APPROVE: Final = Verdict.APPROVE

Actor = tuple[str, str, Roles, Approved, datetime]
"""A step question's actor, as validated: id, department, roles, the steps approved, when."""


def step_row(
    request_id: str,
    action: str,
    amount: Decimal | int | str,
    department: str,
    requester: str,
    actor: str,
    actor_department: str,
    actor_roles: Iterable[str],
    approved: Iterable[tuple[str, datetime]],
    at: datetime,
    currency: str,
) -> tuple[ApprovalRequest, Actor]:
    """One row's plain values, validated with the entities' rules (errors name the column), as
    its request and its actor: what :meth:`Engine.check_step_row
    <agency_core.Engine.check_step_row>` asks."""
    roles = _roles("actor_roles", actor_roles)
    steps = _approved("approved", approved)
    who, when = [], []
    for person, instant in steps:  # a loop: cheaper than zip(*steps) for a few steps
        who.append(person)
        when.append(instant)
    if not _plain(
        (request_id, action, department, requester, actor, actor_department, *roles, *who)
    ):
        named = (request_id, action, department, requester, actor, actor_department)
        for name, value in zip(_CODES, named, strict=True):
            _f.check_code(name, value)
        _codes("actor_roles", tuple(roles))
        for step, person in enumerate(who):
            _f.check_code(f"approved[{step}] (who)", person)
    if not _fixed((at, *when)):
        _f.check_aware("at", at)
        for step, instant in enumerate(when):
            _f.check_aware(f"approved[{step}] (when)", instant)
    money = _money(amount_of(amount, currency), currency)
    request = _request(request_id, action, money, department, requester, None)
    return request, (actor, actor_department, roles, steps, at)


def step_check(request: ApprovalRequest, route: Route, actor: Actor) -> StepCheck:
    """The :class:`~agency_core.StepCheck` of a validated row: ``actor`` approving, in their own
    name, the step after those approved, on ``route``."""
    person, department, roles, approved, at = actor
    history: tuple[StepAction, ...] = ()
    if approved:
        history = tuple(
            [
                _action(step, who, _APPROVE, when, "", None)
                for step, (who, when) in enumerate(approved)
            ]
        )
    return _check(
        request,
        route,
        _action(len(history), person, _APPROVE, at, "", None),
        _employee(person, department, frozenset(roles), ""),
        None,
        history,
        (),
    )

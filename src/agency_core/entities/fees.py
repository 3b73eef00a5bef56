"""Fees: the published schedule, contracts and their agreed fees, charges, invoices, settlement."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import attrs

from agency_core.entities import _fields as _f
from agency_core.entities.money import Money
from agency_core.errors import InvalidInput

__all__ = [
    "Charge",
    "Contract",
    "FeeAdjustment",
    "FeeSchedule",
    "Invoice",
    "InvoiceLine",
    "ScheduleItem",
    "SettlementStatement",
    "StatementLine",
]


@attrs.frozen
class ScheduleItem:
    """One published service item and its price (公示的收费项目和标准)."""

    code: str = attrs.field(validator=_f.code)
    price: Money = attrs.field(validator=_f.of(Money))
    name: str = ""
    third_party: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    """Provided by a third party; must be marked so on invoices (FEE-08)."""


@attrs.frozen
class FeeSchedule:
    """A published fee schedule, in force from ``effective_from`` until ``effective_to`` (excl.)."""

    version: str = attrs.field(validator=_f.code)
    effective_from: date = attrs.field(validator=_f.day)
    items: tuple[ScheduleItem, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(ScheduleItem)
    )
    effective_to: date | None = attrs.field(default=None, validator=_f.optional_day)

    def __attrs_post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise InvalidInput(
                f"schedule {self.version}: effective_to {self.effective_to} must be after "
                f"effective_from {self.effective_from}"
            )
        seen = [item.code for item in self.items]
        if len(seen) != len(set(seen)):
            raise InvalidInput(f"schedule {self.version} lists an item twice: {sorted(seen)}")

    def in_force(self, on: date) -> bool:
        """Whether this schedule applies on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def item(self, item_code: str) -> ScheduleItem | None:
        """The published item ``item_code``, or None when it is not on this schedule."""
        return next((i for i in self.items if i.code == item_code), None)


@attrs.frozen
class FeeAdjustment:
    """A contract amendment changing the agreed fee of one item; counts only once approved."""

    item: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=_f.of(Money))
    approved: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    approval_id: str | None = attrs.field(default=None, validator=_f.optional_code)


def _fees(value: Mapping[str, Money]) -> _f.FrozenMap[str, Money]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"fees must map item codes to Money, not {value!r}")
    for item, amount in value.items():
        if not isinstance(item, str) or not item or not isinstance(amount, Money):
            raise InvalidInput(f"fees must map item codes to Money, not {item!r}: {amount!r}")
    return _f.frozen_map(value)


@attrs.frozen
class Contract:
    """A signed contract of one case with the fee agreed for each service item."""

    id: str = attrs.field(validator=_f.code)
    case_id: str = attrs.field(validator=_f.code)
    client_id: str = attrs.field(validator=_f.code)
    signed_at: datetime = attrs.field(validator=_f.aware)
    fees: Mapping[str, Money] = attrs.field(converter=_fees)
    """The agreed fee of each item, read-only."""
    disclosed_at: datetime | None = attrs.field(default=None, validator=_f.optional_aware)
    """When the fees were disclosed to the client (FEE-04)."""
    disclosure_acknowledged: bool = False
    adjustments: tuple[FeeAdjustment, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(FeeAdjustment)
    )


@attrs.frozen
class Charge:
    """A fee billed to a client for one service item of a case."""

    id: str = attrs.field(validator=_f.code)
    case_id: str = attrs.field(validator=_f.code)
    item: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=_f.of(Money))
    third_party: bool = False
    delivered: bool = False
    settled: bool = False


@attrs.frozen
class InvoiceLine:
    """One invoice line; it refers to the charge it bills."""

    charge_id: str = attrs.field(validator=_f.code)
    item: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=_f.of(Money))
    third_party: bool = False


@attrs.frozen
class Invoice:
    """An invoice (发票) of one case."""

    id: str = attrs.field(validator=_f.code)
    case_id: str = attrs.field(validator=_f.code)
    issued_on: date = attrs.field(validator=_f.day)
    lines: tuple[InvoiceLine, ...] = attrs.field(
        converter=_f.to_tuple, validator=_f.each(InvoiceLine, required=True)
    )
    total: Money = attrs.field(validator=_f.of(Money))


@attrs.frozen
class StatementLine:
    """One line of a settlement statement: item and price."""

    item: str = attrs.field(validator=_f.code)
    price: Money = attrs.field(validator=_f.of(Money))


@attrs.frozen
class SettlementStatement:
    """The settlement statement (结算清单) given to the client before collection (FEE-07)."""

    case_id: str = attrs.field(validator=_f.code)
    issued_at: datetime = attrs.field(validator=_f.aware)
    lines: tuple[StatementLine, ...] = attrs.field(
        converter=_f.to_tuple, validator=_f.each(StatementLine, required=True)
    )
    total: Money = attrs.field(validator=_f.of(Money))

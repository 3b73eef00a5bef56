"""The admin requests and records: frozen attrs classes whose errors name the field."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import attrs

from agency_core.entities import ApprovalFacts, Employee, Money
from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = [
    "Acceptance",
    "AcceptedLine",
    "Act",
    "AdminAct",
    "ApprovalFacts",
    "ContractLine",
    "Document",
    "PurchaseContract",
    "PurchasePayment",
    "ResolutionDone",
    "SealApplication",
    "SealReturn",
    "SealUse",
]


def _text(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be a non-empty text, not {value!r}")


def _strings(_inst: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInput(f"{attribute.name}[{index}] must be a non-empty string")


def _quantity(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{attribute.name} must be a whole number >= 1, not {value!r}")


def _unique_items(_inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    items = [line.item for line in value]
    if len(set(items)) != len(items):
        raise InvalidInput(f"{attribute.name} names an item twice: {sorted(items)}")


# -- seals (ADM-01, ADM-02, ADM-08) ----------------------------------------------------------------


@attrs.frozen
class Document:
    """The document a seal goes on: its kind (paper, contract...), number and title."""

    kind: str = attrs.field(validator=_f.code)
    number: str = attrs.field(validator=_f.code)
    title: str = attrs.field(validator=_text)
    blank: bool = attrs.field(default=False, validator=_f.of(bool))
    """Blank paper or a blank contract (空白纸张或合同): never stamped (ADM-02)."""


@attrs.frozen
class SealApplication:
    """A seal use application (印章使用申请表): the seal, the reason, department, user, document."""

    id: str = attrs.field(validator=_f.code)
    seal: str = attrs.field(validator=_f.code)
    reason: str = attrs.field(validator=_text)
    department: str = attrs.field(validator=_f.code)
    user: str = attrs.field(validator=_f.code)
    document: Document = attrs.field(validator=_f.of(Document))


@attrs.frozen
class SealUse:
    """May ``user`` apply the seal to ``document`` at ``at``, handed out by ``custodian``?

    ``approval`` is the stored approval of ``application`` (None: there is none).
    """

    id: str = attrs.field(validator=_f.code)
    application: SealApplication = attrs.field(validator=_f.of(SealApplication))
    user: Employee = attrs.field(validator=_f.of(Employee))
    custodian: Employee = attrs.field(validator=_f.of(Employee))
    document: Document = attrs.field(validator=_f.of(Document))
    at: datetime = attrs.field(validator=_f.aware)
    approval: ApprovalFacts | None = attrs.field(
        default=None, validator=_f.of(ApprovalFacts, optional=True)
    )


@attrs.frozen
class SealReturn:
    """The data of a seal's return: the seal's custodian as registered (ADM-08)."""

    custodian: str = attrs.field(validator=_f.code)


# -- approved acts (ADM-03, ADM-04, ADM-07) --------------------------------------------------------


class Act(enum.StrEnum):
    """What the admin department does only on an approved application."""

    SUPPLIES_ISSUE = "supplies_issue"
    EQUIPMENT_REPAIR = "equipment_repair"
    EQUIPMENT_SCRAPPING = "equipment_scrapping"
    ASSET_REGISTRATION = "asset_registration"


def _act(value: object) -> Act:
    names = [act.value for act in Act]
    if isinstance(value, str) and value in names:
        return Act(value)
    raise InvalidInput(f"act must be one of {', '.join(names)}, not {value!r}", path="$.act")


@attrs.frozen
class AdminAct:
    """May ``actor`` do ``act`` on ``subject`` on ``on``, under approval ``application``?"""

    id: str = attrs.field(validator=_f.code)
    act: Act = attrs.field(converter=_act)
    subject: str = attrs.field(validator=_f.code)
    application: str = attrs.field(validator=_f.code)
    actor: str = attrs.field(validator=_f.code)
    on: date = attrs.field(validator=_f.day)
    approval: ApprovalFacts | None = attrs.field(
        default=None, validator=_f.of(ApprovalFacts, optional=True)
    )


# -- meetings (ADM-05) -----------------------------------------------------------------------------


@attrs.frozen
class ResolutionDone:
    """The data of a resolution's completion: what was done (跟踪决议事项的执行情况)."""

    outcome: str = attrs.field(validator=_text)


# -- purchases (ADM-06) ----------------------------------------------------------------------------


@attrs.frozen
class ContractLine:
    """An item of a purchase contract: quantity and unit price; fixed assets are registered."""

    item: str = attrs.field(validator=_f.code)
    quantity: int = attrs.field(validator=_quantity)
    unit_price: Money = attrs.field(validator=_f.of(Money))
    fixed_asset: bool = attrs.field(default=False, validator=_f.of(bool))


@attrs.frozen
class PurchaseContract:
    """A purchase contract (采购合同) with a supplier."""

    id: str = attrs.field(validator=_f.code)
    supplier: str = attrs.field(validator=_f.code)
    purchaser: str = attrs.field(validator=_f.code)
    signed_on: date = attrs.field(validator=_f.day)
    lines: tuple[ContractLine, ...] = attrs.field(
        converter=_f.to_tuple, validator=[_f.each(ContractLine, required=True), _unique_items]
    )

    def __attrs_post_init__(self) -> None:
        if len({line.unit_price.currency for line in self.lines}) > 1:
            raise InvalidInput("a contract's prices are in one currency", path="$.lines")


@attrs.frozen
class AcceptedLine:
    """How many of an item were accepted."""

    item: str = attrs.field(validator=_f.code)
    quantity: int = attrs.field(validator=_quantity)


@attrs.frozen
class Acceptance:
    """Goods accepted (验收) against a contract: what arrived and whether it passed."""

    id: str = attrs.field(validator=_f.code)
    contract: str = attrs.field(validator=_f.code)
    receiver: str = attrs.field(validator=_f.code)
    at: datetime = attrs.field(validator=_f.aware)
    lines: tuple[AcceptedLine, ...] = attrs.field(
        converter=_f.to_tuple, validator=[_f.each(AcceptedLine, required=True), _unique_items]
    )
    passed: bool = attrs.field(default=True, validator=_f.of(bool))


@attrs.frozen
class PurchasePayment:
    """May ``amount`` be paid on ``contract`` at ``at``, given its acceptances and what was paid?"""

    id: str = attrs.field(validator=_f.code)
    contract: PurchaseContract = attrs.field(validator=_f.of(PurchaseContract))
    amount: Money = attrs.field(validator=_f.of(Money))
    at: datetime = attrs.field(validator=_f.aware)
    acceptances: tuple[Acceptance, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Acceptance)
    )
    paid_before: Money | None = attrs.field(default=None, validator=_f.of(Money, optional=True))

"""The requests a host asks the engine to decide, one class per question.

Each check holds every fact its rules need, so a decision depends on nothing but the check and the
policy. :class:`~agency_core.entities.ApprovalRequest` is itself a question (which route?).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from agency_core.decision import Route
from agency_core.entities import (
    ApprovalRequest,
    Charge,
    Contract,
    Delegation,
    DestructionList,
    Employee,
    FeeSchedule,
    Invoice,
    Money,
    Record,
    SettlementStatement,
    StepAction,
)
from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = [
    "ChargeCheck",
    "CollectionCheck",
    "DestructionCheck",
    "DisposalCheck",
    "DutyCheck",
    "InvoiceCheck",
    "PerformedDuty",
    "RecordCheck",
    "RoleGrant",
    "StepCheck",
]


@attrs.frozen
class ChargeCheck:
    """May this charge be billed? (FEE-01..04, FEE-06, FEE-08)."""

    charge: Charge = attrs.field(validator=_f.of(Charge))
    contract: Contract = attrs.field(validator=_f.of(Contract))
    schedules: tuple[FeeSchedule, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(FeeSchedule)
    )
    """The published schedules; the one in force on the contract date applies."""

    def __attrs_post_init__(self) -> None:
        if self.charge.case_id != self.contract.case_id:
            raise InvalidInput(
                f"charge {self.charge.id} is for case {self.charge.case_id}, "
                f"contract {self.contract.id} for case {self.contract.case_id}"
            )


@attrs.frozen
class InvoiceCheck:
    """May this invoice be issued? (FEE-05, FEE-08)."""

    invoice: Invoice = attrs.field(validator=_f.of(Invoice))
    charges: tuple[Charge, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Charge)
    )
    """The case's charges."""
    invoiced: frozenset[str] = attrs.field(
        factory=frozenset, converter=_f.to_codes, validator=_f.codes
    )
    """Charges already billed on earlier invoices."""


@attrs.frozen
class CollectionCheck:
    """May payment be collected for work done? (FEE-07)."""

    case_id: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=_f.of(Money))
    collected_at: datetime = attrs.field(validator=_f.aware)
    charges: tuple[Charge, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Charge)
    )
    """The delivered charges being collected for."""
    statement: SettlementStatement | None = attrs.field(
        default=None, validator=_f.of(SettlementStatement, optional=True)
    )


@attrs.frozen
class StepCheck:
    """May ``actor`` take ``action`` on its step of ``route``? (APR-04..07, SOD-01, SOD-04).

    ``principal`` is the employee a delegate acts for; ``history`` the steps already taken on this
    request; ``delegations`` the delegations in force that name the actor.
    """

    request: ApprovalRequest = attrs.field(validator=_f.of(ApprovalRequest))
    route: Route = attrs.field(validator=_f.of(Route))
    action: StepAction = attrs.field(validator=_f.of(StepAction))
    actor: Employee = attrs.field(validator=_f.of(Employee))
    principal: Employee | None = attrs.field(default=None, validator=_f.of(Employee, optional=True))
    history: tuple[StepAction, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(StepAction)
    )
    delegations: tuple[Delegation, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Delegation)
    )

    def __attrs_post_init__(self) -> None:
        if self.action.actor != self.actor.id:
            raise InvalidInput(f"action is by {self.action.actor} but actor is {self.actor.id}")
        principal = self.principal.id if self.principal else None
        if self.action.on_behalf_of != principal:
            raise InvalidInput(
                f"action is on behalf of {self.action.on_behalf_of} but principal is {principal}"
            )


@attrs.frozen
class PerformedDuty:
    """A duty someone already performed on a subject."""

    duty: str = attrs.field(validator=_f.code)
    actor: str = attrs.field(validator=_f.code)


@attrs.frozen
class DutyCheck:
    """May ``actor`` perform ``duty`` on ``subject``, given what was done before? (SOD-03)."""

    subject: str = attrs.field(validator=_f.code)
    duty: str = attrs.field(validator=_f.code)
    actor: str = attrs.field(validator=_f.code)
    performed: tuple[PerformedDuty, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(PerformedDuty)
    )


@attrs.frozen
class RoleGrant:
    """May ``employee`` be given ``role``? (SOD-02)."""

    employee: Employee = attrs.field(validator=_f.of(Employee))
    role: str = attrs.field(validator=_f.code)


@attrs.frozen
class DisposalCheck:
    """May ``record`` be destroyed on ``on``? (RET-01..03, RET-06)."""

    record: Record = attrs.field(validator=_f.of(Record))
    on: date = attrs.field(validator=_f.day)


@attrs.frozen
class DestructionCheck:
    """Does this destruction list follow the procedure? (RET-04, and RET-01..03, RET-06 per item).

    ``records`` are the listed records; ``staff`` the employees who appraised, approved and
    supervised, so their roles and departments can be checked.
    """

    destruction_list: DestructionList = attrs.field(validator=_f.of(DestructionList))
    records: tuple[Record, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Record)
    )
    staff: tuple[Employee, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Employee)
    )


@attrs.frozen
class RecordCheck:
    """Is this record kept as the rules say on ``on``? (RET-05 numbering, RET-06 loans, RET-07)."""

    record: Record = attrs.field(validator=_f.of(Record))
    on: date = attrs.field(validator=_f.day)

"""Mapping functions between ORM rows and the frozen attrs entities."""

from __future__ import annotations

from typing import Final

from agency_core.decision import Route, RouteStep
from agency_core.entities import (
    Appraisal,
    ApprovalRequest,
    Delegation,
    DestructionItem,
    DestructionList,
    Employee,
    Hold,
    Loan,
    Money,
    Record,
    Signature,
    StepAction,
)
from agency_core.store.models import (
    AppraisalRow,
    ApprovalRequestRow,
    DelegationRow,
    DestructionItemRow,
    DestructionListRow,
    EmployeeRoleRow,
    EmployeeRow,
    HoldRow,
    LoanRow,
    RecordClassRow,
    RecordRow,
    RouteStepRow,
    SignatureRow,
    StepActionRow,
)
from agency_core.store.ports import Capacity

__all__ = [
    "SIGNATURE_KINDS",
    "appraisal_rows",
    "delegation",
    "delegation_row",
    "destruction_list",
    "destruction_list_row",
    "employee",
    "employee_row",
    "hold",
    "loan",
    "record",
    "record_class_rows",
    "request",
    "route",
    "route_step_rows",
    "signature_row",
    "step_action",
]


def employee(row: EmployeeRow) -> Employee:
    return Employee(row.id, row.department, frozenset(r.role for r in row.roles), row.name)


def employee_row(entity: Employee, row: EmployeeRow | None = None) -> EmployeeRow:
    """A new row for ``entity``, or ``row`` updated to match it."""
    row = row or EmployeeRow(id=entity.id)
    row.department = entity.department
    row.name = entity.name
    held = {r.role: r for r in row.roles}
    row.roles = [held.get(role) or EmployeeRoleRow(role=role) for role in sorted(entity.roles)]
    return row


def delegation(row: DelegationRow) -> Delegation:
    return Delegation(row.principal, row.delegate, row.starts, row.ends, row.reason)


def delegation_row(entity: Delegation) -> DelegationRow:
    return DelegationRow(
        principal=entity.principal,
        delegate=entity.delegate,
        starts=entity.starts,
        ends=entity.ends,
        reason=entity.reason,
    )


def request(row: ApprovalRequestRow) -> ApprovalRequest:
    budget = None
    if row.budget_remaining is not None and row.budget_currency is not None:
        budget = Money(row.budget_remaining, row.budget_currency)
    return ApprovalRequest(
        row.id,
        row.action,
        Money(row.amount, row.currency),
        row.department,
        row.requester,
        budget,
    )


def route(row: ApprovalRequestRow) -> Route:
    return Route(row.action, tuple(RouteStep(s.role, s.scope) for s in row.steps))


def route_step_rows(entity: Route) -> list[RouteStepRow]:
    return [
        RouteStepRow(idx=i, role=step.role, scope=step.scope.value)
        for i, step in enumerate(entity.steps)
    ]


def step_action(row: StepActionRow) -> StepAction:
    return StepAction(row.step, row.actor, row.verdict, row.at, row.reason, row.on_behalf_of)


def hold(row: HoldRow) -> Hold:
    return Hold(row.id, row.reason, row.placed_on, row.released_on)


def loan(row: LoanRow) -> Loan:
    return Loan(row.id, row.borrower, row.lent_on, row.due_on, row.approved, row.returned_on)


def record(row: RecordRow) -> Record:
    return Record(
        number=row.number,
        classes=frozenset(c.record_class for c in row.classes),
        closed_on=row.closed_on,
        title=row.title,
        event_on=row.event_on,
        important=row.important,
        backups=len(row.backups),
        holds=tuple(hold(h) for h in row.holds),
        loans=tuple(loan(x) for x in row.loans),
    )


def record_class_rows(classes: frozenset[str]) -> list[RecordClassRow]:
    return [RecordClassRow(record_class=c) for c in sorted(classes)]


def _signature(row: SignatureRow) -> Signature:
    return Signature(row.employee, row.role, row.department, row.checked_before, row.signed_after)


SIGNATURE_KINDS: Final = {Capacity.APPROVAL: "approval", Capacity.SUPERVISION: "supervisor"}
"""The ``kind`` a signature in each capacity is stored under."""


def _signatures(row: DestructionListRow, capacity: Capacity) -> tuple[Signature, ...]:
    kind = SIGNATURE_KINDS[capacity]
    return tuple(_signature(s) for s in row.signatures if s.kind == kind)


def destruction_list(row: DestructionListRow) -> DestructionList:
    return DestructionList(
        id=row.id,
        destruction_on=row.destruction_on,
        items=tuple(
            DestructionItem(
                i.record,
                i.name,
                i.volume,
                i.start_year,
                i.end_year,
                i.required_years,
                i.kept_years,
            )
            for i in row.items
        ),
        appraisals=tuple(
            Appraisal(a.record, a.opinion, a.appraiser, a.extra_years) for a in row.appraisals
        ),
        approvals=_signatures(row, Capacity.APPROVAL),
        supervisors=_signatures(row, Capacity.SUPERVISION),
    )


def appraisal_rows(entity: DestructionList) -> list[AppraisalRow]:
    return [
        AppraisalRow(
            record=a.record,
            opinion=a.opinion.value,
            appraiser=a.appraiser,
            extra_years=a.extra_years,
        )
        for a in entity.appraisals
    ]


def signature_row(capacity: Capacity, s: Signature) -> SignatureRow:
    return SignatureRow(
        kind=SIGNATURE_KINDS[capacity],
        employee=s.employee,
        role=s.role,
        department=s.department,
        checked_before=s.checked_before,
        signed_after=s.signed_after,
    )


def destruction_list_row(entity: DestructionList, row: DestructionListRow) -> DestructionListRow:
    """``row`` filled with the items, appraisals and signatures of ``entity``."""
    row.destruction_on = entity.destruction_on
    row.items = [
        DestructionItemRow(
            record=i.record,
            position=n,
            name=i.name,
            volume=i.volume,
            start_year=i.start_year,
            end_year=i.end_year,
            required_years=i.required_years,
            kept_years=i.kept_years,
        )
        for n, i in enumerate(entity.items)
    ]
    row.appraisals = appraisal_rows(entity)
    row.signatures = [signature_row(Capacity.APPROVAL, s) for s in entity.approvals] + [
        signature_row(Capacity.SUPERVISION, s) for s in entity.supervisors
    ]
    return row

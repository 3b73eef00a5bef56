"""The ports: small protocols the repositories implement, and the values they return.

A host codes against these; :class:`~agency_core.store.session.Transaction` provides one of each.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

import attrs

from agency_core.decision import Decision, Route
from agency_core.entities import (
    ApprovalFacts,
    ApprovalRequest,
    Delegation,
    DestructionList,
    Employee,
    Loan,
    Record,
    Signature,
    StepAction,
    Verdict,
)
from agency_core.policy import Retention

if TYPE_CHECKING:
    from agency_core.store.log import PendingEntry

__all__ = [
    "ApprovalPort",
    "Capacity",
    "DelegationPort",
    "DestructionPort",
    "DutyPort",
    "EmployeePort",
    "LogPort",
    "OverdueLoan",
    "RegistryPort",
    "Status",
    "Submission",
]


class Capacity(enum.StrEnum):
    """In what capacity a person signs a destruction list (RET-04)."""

    APPROVAL = "approval"
    """Approved by the firm's head or a head of archives or accounting."""
    SUPERVISION = "supervision"
    """Supervised the destruction (监销): checked each item before, signs after."""


class Status(enum.StrEnum):
    """Where a submitted request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@attrs.frozen
class Submission:
    """A submitted request with its route, state and the steps taken so far."""

    request: ApprovalRequest
    route: Route
    status: Status
    next_step: int | None
    """The step waiting for a decision; None once the request is decided."""
    history: tuple[StepAction, ...]
    submitted_at: datetime
    policy_version: str
    policy_sha256: str

    def facts(self) -> ApprovalFacts:
        """What checks may rely on: the request, its status and who approved its steps."""
        request = self.request
        approvers = (a.on_behalf_of or a.actor for a in self.history if a.verdict == "approve")
        return ApprovalFacts(
            request.id,
            request.action,
            request.department,
            request.requester,
            self.status.value,
            tuple(approvers),
        )


@attrs.frozen
class OverdueLoan:
    """A loan past its due date and not returned (RET-06)."""

    loan: str
    record: str
    borrower: str
    due_on: date
    days_overdue: int


class EmployeePort(Protocol):
    def put(self, employee: Employee) -> Employee: ...
    def get(self, employee_id: str) -> Employee: ...


class DelegationPort(Protocol):
    def add(self, delegation: Delegation) -> Delegation: ...
    def in_force(
        self, at: datetime, *, delegate: str, principal: str | None = None
    ) -> tuple[Delegation, ...]: ...


class ApprovalPort(Protocol):
    def submit(
        self,
        request: ApprovalRequest,
        route: Route | Decision | None = None,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Submission: ...
    def get(self, request_id: str) -> Submission: ...
    def decide(
        self,
        request_id: str,
        step: int,
        verdict: Verdict | str,
        actor: str,
        *,
        key: str,
        reason: str = "",
        on_behalf_of: str | None = None,
        at: datetime | None = None,
    ) -> StepAction: ...
    def approve(
        self,
        request_id: str,
        step: int,
        actor: str,
        *,
        key: str,
        on_behalf_of: str | None = None,
        at: datetime | None = None,
    ) -> StepAction: ...
    def reject(
        self,
        request_id: str,
        step: int,
        actor: str,
        *,
        key: str,
        reason: str,
        on_behalf_of: str | None = None,
        at: datetime | None = None,
    ) -> StepAction: ...


class DutyPort(Protocol):
    def perform(
        self, subject: str, duty: str, actor: str, *, key: str, at: datetime | None = None
    ) -> None: ...


class RegistryPort(Protocol):
    def register(
        self,
        record_class: str,
        *,
        closed_on: date,
        title: str = "",
        also: Iterable[str] = (),
        event_on: date | None = None,
        important: bool = False,
    ) -> Record: ...
    def get(self, number: str) -> Record: ...
    def retention(self, number: str) -> Retention: ...
    def due_on(self, number: str) -> date | None: ...
    def record_event(self, number: str, on: date) -> Record: ...
    def extend(self, number: str, years: int) -> date | None: ...
    def place_hold(
        self, number: str, hold_id: str, reason: str, *, on: date, matter: str | None = None
    ) -> None: ...
    def release_hold(self, hold_id: str, *, on: date) -> None: ...
    def lend(
        self,
        number: str,
        loan_id: str,
        borrower: str,
        *,
        lent_on: date,
        due_on: date,
        approval_id: str | None,
    ) -> None: ...
    def loan(self, loan_id: str) -> Loan: ...
    def return_loan(self, loan_id: str, *, on: date) -> None: ...
    def overdue_loans(self, on: date) -> Sequence[OverdueLoan]: ...
    def add_backup(self, number: str, location: str, *, on: date) -> int: ...
    def check(self, number: str, on: date) -> Decision: ...
    def check_disposal(self, number: str, on: date) -> Decision: ...


class DestructionPort(Protocol):
    def propose(self, destruction_list: DestructionList) -> DestructionList: ...
    def sign(
        self, list_id: str, signature: Signature, *, capacity: Capacity
    ) -> DestructionList: ...
    def get(self, list_id: str) -> DestructionList: ...
    def execute(self, list_id: str) -> Decision: ...


class LogPort(Protocol):
    def append(self, entries: Sequence[PendingEntry]) -> int: ...
    def count(self) -> int: ...

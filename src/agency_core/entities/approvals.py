"""Approvals: requests, their routes, the steps taken on them, and delegations of authority."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from agency_core.entities import _fields as _f
from agency_core.entities.money import Money
from agency_core.errors import InvalidInput

__all__ = [
    "APPROVAL_STATUSES",
    "ApprovalFacts",
    "ApprovalRequest",
    "Delegation",
    "StepAction",
    "Verdict",
]

APPROVAL_STATUSES = ("pending", "approved", "rejected")


@attrs.frozen
class ApprovalRequest:
    """A request for an approvable action (报销, 付款, 用印 ...) by ``requester``.

    ``budget_remaining`` is what is left of the department's approved budget for this spending; an
    amount above it also needs the ``budget_adjustment`` route (APR-08).
    """

    id: str = attrs.field(validator=_f.code)
    action: str = attrs.field(validator=_f.code)
    amount: Money = attrs.field(validator=_f.of(Money))
    department: str = attrs.field(validator=_f.code)
    requester: str = attrs.field(validator=_f.code)
    budget_remaining: Money | None = attrs.field(
        default=None, validator=_f.of(Money, optional=True)
    )


class Verdict(enum.StrEnum):
    """What an approver decided on a step."""

    APPROVE = "approve"
    REJECT = "reject"


def _verdict(value: str) -> Verdict:
    return value if isinstance(value, Verdict) else Verdict(value)


@attrs.frozen
class StepAction:
    """An approval step taken: who decided which step, for whom, when, and why (APR-05, APR-06)."""

    step: int = attrs.field(validator=_f.of(int))
    actor: str = attrs.field(validator=_f.code)
    verdict: Verdict = attrs.field(converter=_verdict)
    at: datetime = attrs.field(validator=_f.aware)
    reason: str = ""
    on_behalf_of: str | None = attrs.field(default=None, validator=_f.optional_code)
    """The principal whose authority a delegate used; None when acting in one's own name."""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.step, bool) or self.step < 0:
            raise InvalidInput(f"step must be a step index >= 0, not {self.step!r}")
        if self.verdict is Verdict.REJECT and not self.reason.strip():
            raise InvalidInput("APR-05: a rejection must give a written reason (退回并说明原因)")
        if self.on_behalf_of == self.actor:
            raise InvalidInput(f"{self.actor} cannot act on their own behalf as a delegate")


@attrs.frozen
class Delegation:
    """``delegate`` may act for ``principal`` from ``starts`` until ``ends`` (APR-06)."""

    principal: str = attrs.field(validator=_f.code)
    delegate: str = attrs.field(validator=_f.code)
    starts: datetime = attrs.field(validator=_f.aware)
    ends: datetime = attrs.field(validator=_f.aware)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if self.principal == self.delegate:
            raise InvalidInput(f"{self.principal} cannot delegate to themselves")
        if self.ends <= self.starts:
            raise InvalidInput(f"delegation ends {self.ends} before it starts {self.starts}")

    def covers(self, at: datetime) -> bool:
        """Whether the delegation is in force at ``at`` (it ends at ``ends``, exclusive)."""
        return self.starts <= at < self.ends


def _status(_inst: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in APPROVAL_STATUSES:
        allowed = ", ".join(APPROVAL_STATUSES)
        raise InvalidInput(f"{attribute.name} must be one of {allowed}, not {value!r}")


def _people(
    _inst: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[object, ...]
) -> None:
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInput(f"{attribute.name}[{index}] must be a non-empty string")


@attrs.frozen
class ApprovalFacts:
    """What the store holds of an approval request, for checks that depend on it (a seal used
    on an approved application, a leave begun once approved): never the caller's word.

    ``approvers`` are the people whose authority approved its steps (a principal, not their
    delegate). The store gives it as ``Submission.facts()``.
    """

    id: str = attrs.field(validator=_f.code)
    action: str = attrs.field(validator=_f.code)
    department: str = attrs.field(validator=_f.code)
    requester: str = attrs.field(validator=_f.code)
    status: str = attrs.field(validator=_status)
    approvers: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_people
    )

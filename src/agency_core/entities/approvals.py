"""Approvals: requests, their routes, the steps taken on them, and delegations of authority."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from agency_core.entities import _fields as _f
from agency_core.entities.money import Money
from agency_core.errors import InvalidInput

__all__ = ["ApprovalRequest", "Delegation", "StepAction", "Verdict"]


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


@attrs.frozen
class StepAction:
    """An approval step taken: who decided which step, for whom, when, and why (APR-05, APR-06)."""

    step: int = attrs.field(validator=_f.of(int))
    actor: str = attrs.field(validator=_f.code)
    verdict: Verdict = attrs.field(converter=Verdict)
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

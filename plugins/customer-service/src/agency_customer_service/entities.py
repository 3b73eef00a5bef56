"""What customer service records: complaints, inquiries, follow-up visits, and the facts of moves.

Frozen attrs classes; a malformed field is :class:`~agency_core.errors.InvalidInput` naming it. A
complaint's content, demand and contact are only typed here: a complaint recorded without them is
a CS-01 violation the engine reports, not a malformed request.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = [
    "ClientResponse",
    "Complaint",
    "ComplaintFacts",
    "FollowUp",
    "Inquiry",
    "InquiryFacts",
    "VisitFacts",
]


class ClientResponse(enum.StrEnum):
    """What the client said to the handling plan (征求客户意见)."""

    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"


def _response(value: object) -> ClientResponse | None:
    if value is None or isinstance(value, ClientResponse):
        return value
    if isinstance(value, str) and value in ClientResponse.__members__.values():
        return ClientResponse(value)
    allowed = ", ".join(r.value for r in ClientResponse)
    raise InvalidInput(f"response must be one of {allowed}, not {value!r}")


@attrs.frozen
class Complaint:
    """A complaint as customer service records it (CS-01): the request of kind ``complaint``.

    ``case`` links the complaint to a client case by its id only (the business plugin's).
    """

    id: str = attrs.field(validator=_f.code)
    client: str = attrs.field(validator=_f.code)
    content: str = attrs.field(validator=_f.of(str))
    """投诉事项: what the client complains about."""
    demand: str = attrs.field(validator=_f.of(str))
    """客户诉求: what the client asks for."""
    contact: str = attrs.field(validator=_f.of(str))
    """联系方式: how to reach the client."""
    received_at: datetime = attrs.field(validator=_f.aware)
    recorded_at: datetime = attrs.field(validator=_f.aware)
    recorded_by: str = attrs.field(validator=_f.code)
    case: str | None = attrs.field(default=None, validator=_f.optional_code)

    def __attrs_post_init__(self) -> None:
        if self.recorded_at < self.received_at:
            raise InvalidInput(
                f"recorded_at {self.recorded_at} is before received_at {self.received_at}",
                path="$.recorded_at",
            )


@attrs.frozen
class ComplaintFacts:
    """What the guards of a complaint's moves see (the ``complaint`` machine's data)."""

    received_at: datetime = attrs.field(validator=_f.aware)
    department: str | None = attrs.field(default=None, validator=_f.optional_code)
    """The responsible department (责任部门)."""
    due_on: date | None = attrs.field(default=None, validator=_f.optional_day)
    """The last day of the handling period (处理期限)."""
    plan: str = attrs.field(default="", validator=_f.of(str))
    """The handling plan (处理方案)."""
    response: ClientResponse | None = attrs.field(default=None, converter=_response)
    """The client's response to the plan."""
    feedback_due_on: date | None = attrs.field(default=None, validator=_f.optional_day)
    """The last day to tell the client the plan (CS-06)."""


@attrs.frozen
class Inquiry:
    """A client's inquiry (客户咨询) that could not be answered on the spot (CS-06)."""

    id: str = attrs.field(validator=_f.code)
    client: str = attrs.field(validator=_f.code)
    question: str = attrs.field(validator=_f.code)
    contact: str = attrs.field(validator=_f.code)
    received_at: datetime = attrs.field(validator=_f.aware)
    recorded_by: str = attrs.field(validator=_f.code)
    case: str | None = attrs.field(default=None, validator=_f.optional_code)


@attrs.frozen
class InquiryFacts:
    """What the guard of answering an inquiry sees (the ``inquiry`` machine's data)."""

    answer: str = attrs.field(validator=_f.of(str))
    due_on: date | None = attrs.field(default=None, validator=_f.optional_day)


@attrs.frozen
class FollowUp:
    """A follow-up visit (回访) owed to a client after their case was delivered (CS-05)."""

    id: str = attrs.field(validator=_f.code)
    case: str = attrs.field(validator=_f.code)
    client: str = attrs.field(validator=_f.code)
    delivered_at: datetime = attrs.field(validator=_f.aware)
    owner: str = attrs.field(validator=_f.code)


@attrs.frozen
class VisitFacts:
    """What the guard of a follow-up visit sees (the ``follow_up`` machine's data)."""

    delivered_at: datetime = attrs.field(validator=_f.aware)
    outcome: str = attrs.field(validator=_f.of(str))
    """What the client said: satisfaction, opinions, suggestions (满意度、意见和建议)."""

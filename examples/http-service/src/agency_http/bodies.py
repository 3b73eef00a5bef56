"""The bodies of the service's own operations, as attrs classes, and their JSON Schemas.

Requests and decisions are the core's (``agency_core.codec``); these are the few small bodies
the store's operations take beyond them. Each is structured with the core's strict JSON
converter (unknown keys and wrong types refused, with the path of each problem), and its schema
is made from the class, so the two cannot drift. None of them names who acts: that is the caller
(a loan names its borrower, to whom the keeper lends).
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import date
from typing import Any, Final, TypeVar, get_args, get_origin

import attrs
import cattrs

from agency_core.convert import converter, error_lines
from agency_core.entities import Verdict
from agency_core.errors import InvalidInput

__all__ = [
    "BODIES",
    "BackupBody",
    "CheckpointBody",
    "DutyBody",
    "HoldBody",
    "LoanBody",
    "RegisterBody",
    "SignBody",
    "StepBody",
    "SupervisionBody",
    "VerifyBody",
    "WhenBody",
    "body_schema",
    "structure",
]

T = TypeVar("T")


@attrs.frozen
class StepBody:
    """A decision on one approval step, by the caller (for ``on_behalf_of`` as a delegate)."""

    verdict: Verdict
    reason: str = ""
    on_behalf_of: str | None = None


@attrs.frozen
class DutyBody:
    """A duty the caller performed on a subject (SOD-03)."""

    subject: str
    duty: str


@attrs.frozen
class RegisterBody:
    """A record to register in the records registry (RET-05)."""

    record_class: str
    closed_on: date
    title: str = ""
    also: tuple[str, ...] = ()
    event_on: date | None = None
    important: bool = False


@attrs.frozen
class HoldBody:
    """A legal hold, or a hold for an unsettled ``matter`` (RET-03)."""

    hold_id: str
    reason: str
    on: date
    matter: str | None = None


@attrs.frozen
class LoanBody:
    """A loan of a record to ``borrower``, on their approved request (RET-06); the caller is the
    keeper who lends it."""

    loan_id: str
    borrower: str
    lent_on: date
    due_on: date
    approval_id: str | None = None


@attrs.frozen
class SignBody:
    """An approval of a destruction list by the caller (RET-04); it takes nothing more."""


@attrs.frozen
class SupervisionBody:
    """The caller supervised a destruction: checked each item before it, signs after (RET-04)."""

    checked_before: bool
    signed_after: bool


@attrs.frozen
class WhenBody:
    """The day something happened (a hold released, a loan returned)."""

    on: date


@attrs.frozen
class BackupBody:
    """A backup copy of a record kept at ``location`` (RET-07)."""

    location: str
    on: date


@attrs.frozen
class CheckpointBody:
    """A log checkpoint as ``agency log checkpoint`` writes it."""

    format: str
    seq: int
    hash: str
    at: str
    mac: str


@attrs.frozen
class VerifyBody:
    """Checkpoints the log must extend (each one signed with the server's log key)."""

    checkpoints: tuple[CheckpointBody, ...] = ()


BODIES: Final = (
    StepBody,
    DutyBody,
    RegisterBody,
    HoldBody,
    LoanBody,
    WhenBody,
    BackupBody,
    SignBody,
    SupervisionBody,
    CheckpointBody,
    VerifyBody,
)


def structure(data: Any, cls: type[T]) -> T:
    """``data`` (parsed JSON) as a ``cls``; :class:`InvalidInput` naming every problem's path."""
    if not isinstance(data, dict):
        raise InvalidInput(f"a {cls.__name__} body is a JSON object, not {type(data).__name__}")
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        raise InvalidInput(f"invalid {cls.__name__}", problems=error_lines(exc)) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise InvalidInput(f"invalid {cls.__name__}: {exc}") from None


def _schema(kind: Any) -> dict[str, Any]:
    scalars: dict[Any, dict[str, Any]] = {
        str: {"type": "string"},
        int: {"type": "integer"},
        bool: {"type": "boolean"},
        date: {"type": "string", "format": "date"},
        type(None): {"type": "null"},
    }
    if kind in scalars:
        return scalars[kind]
    origin, args = get_origin(kind), get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema(a) for a in args]}
    if origin is tuple:
        return {"type": "array", "items": _schema(args[0])}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if attrs.has(kind):
        return {"$ref": f"#/components/schemas/{kind.__name__}"}
    raise TypeError(f"no schema for {kind!r}")


def body_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of body ``cls`` (other bodies referred to under components/schemas)."""
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": {f.name: _schema(hints[f.name]) for f in fields},
        "required": [f.name for f in fields if f.default is attrs.NOTHING],
        "additionalProperties": False,
    }

"""The business department's requests and facts: frozen attrs classes, typed errors per field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import attrs

from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = ["APPROVAL_STATES", "CaseFacts", "CaseIntake"]

APPROVAL_STATES: Final = frozenset({"pending", "approved", "rejected"})
"""Where an approval request a case relies on stands (the store's approval status)."""


def _materials(value: Iterable[str]) -> frozenset[str]:
    return _f.to_codes(value)


def _optional_materials(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else _f.to_codes(value)


def _approval(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and value not in APPROVAL_STATES:
        raise InvalidInput(
            f"{attribute.name} must be one of {', '.join(sorted(APPROVAL_STATES))} or null, "
            f"not {value!r}"
        )


def _count(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number >= 0, not {value!r}")


@attrs.frozen
class CaseIntake:
    """May this application be taken on? Kind ``case_intake`` (BIZ-01 scope, BIZ-02 materials).

    The decision denies an application outside the business scope, and one with materials
    missing: its BIZ-02 finding lists every missing material at once (一次性告知).
    """

    case_id: str = attrs.field(validator=_f.code)
    client_id: str = attrs.field(validator=_f.code)
    service_item: str = attrs.field(validator=_f.code)
    actor: str = attrs.field(validator=_f.code)
    submitted: frozenset[str] = attrs.field(
        factory=frozenset, converter=_materials, validator=_f.codes
    )
    """The application materials the client handed in."""


@attrs.frozen
class CaseFacts:
    """What the guards of a case's transitions need to know (the ``data`` of a case move).

    The store builds it from what it holds; a host deciding a transition itself passes it.
    """

    service_item: str = attrs.field(validator=_f.code)
    materials: frozenset[str] = attrs.field(
        factory=frozenset, converter=_materials, validator=_f.codes
    )
    """Application materials on file (BIZ-02, BIZ-08)."""
    notice: frozenset[str] | None = attrs.field(
        default=None, converter=_optional_materials, validator=attrs.validators.optional(_f.codes)
    )
    """The materials the notice sent with this move lists (BIZ-02)."""
    case_number: str | None = attrs.field(default=None, validator=_f.optional_code)
    """The case's number once accepted (BIZ-03)."""
    intake_approval: str | None = attrs.field(default=None, validator=_approval)
    """The intake application's approval (BIZ-07)."""
    plan_approval: str | None = attrs.field(default=None, validator=_approval)
    """The execution plan's approval (BIZ-07)."""
    plan_change_approval: str | None = attrs.field(default=None, validator=_approval)
    """The approval of the plan change under way (BIZ-07)."""
    tasks: int = attrs.field(default=0, validator=_count)
    """Tasks on the plan, each with an owner and a deadline (BIZ-04)."""
    open_tasks: int = attrs.field(default=0, validator=_count)
    """Tasks not done yet (BIZ-04)."""
    notified_via: str | None = attrs.field(default=None, validator=_f.optional_code)
    """How the client was told the result (BIZ-06)."""
    handed_over: frozenset[str] = attrs.field(
        factory=frozenset, converter=_materials, validator=_f.codes
    )
    """Kinds of document handed over to the client: proof documents, aftercare notes (BIZ-09)."""
    statement_issued_at: datetime | None = attrs.field(default=None, validator=_f.optional_aware)
    """When the settlement statement (结算清单) went to the client (BIZ-05, FEE-07)."""
    client_confirmed_at: datetime | None = attrs.field(default=None, validator=_f.optional_aware)
    """When the client confirmed the settlement (BIZ-05)."""
    settlement_approval: str | None = attrs.field(default=None, validator=_approval)
    """The settlement application's approval (BIZ-05)."""
    settlement_approved_by: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(str)
    )
    """The roles of the settlement route's approved steps, in order (BIZ-05)."""
    invoice_id: str | None = attrs.field(default=None, validator=_f.optional_code)
    """The invoice issued for the settlement (BIZ-05, FEE-05)."""
    file_parts: frozenset[str] = attrs.field(
        factory=frozenset, converter=_materials, validator=_f.codes
    )
    """Parts of the case file holding at least one document (BIZ-08)."""

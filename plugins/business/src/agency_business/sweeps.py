"""The business department's audit sweeps: each "overdue" and "missing" of its controls, in SQL.

Every query selects the offending ids (a case id, a task id) and loops over nothing in Python;
the policy's lists (file parts, required materials, hand-over, scope) join as literal rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import exists, func, literal, not_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from agency_business.machines import CASE
from agency_business.policy import SECTION, BusinessPolicy
from agency_business.store import CaseRow, DocumentRow
from agency_core.store.audit import AuditOptions, Sweep
from agency_core.store.models import ApprovalRequestRow, TrackedItemRow, TrackedMoveRow
from agency_core.store.tracked import overdue_sweep

__all__ = ["SWEEPS"]


def _policy(opts: AuditOptions) -> BusinessPolicy:
    return opts.policy.section(SECTION, BusinessPolicy)


def _rows(name: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> Any:
    """Literal rows as a derived table (an impossible row when there are none)."""
    if not rows:
        empty = select(*(literal("").label(c) for c in columns)).where(literal(False))
        return empty.subquery(name)
    selects = [
        select(*(literal(value).label(c) for value, c in zip(row, columns, strict=True)))
        for row in rows
    ]
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery(name)


def _moved(case_id: Any, to_state: str) -> Any:
    """The case has moved to ``to_state`` at some point."""
    return exists().where(TrackedMoveRow.item_id == case_id, TrackedMoveRow.to_state == to_state)


def _in_state(*states: str) -> Any:
    return exists().where(
        TrackedItemRow.id == CaseRow.id,
        TrackedItemRow.subject_kind == CASE.subject,
        TrackedItemRow.state.in_(states),
    )


def _has_part(part: Any, *, handed_over: bool = False) -> Any:
    """The case has a document of ``part`` (handed over to the client, if asked)."""
    found = exists().where(DocumentRow.case_id == CaseRow.id, DocumentRow.part == part)
    if handed_over:
        found = found.where(DocumentRow.handed_over_at.is_not(None))
    return found.correlate_except(DocumentRow)  # the case is the outermost query's


def _missing_material(opts: AuditOptions) -> Any:
    """Some material the case's service item requires is not on file."""
    policy = _policy(opts)
    pairs = sorted((s, m) for s, item in policy.services.items() for m in item.materials)
    required = _rows("required", ("service_item", "material"), pairs)
    on_file = (
        exists()
        .where(
            DocumentRow.case_id == CaseRow.id,
            DocumentRow.part == "application_materials",
            DocumentRow.name == required.c.material,
        )
        .correlate_except(DocumentRow)
    )
    return exists(
        select(required.c.material).where(
            required.c.service_item == CaseRow.service_item, not_(on_file)
        )
    )


def _closed_incomplete(opts: AuditOptions) -> Select[Any]:
    """BIZ-08: closed cases whose file lacks a part or an application material."""
    parts = _rows("parts", ("part",), [(p,) for p in _policy(opts).file_parts])
    lacks_part = exists(select(parts.c.part).where(not_(_has_part(parts.c.part))))
    return select(CaseRow.id.label("id")).where(
        _in_state("closed"), lacks_part | _missing_material(opts)
    )


def _accepted_out_of_scope(opts: AuditOptions) -> Select[Any]:
    """BIZ-01: cases accepted for a service item outside the business scope."""
    scope = _rows("scope", ("service_item",), [(s,) for s in sorted(_policy(opts).services)])
    in_scope = exists(
        select(scope.c.service_item).where(scope.c.service_item == CaseRow.service_item)
    )
    return select(CaseRow.id.label("id")).where(_moved(CaseRow.id, "accepted"), not_(in_scope))


def _accepted_incomplete(opts: AuditOptions) -> Select[Any]:
    """BIZ-02: cases accepted with application materials missing."""
    return select(CaseRow.id.label("id")).where(
        _moved(CaseRow.id, "accepted"), _missing_material(opts)
    )


def _unnumbered(_opts: AuditOptions) -> Select[Any]:
    """BIZ-03: cases accepted without a case number."""
    return select(CaseRow.id.label("id")).where(
        _moved(CaseRow.id, "accepted"), CaseRow.number.is_(None)
    )


def _approved(approval_id: Any) -> Any:
    return exists().where(
        ApprovalRequestRow.id == approval_id, ApprovalRequestRow.status == "approved"
    )


def _unapproved_work(_opts: AuditOptions) -> Select[Any]:
    """BIZ-07: a contract signed without an approved intake, work without an approved plan."""
    return select(CaseRow.id.label("id")).where(
        (_moved(CaseRow.id, "contracted") & not_(_approved(CaseRow.intake_approval_id)))
        | (_moved(CaseRow.id, "in_progress") & not_(_approved(CaseRow.plan_approval_id)))
    )


def _notified_unreviewed(_opts: AuditOptions) -> Select[Any]:
    """BIZ-09: the client notified of a result nobody reviewed (no review since the last
    completion), or a case delivered without the proof documents and aftercare notes."""
    notified, reviewed = aliased(TrackedMoveRow), aliased(TrackedMoveRow)
    completed = aliased(TrackedMoveRow)
    last_completion = (
        select(completed.seq)
        .where(
            completed.item_id == notified.item_id,
            completed.to_state == "completed",
            completed.seq < notified.seq,
        )
        .order_by(completed.seq.desc())
        .limit(1)
        .correlate_except(completed)
        .scalar_subquery()
    )
    review = exists().where(
        reviewed.item_id == notified.item_id,
        reviewed.to_state == "reviewed",
        reviewed.seq < notified.seq,
        reviewed.seq > func.coalesce(last_completion, 0),
    )
    return select(notified.item_id.label("id")).where(
        notified.to_state == "notified",
        exists().where(CaseRow.id == notified.item_id),
        not_(review),
    )


def _delivered_without_handover(opts: AuditOptions) -> Select[Any]:
    """BIZ-09: a case delivered without every hand-over document given to the client."""
    handover = _rows("handover", ("part",), [(p,) for p in _policy(opts).handover])
    handed = _has_part(handover.c.part, handed_over=True)
    lacks = exists(select(handover.c.part).where(not_(handed)))
    return select(CaseRow.id.label("id")).where(_moved(CaseRow.id, "delivered"), lacks)


def _closed_unnotified(_opts: AuditOptions) -> Select[Any]:
    """BIZ-06: cases closed without the client being notified of the result."""
    return select(CaseRow.id.label("id")).where(
        _in_state("closed"), not_(_moved(CaseRow.id, "notified"))
    )


def _invoiced_unsettled(_opts: AuditOptions) -> Select[Any]:
    """BIZ-05: cases invoiced before the client confirmed and the settlement was approved."""
    return select(CaseRow.id.label("id")).where(
        _moved(CaseRow.id, "invoiced"),
        CaseRow.client_confirmed_at.is_(None) | not_(_approved(CaseRow.settlement_approval_id)),
    )


SWEEPS: Final[tuple[Sweep, ...]] = (
    Sweep("BIZ-01", "cases accepted outside the business scope", _accepted_out_of_scope),
    Sweep("BIZ-02", "cases accepted with application materials missing", _accepted_incomplete),
    Sweep("BIZ-03", "cases accepted without a case number", _unnumbered),
    overdue_sweep("BIZ-04", "tasks and cases past their deadline"),
    Sweep("BIZ-05", "cases invoiced before confirmation and approval", _invoiced_unsettled),
    Sweep("BIZ-06", "cases closed without notifying the client", _closed_unnotified),
    Sweep("BIZ-07", "contracts or work without the approval before them", _unapproved_work),
    Sweep("BIZ-08", "cases closed with an incomplete file", _closed_incomplete),
    Sweep("BIZ-09", "results notified without review", _notified_unreviewed),
    Sweep(
        "BIZ-09",
        "cases delivered without proof documents and aftercare notes",
        _delivered_without_handover,
    ),
)
"""Every sweep of the business department, run by ``agency audit``."""

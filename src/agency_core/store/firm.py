"""Employees and delegations of authority (APR-06)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from agency_core.entities import Delegation, Employee
from agency_core.errors import InvalidInput, NotFound
from agency_core.store import mapping
from agency_core.store.models import DelegationRow, EmployeeRow

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["DelegationRepository", "EmployeeRepository"]


class EmployeeRepository:
    """Employees with their roles and department."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def put(self, employee: Employee) -> Employee:
        """Add ``employee`` or update the stored one to match (roles replaced)."""
        if not isinstance(employee, Employee):
            raise InvalidInput(f"expected an Employee, not {employee!r}")
        session = self._tx.session
        row = session.get(EmployeeRow, employee.id)
        session.add(mapping.employee_row(employee, row))
        session.flush()
        return employee

    def get(self, employee_id: str) -> Employee:
        """The employee ``employee_id``; :class:`NotFound` when there is none."""
        row = self._tx.session.get(EmployeeRow, employee_id)
        if row is None:
            raise NotFound(f"no employee {employee_id!r}")
        return mapping.employee(row)


class DelegationRepository:
    """Delegations of authority: who may act for whom, and when."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def add(self, delegation: Delegation) -> Delegation:
        """Record a delegation; both people must be stored employees."""
        if not isinstance(delegation, Delegation):
            raise InvalidInput(f"expected a Delegation, not {delegation!r}")
        session = self._tx.session
        for person in (delegation.principal, delegation.delegate):
            if session.get(EmployeeRow, person) is None:
                raise NotFound(f"no employee {person!r}")
        session.add(mapping.delegation_row(delegation))
        session.flush()
        return delegation

    def in_force(
        self, at: datetime, *, delegate: str, principal: str | None = None
    ) -> tuple[Delegation, ...]:
        """Delegations in force at ``at`` naming ``delegate``, or given by ``principal``.

        Both sides are returned so the engine can see (and refuse) chained delegations.
        """
        names = [DelegationRow.delegate == delegate]
        if principal is not None:
            names.append(DelegationRow.principal == principal)
        rows = self._tx.session.scalars(
            select(DelegationRow)
            .where(or_(*names), DelegationRow.starts <= at, DelegationRow.ends > at)
            .order_by(DelegationRow.id)
        )
        return tuple(mapping.delegation(r) for r in rows)

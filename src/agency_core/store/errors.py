"""The errors of the store: typed, so a host never has to catch a SQLAlchemy exception."""

from __future__ import annotations

from agency_core.decision import Decision, Finding
from agency_core.errors import AgencyError, StateError

__all__ = ["Conflict", "Refused", "StoreError"]


class Refused(StateError):
    """The engine denied the action; ``findings`` say which controls and why."""

    def __init__(self, what: str, decision: Decision) -> None:
        self.decision = decision
        self.findings: tuple[Finding, ...] = decision.violations or decision.findings
        lines = "; ".join(f"{f.control}: {f.message()}" for f in self.findings)
        super().__init__(f"{what} refused: {lines}")

    @property
    def controls(self) -> frozenset[str]:
        """The control IDs that denied."""
        return frozenset(f.control for f in self.findings)


class Conflict(StateError):
    """Someone else changed the same thing at the same moment; read again, retry if still valid.

    Retryable (``retryable`` is True): serialization failures and deadlocks on PostgreSQL and a
    locked SQLite database become a Conflict, never a :class:`StoreError`, which is fatal.
    """

    retryable = True


class StoreError(AgencyError):
    """The database failed (connection lost, schema missing, disk full); nothing was saved."""

"""Durable state on SQLAlchemy 2.0: the only package of agency-core that imports SQLAlchemy.

>>> import agency_core.store
>>> store = agency_core.store.open("sqlite:///agency.db")   # doctest: +SKIP
>>> store.upgrade()                                           # doctest: +SKIP
>>> with store.transaction() as tx:                           # doctest: +SKIP
...     tx.approvals.submit(claim, engine.route_approval(claim), key="claim-1")

See ``docs/store.md``.
"""

from agency_core.store.audit import (
    DEFAULT_STEP_DEADLINE,
    SWEEPS,
    AuditFinding,
    Sweep,
    run_audit,
)
from agency_core.store.errors import Conflict, Refused, StoreError
from agency_core.store.log import DecisionLog, LogProblem, LogReport, verify_log
from agency_core.store.persons import Erasure, entries_of, erase_person
from agency_core.store.ports import (
    ApprovalPort,
    Capacity,
    DelegationPort,
    DestructionPort,
    DutyPort,
    EmployeePort,
    LogPort,
    OverdueLoan,
    RegistryPort,
    Status,
    Submission,
)
from agency_core.store.registry import format_number
from agency_core.store.session import Store, Transaction
from agency_core.store.session import open_store as open

__all__ = [
    "DEFAULT_STEP_DEADLINE",
    "SWEEPS",
    "ApprovalPort",
    "AuditFinding",
    "Capacity",
    "Conflict",
    "DecisionLog",
    "DelegationPort",
    "DestructionPort",
    "DutyPort",
    "EmployeePort",
    "Erasure",
    "LogPort",
    "LogProblem",
    "LogReport",
    "OverdueLoan",
    "Refused",
    "RegistryPort",
    "Status",
    "Store",
    "StoreError",
    "Submission",
    "Sweep",
    "Transaction",
    "entries_of",
    "erase_person",
    "format_number",
    "open",
    "run_audit",
    "verify_log",
]

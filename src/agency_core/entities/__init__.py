"""The entities of agency-core: frozen, validated attrs classes free of any persistence."""

from agency_core.entities.approvals import (
    ApprovalFacts,
    ApprovalRequest,
    Delegation,
    StepAction,
    Verdict,
)
from agency_core.entities.fees import (
    Charge,
    Contract,
    FeeAdjustment,
    FeeSchedule,
    Invoice,
    InvoiceLine,
    ScheduleItem,
    SettlementStatement,
    StatementLine,
)
from agency_core.entities.money import CURRENCIES, Money
from agency_core.entities.org import Client, Department, Employee, Role, Scope
from agency_core.entities.records import (
    Appraisal,
    DestructionItem,
    DestructionList,
    Hold,
    Loan,
    Opinion,
    Record,
    Signature,
)

__all__ = [
    "CURRENCIES",
    "Appraisal",
    "ApprovalFacts",
    "ApprovalRequest",
    "Charge",
    "Client",
    "Contract",
    "Delegation",
    "Department",
    "DestructionItem",
    "DestructionList",
    "Employee",
    "FeeAdjustment",
    "FeeSchedule",
    "Hold",
    "Invoice",
    "InvoiceLine",
    "Loan",
    "Money",
    "Opinion",
    "Record",
    "Role",
    "ScheduleItem",
    "Scope",
    "SettlementStatement",
    "Signature",
    "StatementLine",
    "StepAction",
    "Verdict",
]

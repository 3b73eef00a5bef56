"""Risk and audit (风险管理与内部审计) for agency-core: RSK-01..03, AUD-01..02."""

from agency_risk_audit.entities import AuditFacts, FindingFacts, IndicatorReading, Risk
from agency_risk_audit.policy import REACHABLE, Band, RiskAuditPolicy
from agency_risk_audit.store import AuditBook, FindingLedger, RiskRegister

__all__ = [
    "REACHABLE",
    "AuditBook",
    "AuditFacts",
    "Band",
    "FindingFacts",
    "FindingLedger",
    "IndicatorReading",
    "Risk",
    "RiskAuditPolicy",
    "RiskRegister",
]

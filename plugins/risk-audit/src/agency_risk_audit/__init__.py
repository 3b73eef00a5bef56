"""Risk and audit (风险管理与内部审计) for agency-core: RSK-01..03, AUD-01..02."""

from typing import TYPE_CHECKING

from agency_risk_audit.entities import AuditFacts, FindingFacts, IndicatorReading, Risk
from agency_risk_audit.policy import REACHABLE, Band, RiskAuditPolicy

if TYPE_CHECKING:
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

_STORE = frozenset({"AuditBook", "FindingLedger", "RiskRegister"})
"""Names of the store module, imported (with SQLAlchemy) only when first asked for."""


def __getattr__(name: str) -> object:
    if name in _STORE:
        from agency_risk_audit import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

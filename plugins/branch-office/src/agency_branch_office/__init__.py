"""Branch offices (办事处) for agency-core: BR-01..BR-03 and the reporting tree."""

from typing import TYPE_CHECKING

from agency_branch_office.entities import PersonTarget, TargetSplit, UnitFacts
from agency_branch_office.policy import BranchOfficePolicy, Unit
from agency_branch_office.rules import split

if TYPE_CHECKING:
    from agency_branch_office.store import ServiceUnits, TargetBook
from agency_branch_office.tree import admin_department, branch_of, reporting_line

__all__ = [
    "BranchOfficePolicy",
    "PersonTarget",
    "ServiceUnits",
    "TargetBook",
    "TargetSplit",
    "Unit",
    "UnitFacts",
    "admin_department",
    "branch_of",
    "reporting_line",
    "split",
]

_STORE = frozenset({"ServiceUnits", "TargetBook"})
"""Names of the store module, imported (with SQLAlchemy) only when first asked for."""


def __getattr__(name: str) -> object:
    if name in _STORE:
        from agency_branch_office import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

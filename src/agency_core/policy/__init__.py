"""Policy files: versioned, effective-dated TOML, checked and compiled once at load."""

from agency_core.policy.compiled import (
    ConflictSet,
    Destruction,
    Matrix,
    Policy,
    Retention,
    RetentionRule,
    add_years,
    lower_approvals,
)
from agency_core.policy.load import (
    default_policy,
    load_policy,
    parse_policy,
    statutory_minimums,
)
from agency_core.policy.model import Basis, PolicyFile

__all__ = [
    "Basis",
    "ConflictSet",
    "Destruction",
    "Matrix",
    "Policy",
    "PolicyFile",
    "Retention",
    "RetentionRule",
    "add_years",
    "default_policy",
    "load_policy",
    "lower_approvals",
    "parse_policy",
    "statutory_minimums",
]

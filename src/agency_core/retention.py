"""A record's retention from the retention lookups (RET-01, RET-02): the longest period wins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from agency_core.calls import failure
from agency_core.decision import Finding
from agency_core.entities import Record
from agency_core.policy import Policy, Retention, RetentionRule, add_years, statutory_minimums

__all__ = ["resolve"]

_HOOK = "agency_retention_rule"

RuleLookup = Callable[[str], tuple[RetentionRule | None, str, Finding | None]]
"""The rule of a record class, the plugin that gave it, and the failure of one that raised."""


def resolve(record: Record, policy: Policy, rule_of: RuleLookup) -> tuple[Retention, list[Finding]]:
    """The record's retention; a rule below the statutory minimum fails closed (RET-01)."""
    failures: list[Finding] = []
    unknown: list[str] = []
    waiting: list[str] = []
    permanent: str | None = None
    latest: tuple[date, str, int] | None = None
    for record_class in sorted(record.classes):
        rule, plugin, failed = rule_of(record_class)
        if failed is None and rule is not None and _below_law(rule):
            failed = failure(plugin, _HOOK, f"{rule} is below the statutory minimum")
            rule = None
        if failed is not None:
            failures.append(failed)
        if rule is None:
            unknown.append(record_class)
        elif rule.years is None:
            permanent = permanent or record_class
        else:
            start = policy.retention_start(rule, record)
            if start is None:
                waiting.append(record_class)
            else:
                due = add_years(start, rule.years)
                if latest is None or due > latest[0]:
                    latest = (due, record_class, rule.years)
    if permanent is not None:
        retention = Retention(
            record.number, None, True, permanent, None, tuple(unknown), tuple(waiting)
        )
    elif unknown or waiting or latest is None:
        retention = Retention(
            record.number, None, False, None, None, tuple(unknown), tuple(waiting)
        )
    else:
        due, decided_by, years = latest
        retention = Retention(record.number, due, False, decided_by, years)
    return retention, failures


def _below_law(rule: RetentionRule) -> bool:
    minimum = statutory_minimums().get(rule.record_class)
    if minimum is None:
        return False
    if minimum.years is None:
        return rule.years is not None
    return rule.years is not None and rule.years < minimum.years

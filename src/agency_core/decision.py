"""What the engine answers: findings, routes and decisions.

A :class:`Finding` is one plugin's statement about one control; a :class:`Decision` combines
all findings into one outcome: any ``deny`` finding denies, else any ``approval`` finding (or a
route with steps) needs approval, else the request is allowed. The combination is a maximum, so
plugin order never matters.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any, Final

import attrs

from agency_core.entities import _fields as _f
from agency_core.entities.org import Scope, scope_of

__all__ = [
    "LANGUAGES",
    "Decision",
    "Fact",
    "Finding",
    "Outcome",
    "Route",
    "RouteStep",
    "Severity",
    "Text",
]

Fact = str | int | bool | None
"""A fact a finding used: plain JSON scalars, so every decision serialises as it is."""

LANGUAGES: Final = ("zh-CN", "en")


class Severity(enum.StrEnum):
    """How a finding weighs on the outcome, from least to most."""

    INFO = "info"
    """Explains the decision; changes nothing."""
    WARNING = "warning"
    """Worth a person's attention; does not block."""
    APPROVAL = "approval"
    """The request may go ahead only once approved along the route."""
    DENY = "deny"
    """A violation: the request may not go ahead."""


_ORDER: Final = tuple(Severity)
_RANK: Final = {s: i for i, s in enumerate(_ORDER)}


class Outcome(enum.StrEnum):
    """The answer of a decision, from least to most severe (:attr:`rank`)."""

    ALLOW = "allow"
    NEEDS_APPROVAL = "needs_approval"
    DENY = "deny"

    @property
    def rank(self) -> int:
        """How severe the outcome is: allow 0 < needs approval 1 < deny 2."""
        return _OUTCOME_RANK[self]

    @classmethod
    def worst(cls, outcomes: Iterable[Outcome]) -> Outcome:
        """The most severe of ``outcomes`` (allow when there are none)."""
        return max(outcomes, key=_OUTCOME_RANK.__getitem__, default=cls.ALLOW)


_OUTCOME_RANK: Final = {outcome: rank for rank, outcome in enumerate(Outcome)}


_OUTCOME: Final = {
    Severity.INFO: Outcome.ALLOW,
    Severity.WARNING: Outcome.ALLOW,
    Severity.APPROVAL: Outcome.NEEDS_APPROVAL,
    Severity.DENY: Outcome.DENY,
}


class _Facts(dict[str, Fact]):
    """Facts for a template: a placeholder without a fact stays visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@attrs.frozen
class Text:
    """A message in Chinese and English; ``{name}`` placeholders are filled from the facts."""

    zh: str
    en: str

    def render(self, lang: str, facts: Mapping[str, Fact]) -> str:
        """The message in ``lang`` ("zh-CN" or "en") with the facts filled in."""
        template = self.zh if lang.lower().startswith("zh") else self.en
        return template.format_map(_Facts(facts))


@attrs.frozen
class Finding:
    """One plugin's statement about one control, with the facts it used."""

    control: str
    severity: Severity
    text: Text
    facts: Mapping[str, Fact] = attrs.field(factory=_f.FrozenMap, converter=_f.frozen_map)
    """Read-only: one finding may be shared by many cached decisions."""
    plugin: str = ""
    """Set by the engine to the name of the plugin that returned the finding."""

    def message(self, lang: str = "en") -> str:
        """The finding's message in ``lang``."""
        return self.text.render(lang, self.facts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the message in every language."""
        from agency_core.convert import finding_view

        return finding_view(self)


@attrs.frozen
class RouteStep:
    """One step of a route: the approver role and how far its authority reaches (APR-04)."""

    role: str = attrs.field(validator=_f.code)
    scope: Scope = attrs.field(default=Scope.COMPANY, converter=scope_of)


@attrs.frozen
class Route:
    """The ordered approval chain for one request (APR-01) and the findings that explain it."""

    action: str = attrs.field(validator=_f.code)
    steps: tuple[RouteStep, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(RouteStep)
    )
    findings: tuple[Finding, ...] = attrs.field(
        factory=tuple, converter=_f.to_tuple, validator=_f.each(Finding)
    )

    @property
    def roles(self) -> tuple[str, ...]:
        """The approver roles, in order."""
        return tuple(step.role for step in self.steps)


_by_control: Final = attrgetter("control", "plugin")


@attrs.frozen
class Decision:
    """The answer to one request: outcome, route, findings, and the policy that produced it."""

    kind: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    policy_version: str
    policy_sha256: str
    route: Route | None = None
    plugins_sha256: str = ""
    """The SHA-256 of the plugin set (names, distributions, versions) that decided."""

    @classmethod
    def combine(
        cls,
        kind: str,
        findings: Iterable[Finding],
        *,
        policy_version: str,
        policy_sha256: str,
        plugins_sha256: str = "",
        route: Route | None = None,
    ) -> Decision:
        """Combine findings: deny overrides approval overrides allow; order never matters.

        A route with steps needs approval even when no finding says so.
        """
        ordered = tuple(findings)
        if len(ordered) > 1:
            ordered = tuple(sorted(ordered, key=_by_control))
        floor = _RANK[Severity.APPROVAL] if route is not None and route.steps else 0
        worst = floor
        for finding in ordered:  # a loop: decisions hold a few findings
            worst = max(worst, _RANK[finding.severity])
        outcome = _OUTCOME[_ORDER[worst]]
        return _decision(
            kind, outcome, ordered, policy_version, policy_sha256, route, plugins_sha256
        )

    def vetoed(self, findings: Iterable[Finding]) -> Decision:
        """This decision with ``findings`` added (an observer's veto), combined again."""
        return Decision.combine(
            self.kind,
            [*self.findings, *findings],
            policy_version=self.policy_version,
            policy_sha256=self.policy_sha256,
            plugins_sha256=self.plugins_sha256,
            route=self.route,
        )

    @property
    def controls(self) -> frozenset[str]:
        """The control IDs of every finding."""
        return frozenset(f.control for f in self.findings)

    @property
    def violations(self) -> tuple[Finding, ...]:
        """The findings that deny."""
        return tuple(f for f in self.findings if f.severity is Severity.DENY)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the decision (the form :func:`agency_core.codec.decision_schema`
        describes)."""
        from agency_core.convert import converter

        return converter.unstructure(self, Decision)  # type: ignore[no-any-return]


_decision: Final = _f.prevalidated(Decision)
"""Decision's constructor for :meth:`Decision.combine`, which computes every field itself."""

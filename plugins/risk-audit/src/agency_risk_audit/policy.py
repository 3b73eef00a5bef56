"""The ``[plugins.risk_audit]`` policy section: score bands, responses and deadlines."""

from __future__ import annotations

import itertools
from typing import Any, Final

import attrs

from agency_core.entities import _fields as _f
from agency_core.errors import InvalidInput

__all__ = ["REACHABLE", "Band", "RiskAuditPolicy"]

REACHABLE: Final = frozenset(lik * imp for lik in range(1, 6) for imp in range(1, 6))
"""Every score a risk can have: likelihood (1-5) x impact (1-5). No product falls on 17-19."""


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput(f"{attribute.name} must be a whole number of days >= 1, not {value!r}")


@attrs.frozen
class Band:
    """Scores from ``low`` to ``high`` (inclusive) are rated ``name`` (RSK-01)."""

    name: str = attrs.field(validator=_f.code)
    low: int = attrs.field(validator=_f.of(int))
    high: int = attrs.field(validator=_f.of(int))

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.low <= self.high <= 25:
            raise InvalidInput(
                f"band {self.name}: need 1 <= low <= high <= 25, got {self.low}-{self.high}"
            )


def _bands(_inst: object, _attribute: attrs.Attribute[Any], value: tuple[Band, ...]) -> None:
    """Bands are ordered, do not overlap, and rate every reachable score."""
    _f.each(Band, required=True)(_inst, _attribute, value)
    for index, (before, after) in enumerate(itertools.pairwise(value)):
        if after.low <= before.high:
            raise InvalidInput(
                f"bands[{index + 1}] ({after.name}) must start above {before.high}, the end of "
                f"{before.name}: bands are ordered and do not overlap",
                path=f"$.bands[{index + 1}].low",
            )
    if len({band.name for band in value}) != len(value):
        raise InvalidInput("bands must have distinct names", path="$.bands")
    unrated = sorted(s for s in REACHABLE if not any(b.low <= s <= b.high for b in value))
    if unrated:
        raise InvalidInput(f"bands rate no band for the scores {unrated}", path="$.bands")


DEFAULT_BANDS: Final = (
    Band("low", 1, 4),
    Band("medium", 5, 9),
    Band("high", 10, 16),
    Band("critical", 20, 25),
)


def _responses(_inst: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    _f.each(str, required=True)(_inst, attribute, value)
    for item in value:
        _f.code(_inst, attribute, item)


@attrs.frozen
class RiskAuditPolicy:
    """Risk and audit policy; every default is the one in CONTROLS.md (RSK, AUD).

    ``finding_days`` and ``report_days`` are the firm's choice (the source asks for an owner and
    a deadline per finding, 明确整改责任人和整改期限, and a report per audit, without a number).
    """

    bands: tuple[Band, ...] = attrs.field(default=DEFAULT_BANDS, validator=_bands)
    """RSK-01: score bands, low to high; they must rate every score in REACHABLE."""
    responses: tuple[str, ...] = attrs.field(
        default=("avoid", "reduce", "transfer", "accept"), validator=_responses
    )
    """RSK-02: the risk responses a risk may take (规避, 降低, 转移, 承受)."""
    finding_days: int = attrs.field(default=30, validator=_positive)
    """AUD-01: calendar days to rectify a finding when no deadline is given."""
    report_days: int = attrs.field(default=30, validator=_positive)
    """AUD-02: calendar days from an audit's plan to its report."""

    def band(self, score: int) -> Band:
        """The band that rates ``score`` (one of REACHABLE)."""
        for band in self.bands:
            if band.low <= score <= band.high:
                return band
        raise InvalidInput(f"no band rates the score {score}", path="$.score")

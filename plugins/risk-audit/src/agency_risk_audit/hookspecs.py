"""The risk and audit plugin's own hooks: one check per request kind it decides."""

from __future__ import annotations

from collections.abc import Iterable

from agency_core.decision import Finding
from agency_core.hookspecs import hookspec
from agency_core.policy import Policy
from agency_risk_audit.entities import IndicatorReading, Risk


@hookspec
def agency_check_risk(check: Risk, policy: Policy) -> Iterable[Finding] | None:
    """Check a risk entered on the register (RSK-01 band, RSK-02 response and owner).

    :param check: the risk.
    :param policy: the compiled policy in force (section ``risk_audit``).
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_indicator_reading(
    check: IndicatorReading, policy: Policy
) -> Iterable[Finding] | None:
    """Check a warning indicator's reading against its threshold (RSK-03).

    :param check: the reading, its threshold and direction.
    :param policy: the compiled policy in force.
    :returns: findings (a WARNING alert when the reading reaches the threshold), or None.
    """

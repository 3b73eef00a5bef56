"""RSK-01..03: the register's bands, responses and owners, and the warning indicators."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import agency_risk_audit.plugin
import pytest
from agency_risk_audit import REACHABLE, IndicatorReading, Risk, RiskAuditPolicy
from agency_risk_audit.policy import Band
from hypothesis import given
from hypothesis import strategies as st

from agency_core import Engine
from agency_core.decision import Outcome, Severity
from agency_core.errors import InvalidInput, PolicyError

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def risk(likelihood: int = 3, impact: int = 3, **changes: object) -> Risk:
    fields: dict[str, object] = {"response": "reduce", "owner": "S2", **changes}
    return Risk("R1", "client funds misused", "sales", likelihood, impact, **fields)  # type: ignore[arg-type]


def band_of(engine: Engine, item: Risk) -> str:
    (finding,) = [f for f in engine.decide(item).findings if f.control == "RSK-01"]
    return str(finding.facts["band"])


@pytest.mark.parametrize(
    ("likelihood", "impact", "band"),
    [
        (1, 1, "low"),
        (2, 2, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (2, 5, "high"),
        (4, 4, "high"),
        (4, 5, "critical"),
        (5, 5, "critical"),
    ],
)
def test_rsk01_default_bands(engine: Engine, likelihood: int, impact: int, band: str) -> None:
    assert band_of(engine, risk(likelihood, impact)) == band


def test_rsk01_bands_come_from_the_policy(engine_with: Callable[[str], Engine]) -> None:
    engine = engine_with(
        'bands = [{name = "minor", low = 1, high = 9}, {name = "major", low = 10, high = 25}]'
    )
    assert band_of(engine, risk(3, 3)) == "minor"
    assert band_of(engine, risk(2, 5)) == "major"


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            'bands = [{name = "low", low = 1, high = 9}, {name = "high", low = 11, high = 25}]',
            "[10]",
        ),
        (
            'bands = [{name = "low", low = 1, high = 10}, {name = "high", low = 10, high = 25}]',
            "must start above 10",
        ),
        (
            'bands = [{name = "high", low = 10, high = 25}, {name = "low", low = 1, high = 9}]',
            "must start above 25",
        ),
        ('bands = [{name = "all", low = 0, high = 25}]', "1 <= low"),
        ("bands = []", "must not be empty"),
        ('responses = ["avoid", ""]', "responses"),
        ("finding_days = 0", "finding_days"),
        ('report_days = "30"', "report_days"),
        ("colour = 1", "colour"),
    ],
)
def test_rsk01_policy_refuses_bad_bands(
    engine_with: Callable[[str], Engine], table: str, problem: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        engine_with(table)
    assert "$.plugins.risk_audit" in str(caught.value)
    assert problem in str(caught.value)


def test_rsk01_default_bands_leave_17_to_19_unrated_yet_valid() -> None:
    assert not {17, 18, 19} & REACHABLE
    assert [b.name for b in RiskAuditPolicy().bands] == ["low", "medium", "high", "critical"]


@st.composite
def band_policies(draw: st.DrawFn) -> RiskAuditPolicy:
    """Valid policies: ordered bands cut at random points of 1..25."""
    cuts = sorted(draw(st.sets(st.integers(2, 25), max_size=5)))
    bounds = [1, *cuts, 26]
    pairs = enumerate(itertools.pairwise(bounds))
    bands = tuple(Band(f"b{i}", lo, hi - 1) for i, (lo, hi) in pairs)
    return RiskAuditPolicy(bands=bands)


@given(band_policies(), st.sampled_from(sorted(REACHABLE)), st.sampled_from(sorted(REACHABLE)))
def test_rsk01_band_is_monotonic_in_the_score(policy: RiskAuditPolicy, a: int, b: int) -> None:
    low, high = sorted((a, b))
    order = [band.name for band in policy.bands]
    assert order.index(policy.band(low).name) <= order.index(policy.band(high).name)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_rsk01_engine_band_is_monotonic(a: int, b: int, c: int, d: int) -> None:
    engine = Engine(plugins=[agency_risk_audit.plugin])
    order = ["low", "medium", "high", "critical"]
    one, two = sorted([risk(a, b), risk(c, d)], key=lambda r: r.score)
    assert order.index(band_of(engine, one)) <= order.index(band_of(engine, two))


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"response": None}, "no response"),
        ({"response": "ignore"}, "not one of"),
        ({"owner": None}, "no owner"),
    ],
)
def test_rsk02_response_and_owner_required(
    engine: Engine, changes: dict[str, object], needle: str
) -> None:
    decision = engine.decide(risk(**changes))
    assert decision.outcome is Outcome.DENY
    assert [f.control for f in decision.violations] == ["RSK-02"]
    assert needle in decision.violations[0].message()


def test_rsk02_complete_risk_allowed(engine: Engine) -> None:
    for response in ("avoid", "reduce", "transfer", "accept"):
        assert engine.decide(risk(response=response)).outcome is Outcome.ALLOW


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("likelihood", 0),
        ("likelihood", 6),
        ("impact", True),
        ("impact", "3"),
        ("id", ""),
        ("owner", ""),
        ("response", 3),
    ],
)
def test_bad_risk_names_the_field(field: str, value: object) -> None:
    values: dict[str, object] = {
        "id": "R1",
        "title": "t",
        "department": "sales",
        "likelihood": 2,
        "impact": 2,
        field: value,
    }
    with pytest.raises(InvalidInput, match=field):
        Risk(**values)  # type: ignore[arg-type]


def reading(value: str, threshold: str = "100", direction: str = "at_or_above") -> IndicatorReading:
    return IndicatorReading("K1", Decimal(threshold), Decimal(value), AT, direction)


@pytest.mark.parametrize(
    ("value", "direction", "alert"),
    [
        ("100", "at_or_above", True),
        ("100.01", "at_or_above", True),
        ("99.99", "at_or_above", False),
        ("100", "at_or_below", True),
        ("100.01", "at_or_below", False),
        ("5", "at_or_below", True),
    ],
)
def test_rsk03_reaching_the_threshold_raises_an_alert(
    engine: Engine, value: str, direction: str, alert: bool
) -> None:
    decision = engine.decide(reading(value, direction=direction))
    alerts = [f for f in decision.findings if f.control == "RSK-03"]
    assert bool(alerts) is alert
    assert all(f.severity is Severity.WARNING for f in alerts)


@given(st.decimals(-1000, 1000, places=2), st.decimals(-1000, 1000, places=2))
def test_rsk03_alert_iff_reached(value: Decimal, threshold: Decimal) -> None:
    engine = Engine(plugins=[agency_risk_audit.plugin])
    decision = engine.decide(IndicatorReading("K1", threshold, value, AT))
    assert any(f.control == "RSK-03" for f in decision.findings) is (value >= threshold)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("threshold", 100),
        ("value", Decimal("NaN")),
        ("direction", "above"),
        ("at", AT.replace(tzinfo=None)),
    ],
)
def test_bad_reading_names_the_field(field: str, value: object) -> None:
    values: dict[str, object] = {
        "indicator": "K1",
        "threshold": Decimal(1),
        "value": Decimal(1),
        "at": AT,
        field: value,
    }
    with pytest.raises(InvalidInput, match=field):
        IndicatorReading(**values)  # type: ignore[arg-type]

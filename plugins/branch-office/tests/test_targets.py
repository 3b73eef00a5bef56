"""BR-02: sales targets split by quarter, month and person add up exactly to the annual target."""

from __future__ import annotations

from decimal import Decimal

import agency_branch_office.plugin
import attrs
import pytest
from agency_branch_office import PersonTarget, TargetSplit, split
from hypothesis import given
from hypothesis import strategies as st

from agency_core import Engine
from agency_core.decision import Outcome
from agency_core.errors import InvalidInput

cents = st.decimals(0, 10**9, places=2, allow_nan=False, allow_infinity=False)
weights = st.lists(st.integers(0, 1000), min_size=1, max_size=40).filter(lambda w: sum(w) > 0)


@given(cents, weights)
def test_br02_split_always_sums_exactly(total: Decimal, parts: list[int]) -> None:
    shares = split(total, parts)
    assert sum(shares, Decimal(0)) == total
    assert len(shares) == len(parts)
    assert all(s >= 0 and s == s.quantize(Decimal("0.01")) for s in shares)
    assert all(s == 0 for s, w in zip(shares, parts, strict=True) if w == 0)


def test_br02_split_gives_leftover_cents_to_the_largest_remainders() -> None:
    assert split(Decimal("100.00"), [1, 1, 1]) == (
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    )
    assert split(Decimal("10"), [3, 1]) == (Decimal("7.50"), Decimal("2.50"))


@pytest.mark.parametrize(
    ("total", "parts"),
    [(Decimal("1.005"), [1]), (Decimal(1), []), (Decimal(1), [0, 0]), (Decimal(1), [-1, 2])],
)
def test_br02_split_refuses_bad_input(total: Decimal, parts: list[int]) -> None:
    with pytest.raises(InvalidInput):
        split(total, parts)


def target(annual: str = "1200000.00", **changes: object) -> TargetSplit:
    total = Decimal(annual)
    quarters = split(total, [1, 1, 1, 1])
    months = tuple(m for q in quarters for m in split(q, [1, 1, 1]))
    people = tuple(
        PersonTarget(name, amount)
        for name, amount in zip(("P1", "P2", "P3"), split(total, [5, 3, 2]), strict=True)
    )
    values: dict[str, object] = {
        "branch": "sh",
        "year": 2026,
        "annual": total,
        "quarters": quarters,
        "months": months,
        "people": people,
        **changes,
    }
    return TargetSplit(**values)  # type: ignore[arg-type]


@given(cents)
def test_br02_splits_made_by_split_are_accepted(annual: Decimal) -> None:
    engine = Engine(plugins=[agency_branch_office.plugin])
    assert engine.decide(target(str(annual))).outcome is Outcome.ALLOW


def bump(values: tuple[Decimal, ...], index: int, by: str = "0.01") -> tuple[Decimal, ...]:
    return tuple(v + Decimal(by) if i == index else v for i, v in enumerate(values))


@pytest.mark.parametrize(
    ("changes", "part"),
    [
        ("quarters", "quarters"),
        ("months", "months"),
        ("people", "people"),
        ("swap", "months of Q1"),
    ],
)
def test_br02_uneven_split_refused(changes: str, part: str) -> None:
    engine = Engine(plugins=[agency_branch_office.plugin])
    good = target()
    if changes == "quarters":
        bad = target(quarters=bump(good.quarters, 2))
    elif changes == "months":
        bad = target(months=bump(good.months, 11, "-0.01"))
    elif changes == "people":
        people = (PersonTarget("P1", good.people[0].amount + 1), *good.people[1:])
        bad = target(people=people)
    else:  # a cent moved from March to April: the year adds up, Q1 and Q2 do not
        bad = target(months=bump(bump(good.months, 2, "-0.01"), 3))
    decision = engine.decide(bad)
    assert decision.outcome is Outcome.DENY
    assert part in {f.facts["part"] for f in decision.violations}
    assert {f.control for f in decision.violations} == {"BR-02"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("annual", Decimal(-1)),
        ("annual", 5),
        ("quarters", (Decimal(1),) * 3),
        ("months", (Decimal(1),) * 13),
        ("people", ()),
        ("branch", ""),
        ("year", "2026"),
        ("people", (PersonTarget("P1", Decimal(1)), PersonTarget("P1", Decimal(1)))),
    ],
)
def test_bad_target_names_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInput, match=field):
        attrs.evolve(target(), **{field: value})

"""FEE-06: money is exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency_core import CurrencyMismatch, Money, MoneyError


@pytest.mark.parametrize(
    "amount", [1.5, float("nan"), Decimal("NaN"), Decimal("Infinity"), "inf", True, None, "12,00"]
)
def test_fee_06_inexact_amounts_are_refused(amount: object) -> None:
    with pytest.raises(MoneyError):
        Money(amount, "CNY")  # type: ignore[arg-type]


def test_fee_06_negative_fees_are_refused() -> None:
    with pytest.raises(MoneyError, match="negative"):
        Money("-0.01", "CNY")


@pytest.mark.parametrize("currency", ["RMB", "cny", "", "XXXX", 156])
def test_fee_06_unknown_currencies_are_refused(currency: object) -> None:
    with pytest.raises(MoneyError, match="ISO 4217"):
        Money("1", currency)  # type: ignore[arg-type]


def test_fee_06_mixed_currencies_are_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        Money("1", "CNY") + Money("1", "USD")
    with pytest.raises(CurrencyMismatch):
        assert Money("1", "CNY") < Money("2", "USD")
    with pytest.raises(CurrencyMismatch):
        Money.total([Money("1", "CNY"), Money("1", "HKD")], "CNY")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "CNY", "1.01"),
        ("1.004", "CNY", "1.00"),
        ("2.5", "JPY", "3"),
        ("0.0005", "KWD", "0.001"),
    ],
)
def test_fee_06_rounds_half_up_to_the_minor_unit(amount: str, currency: str, expected: str) -> None:
    assert Money(amount, currency).amount == Decimal(expected)
    assert str(Money(amount, currency).amount) == expected


amounts = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)


@given(amounts, amounts)
def test_fee_06_sums_are_exact(a: Decimal, b: Decimal) -> None:
    total = Money(a, "CNY") + Money(b, "CNY")
    assert total.amount == a + b
    assert total - Money(b, "CNY") == Money(a, "CNY")


@given(amounts, amounts)
def test_fee_06_order_agrees_with_decimal_order(a: Decimal, b: Decimal) -> None:
    assert (Money(a, "CNY") <= Money(b, "CNY")) == (a <= b)

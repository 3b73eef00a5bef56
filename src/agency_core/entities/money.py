"""Exact money (FEE-06): a Decimal amount and an ISO 4217 currency, never a float."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final, cast

import attrs

from agency_core.errors import CurrencyMismatch, MoneyError

__all__ = ["CURRENCIES", "Money", "amount_of", "rounded", "rounded_all", "to_decimal"]

# ISO 4217 active codes and their minor units (digits after the decimal point).
_ZERO_DIGIT = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DIGIT = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DIGIT = "CLF UYW"
_TWO_DIGIT = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP "
    "LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR "
    "NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
    "SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW "
    "ZWG"
)
CURRENCIES: Final[dict[str, int]] = {
    **dict.fromkeys(_TWO_DIGIT.split(), 2),
    **dict.fromkeys(_ZERO_DIGIT.split(), 0),
    **dict.fromkeys(_THREE_DIGIT.split(), 3),
    **dict.fromkeys(_FOUR_DIGIT.split(), 4),
}
MAX_DIGITS: Final = 15
"""Digits before the point an amount may have (the store's columns hold 16 before 4 places)."""
_QUANTUM: Final[dict[int, Decimal]] = {d: Decimal(1).scaleb(-d) for d in set(CURRENCIES.values())}


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """Return ``value`` as a finite Decimal; refuse floats, booleans, NaN and infinities."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (bool, float)):
        raise MoneyError(
            f"{what} must be a Decimal, an int or a decimal string, not {type(value).__name__} "
            f"{value!r}: floats are not exact"
        )
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{what} {value!r} is not a decimal number") from None
    else:
        raise MoneyError(f"{what} must be a Decimal, an int or a decimal string, not {value!r}")
    if not result.is_finite():
        raise MoneyError(f"{what} must be finite, not {value!r}")
    return result


def _amount(value: object) -> Decimal:
    amount = to_decimal(value)
    if amount < 0:
        raise MoneyError(f"amount must not be negative, got {amount}: fees and requests are >= 0")
    return amount


def _currency(_instance: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, str) or value not in CURRENCIES:
        raise MoneyError(f"currency must be an ISO 4217 code such as 'CNY', not {value!r}")


def amount_of(value: object, currency: object) -> Decimal:
    """What ``Money(value, currency).amount`` is, without the object; MoneyError when refused."""
    if (  # the usual case: a finite, non-negative Decimal of a storable size
        type(value) is Decimal
        and type(currency) is str
        and currency in CURRENCIES
        and value.is_finite()
        and value >= 0
        and value.adjusted() < MAX_DIGITS
    ):
        return value.quantize(_QUANTUM[CURRENCIES[currency]], ROUND_HALF_UP)
    _currency(None, None, currency)
    return rounded(_amount(value), cast(str, currency))


def rounded(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded to ``currency``'s minor unit (ROUND_HALF_UP), refused when too large."""
    if amount.adjusted() >= MAX_DIGITS:
        raise MoneyError(f"amount must be below 10^{MAX_DIGITS}, not {amount:.3e}")
    return amount.quantize(_QUANTUM[CURRENCIES[currency]], ROUND_HALF_UP)


def rounded_all(amounts: Iterable[Decimal], currency: str) -> tuple[Decimal, ...]:
    """:func:`rounded` of many amounts in one currency, each already below 10^MAX_DIGITS."""
    quantum = _QUANTUM[CURRENCIES[currency]]
    return tuple([amount.quantize(quantum, ROUND_HALF_UP) for amount in amounts])


@attrs.frozen(order=False)
class Money:
    """A non-negative amount in one currency, rounded to the currency's minor unit (ROUND_HALF_UP).

    >>> Money("1.005", "CNY")
    Money(amount=Decimal('1.01'), currency='CNY')
    """

    amount: Decimal = attrs.field(converter=_amount)
    currency: str = attrs.field(validator=_currency)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "amount", rounded(self.amount, self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self} with {other}: currencies differ")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency``."""
        return cls(Decimal(0), currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The sum of ``amounts``, all of which must be in ``currency``."""
        result = cls.zero(currency)
        for amount in amounts:
            result = result + amount
        return result

"""Money: a Decimal amount with its currency, never a float.

Rounding rule: amounts are rounded half-up ("commercial rounding") to the
currency's minor unit, as shops display prices; the platforms compute taxes and
totals, Cartpath only carries them. Gateways take integer minor units, so
`to_minor` refuses an amount with more precision than the currency has instead of
silently rounding money that is about to be charged. Splitting an amount (a
discount across lines, a refund across payments) uses `allocate`, which never
loses or invents a minor unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision, list_currencies


class MoneyError(ValueError):
    """An amount or currency that cannot be money: a float, NaN, an unknown code."""


class CurrencyMismatch(MoneyError):
    """Arithmetic between two currencies: a bug, never something to convert silently."""


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=64)
def _locale(identifier: str) -> Locale:
    """Parsed once: Babel re-reads a locale given by name on every call, which costs more
    than the formatting itself (the admin's charts format ninety amounts a page)."""
    return Locale.parse(identifier)


@lru_cache(maxsize=512)
def minor_unit_exponent(currency: str) -> int:
    """Digits after the decimal point for `currency` (USD 2, JPY 0, BHD 3), from CLDR."""
    if currency not in _known_currencies():
        raise MoneyError(f"unknown currency {currency!r}")
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise MoneyError(f"amount must be a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise MoneyError("amount must be a finite number")
        minor_unit_exponent(self.currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Parse an amount as platforms send it ("19.99", 1999 is NOT cents here)."""
        if isinstance(amount, float | bool):
            raise MoneyError("amounts are never floats: pass a string or a Decimal")
        try:
            value = Decimal(amount) if not isinstance(amount, str) else Decimal(amount.strip())
        except InvalidOperation:
            raise MoneyError(f"{amount!r} is not an amount") from None
        return cls(value, currency.upper())

    @classmethod
    def from_minor(cls, units: int, currency: str) -> Money:
        """From integer minor units (cents), as gateways report amounts."""
        if not isinstance(units, int) or isinstance(units, bool):
            raise MoneyError("minor units must be an integer")
        currency = currency.upper()
        return cls(Decimal(units).scaleb(-minor_unit_exponent(currency)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.from_minor(0, currency)

    @property
    def exponent(self) -> int:
        return minor_unit_exponent(self.currency)

    def rounded(self) -> Money:
        """Half-up to the currency's minor unit."""
        quantum = Decimal(1).scaleb(-self.exponent)
        return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_UP), self.currency)

    def to_minor(self) -> int:
        """Integer minor units for a gateway.

        :raises MoneyError: when the amount has more precision than the currency allows.
        """
        units = self.amount.scaleb(self.exponent)
        if units != units.to_integral_value():
            raise MoneyError(f"{self} has more precision than {self.currency} allows; round first")
        return int(units)

    def allocate(self, weights: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to `weights` that add up exactly to this amount.

        Largest-remainder method on minor units: each part is within one minor
        unit of its exact share, and the leftover units go to the largest remainders.
        """
        if not weights or any(weight < 0 for weight in weights) or sum(weights) == 0:
            raise MoneyError("weights must be non-negative with a positive sum")
        total_units = self.to_minor()
        total_weight = Decimal(sum(weights))
        exact = [Decimal(total_units) * Decimal(weight) / total_weight for weight in weights]
        floors = [int(share.to_integral_value(rounding="ROUND_FLOOR")) for share in exact]
        leftover = total_units - sum(floors)
        by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - floors[i], reverse=True)
        for index in by_remainder[:leftover]:
            floors[index] += 1
        return [Money.from_minor(units, self.currency) for units in floors]

    def format(self, locale: str = "en_US") -> str:
        """For people: the shop's locale decides symbol and separators (Babel)."""
        return format_currency(self.amount, self.currency, locale=_locale(locale))

    def _same_currency(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same_currency(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same_currency(other).amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float | bool) or not isinstance(factor, int | Decimal):
            raise MoneyError("multiply money by an int or a Decimal, never a float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other).amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

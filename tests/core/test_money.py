"""Money: Decimal with its currency, half-up rounding, exact minor units and splits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.localedata import locale_identifiers
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from core.money import CurrencyMismatch, Money, MoneyError, minor_unit_exponent

CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "BHD", "KWD", "GBP", "KRW"])
AMOUNTS = st.decimals(
    min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6
)


def test_minor_units_follow_the_currency():
    assert [minor_unit_exponent(c) for c in ("USD", "JPY", "BHD")] == [2, 0, 3]
    assert Money.from_minor(1999, "USD") == Money.of("19.99", "USD")
    assert Money.from_minor(1999, "JPY") == Money.of("1999", "JPY")
    assert Money.of("1.234", "BHD").to_minor() == 1234


def test_half_up_rounding():
    assert Money.of("0.125", "USD").rounded() == Money.of("0.13", "USD")
    assert Money.of("0.124", "USD").rounded() == Money.of("0.12", "USD")
    assert Money.of("-0.125", "USD").rounded() == Money.of("-0.13", "USD")
    assert Money.of("99.5", "JPY").rounded() == Money.of("100", "JPY")


@given(st.integers(min_value=-(10**12), max_value=10**12), CURRENCIES)
def test_minor_units_round_trip(units, currency):
    assert Money.from_minor(units, currency).to_minor() == units


@given(AMOUNTS, CURRENCIES)
def test_rounding_is_within_half_a_minor_unit_and_idempotent(amount, currency):
    money = Money(amount, currency)
    rounded = money.rounded()
    half_unit = Decimal(1).scaleb(-money.exponent) / 2
    assert abs(rounded.amount - amount) <= half_unit
    assert rounded.rounded() == rounded
    assert Money.from_minor(rounded.to_minor(), currency) == rounded


@given(AMOUNTS.filter(lambda a: a != a.quantize(Decimal("0.01"))))
def test_unrounded_money_is_never_silently_charged(amount):
    with pytest.raises(MoneyError, match="round first"):
        Money(amount, "USD").to_minor()


@given(
    st.integers(min_value=0, max_value=10**9),
    CURRENCIES,
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=20).filter(
        lambda weights: sum(weights) > 0
    ),
)
def test_allocation_adds_up_exactly_and_is_fair(units, currency, weights):
    total = Money.from_minor(units, currency)
    parts = total.allocate(weights)

    assert sum(part.to_minor() for part in parts) == units
    for part, weight in zip(parts, weights, strict=True):
        exact_share = Decimal(units) * weight / sum(weights)
        assert abs(part.to_minor() - exact_share) < 1


def test_arithmetic_keeps_the_currency():
    price = Money.of("19.99", "USD")
    assert price * 3 == Money.of("59.97", "USD")
    assert price + price - price == price
    assert -price < Money.zero("USD")


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money.of(19.99, "USD"),
        lambda: Money(19.99, "USD"),
        lambda: Money.of("NaN", "USD"),
        lambda: Money.of("Infinity", "USD"),
        lambda: Money.of("12,50", "EUR"),
        lambda: Money.of("10", "XXX1"),
        lambda: Money.of("10", "usd dollars"),
        lambda: Money.from_minor(10.5, "USD"),
        lambda: Money.of("1", "USD") * 1.1,
        lambda: Money.of("1", "USD").allocate([]),
        lambda: Money.of("1", "USD").allocate([0, 0]),
    ],
)
def test_bad_money_is_refused(make):
    with pytest.raises(MoneyError):
        make()


def test_currencies_never_mix():
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "USD") + Money.of("1", "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "USD") < Money.of("1", "EUR")


def test_formatting_follows_the_locale():
    assert Money.of("1234.5", "USD").format("en_US") == "$1,234.50"
    assert Money.of("1234.5", "EUR").format("de_DE") == "1.234,50\xa0€"


@given(
    AMOUNTS,
    st.sampled_from(["USD", "EUR", "JPY", "BHD", "CHF", "INR", "ILS", "XXX", "XAU"]),
    st.sampled_from(
        ["en_US", "de_DE", "fr_CH", "hi_IN", "ar_EG", "ja_JP", "nl_NL", "he_IL", "fa_IR", "sw"]
    ),
)
def test_formatting_is_babels_format_currency(amount, currency, locale):
    """Money.format keeps Babel's pattern per locale and currency; the text is Babel's."""
    money = Money(amount, currency)
    assert money.format(locale) == format_currency(amount, currency, locale=locale)


def test_formatting_is_babels_in_every_locale():
    """core/currency_format.py compiles Babel's pattern per locale: same text everywhere."""
    amounts = [Decimal(a) for a in ("0", "-0", "1234567.895", "-42.5", "0.004", "1E+3")]
    differ = [
        (locale, currency, amount)
        for locale in locale_identifiers()
        for currency in ("USD", "EUR", "JPY", "BHD", "CHF", "XXX")
        for amount in amounts
        if Money(amount, currency).format(locale)
        != format_currency(amount, currency, locale=locale)
    ]
    assert differ == []

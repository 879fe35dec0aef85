"""Babel's standard currency format for one locale and currency, compiled once.

`babel.numbers.format_currency` looks up the locale, its pattern, its symbols and the
currency's symbol and name on every call, which is most of its time; the checkout page
formats every amount it shows on every view (bench/checkout.py). `currency_formatter`
does those lookups once and keeps what they found. The text is Babel's, character for
character: tests/core/test_money.py compares the two in every locale Babel knows. A
pattern this does not handle (scientific, significant digits, scaled, the currency's
name, a symbol that is itself "¤") is left to Babel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, partial

from babel import Locale
from babel.numbers import (
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

_QUOTED = re.compile(r"'([^']*)'")  # literal text in a CLDR pattern, as Babel unquotes it


@dataclass(frozen=True, slots=True)
class _Compiled:
    """What NumberPattern.apply computes from the locale and currency, kept."""

    digits: int
    quantum: Decimal
    min_int: int
    grouping: tuple[int, int]
    group: str
    decimal: str
    prefix: tuple[str, str]
    suffix: tuple[str, str]

    def __call__(self, amount: Decimal) -> str:
        # The steps of babel.numbers.NumberPattern.apply and _quantize_value, in order.
        negative = int(amount.is_signed())
        rounded = abs(amount).normalize().quantize(self.quantum)
        whole, _, fraction = f"{rounded:f}".partition(".")
        whole = whole.rjust(self.min_int, "0")
        size, grouped = self.grouping[0], ""
        while len(whole) > size:
            grouped = self.group + whole[-size:] + grouped
            whole = whole[:-size]
            size = self.grouping[1]
        number = whole + grouped
        if self.digits:
            number += self.decimal + fraction.ljust(self.digits, "0")
        text = self.prefix[negative] + number + self.suffix[negative]
        return _QUOTED.sub(lambda m: m.group(1) or "'", text) if "'" in text else text


@lru_cache(maxsize=256)
def currency_formatter(locale: str, currency: str) -> Callable[[Decimal], str]:
    """format_currency(amount, currency, locale=locale) as a function of the amount.

    :raises babel.UnknownLocaleError: for a locale Babel does not know.
    """
    parsed = Locale.parse(locale)
    pattern = parsed.currency_formats["standard"]
    symbol = get_currency_symbol(currency, parsed)
    if (
        pattern.scale
        or pattern.exp_prec
        or "@" in pattern.pattern
        or not pattern.number_pattern
        or "¤¤¤" in pattern.pattern
        or "¤" in symbol
    ):
        return partial(pattern.apply, locale=parsed, currency=currency)

    def written(affix: str) -> str:
        return affix.replace("¤¤", currency).replace("¤", symbol)

    digits = get_currency_precision(currency)
    return _Compiled(
        digits=digits,
        quantum=Decimal(10) ** -digits,
        min_int=pattern.int_prec[0],
        grouping=pattern.grouping,
        group=get_group_symbol(parsed, numbering_system="latn"),
        decimal=get_decimal_symbol(parsed, numbering_system="latn"),
        prefix=(written(pattern.prefix[0]), written(pattern.prefix[1])),
        suffix=(written(pattern.suffix[0]), written(pattern.suffix[1])),
    )

"""Who a shop is, as its platform says: the name and the locale shoppers see.

Read after install so money on the checkout is written the way the shop writes it
(Babel needs a locale id such as "de_DE"; platforms hand over a language and a country).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from core.models import Platform

FALLBACK_LOCALE = "en_US"


@dataclass(frozen=True)
class ShopProfile:
    name: str
    locale: str  # a Babel locale id, e.g. "en_US", "de_DE", "de"


def babel_locale(language: str, country: str = "") -> str:
    """The most specific locale Babel knows for a platform's language ("de", "pt-BR", "en-us")
    and the shop's country ("DE"), else the fallback."""
    language = language.strip().replace("-", "_")
    region = country.strip().upper()
    candidates = []
    if "_" in language:
        candidates.append(language)
    base = language.split("_", 1)[0].lower()
    if base and region:
        candidates.append(f"{base}_{region}")
    if base:
        candidates.append(base)
    for candidate in candidates:
        try:
            return str(Locale.parse(candidate))
        except (UnknownLocaleError, ValueError):
            continue
    return FALLBACK_LOCALE


def read_profile(platform: Platform, shop_id: int) -> ShopProfile:
    """Ask the shop's platform.

    :raises RetriableError: the platform did not answer (the install job retries).
    """
    if platform is Platform.SHOPIFY:
        from platforms.shopify.profile import read_profile as read_shopify

        return read_shopify(shop_id)
    from platforms.bigcommerce.profile import read_profile as read_bigcommerce

    return read_bigcommerce(shop_id)

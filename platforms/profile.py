"""Who a shop is, as its platform says: the name, the locale shoppers see and the
timezone its days are counted in.

Read after install (and again with each daily webhook check) so money on the checkout
is written the way the shop writes it (Babel needs a locale id such as "de_DE";
platforms hand over a language and a country) and the admin's days are the shop's own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from core.models import Platform
from core.shop_calendar import known_timezone

FALLBACK_LOCALE = "en_US"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShopProfile:
    name: str
    locale: str  # a Babel locale id, e.g. "en_US", "de_DE", "de"
    timezone: str  # an IANA key the tz database knows, e.g. "America/New_York"; else "UTC"


def shop_timezone(reported: object) -> str:
    """The platform's timezone name if the tz database knows it, else UTC (logged, since
    the shop's days then differ from what the merchant sees in the platform)."""
    name = reported if isinstance(reported, str) else ""
    known = known_timezone(name)
    if known != name.strip():
        log.warning("shop timezone %r is not a known IANA timezone; using %s", reported, known)
    return known


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

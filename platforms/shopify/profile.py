"""The shop's name, primary locale and timezone through the GraphQL Admin API.

https://shopify.dev/docs/api/admin-graphql/latest/queries/shopLocales (needs read_locales):
the locale flagged `primary` is the shop's default language; the shop's billing country
(https://shopify.dev/docs/api/admin-graphql/latest/objects/Shop#field-billingAddress)
gives its region. `Shop.ianaTimezone` (String!, "the shop's time zone as defined by the
IANA", https://shopify.dev/docs/api/admin-graphql/latest/objects/Shop#field-ianaTimezone)
is the clock the merchant's days follow.
"""

from __future__ import annotations

from platforms.profile import FALLBACK_LOCALE, ShopProfile, babel_locale, shop_timezone
from platforms.shopify import client
from platforms.shopify.admin import graphql

_QUERY = """
query ShopProfile {
  shop { name ianaTimezone billingAddress { countryCodeV2 } }
  shopLocales { locale primary }
}
"""


def read_profile(shop_id: int) -> ShopProfile:
    data = client.call(shop_id, lambda: graphql(_QUERY))
    primary = next((entry["locale"] for entry in data["shopLocales"] if entry["primary"]), "")
    country = data["shop"]["billingAddress"].get("countryCodeV2") or ""
    return ShopProfile(
        name=data["shop"]["name"],
        locale=babel_locale(primary, country) if primary else FALLBACK_LOCALE,
        timezone=shop_timezone(data["shop"].get("ianaTimezone")),
    )

"""The shop's name and primary locale through the GraphQL Admin API.

https://shopify.dev/docs/api/admin-graphql/latest/queries/shopLocales (needs read_locales):
the locale flagged `primary` is the shop's default language; the shop's billing country
(https://shopify.dev/docs/api/admin-graphql/latest/objects/Shop#field-billingAddress)
gives its region.
"""

from __future__ import annotations

from platforms.profile import FALLBACK_LOCALE, ShopProfile, babel_locale
from platforms.shopify import client
from platforms.shopify.admin import graphql

_QUERY = """
query ShopProfile {
  shop { name billingAddress { countryCodeV2 } }
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
    )

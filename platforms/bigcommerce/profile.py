"""The store's name, country, shopper language and timezone.

GET /v2/store (name, country_code, and `timezone.name`, "a string identifying the time
zone, in the format Continent/City") and GET /v3/settings/store/locale
(default_shopper_language), both under the Information & Settings scope:
https://developer.bigcommerce.com/docs/rest-management/store-information and
https://developer.bigcommerce.com/docs/rest-management/settings/store-locale
(GET /v2/time answers only the current Unix time, no timezone.)
"""

from __future__ import annotations

from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection
from platforms.profile import ShopProfile, babel_locale, shop_timezone


def read_profile(shop_id: int) -> ShopProfile:
    store = request(lambda: store_connection(shop_id, "v2").get("store")) or {}
    settings = request(lambda: store_connection(shop_id).get("settings/store/locale")) or {}
    language = str((settings.get("data") or {}).get("default_shopper_language") or "en")
    timezone = store.get("timezone")
    return ShopProfile(
        name=str(store.get("name") or ""),
        locale=babel_locale(language, str(store.get("country_code") or "")),
        timezone=shop_timezone(timezone.get("name") if isinstance(timezone, dict) else None),
    )

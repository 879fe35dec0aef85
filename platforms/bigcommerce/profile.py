"""The store's name, country and shopper language.

GET /v2/store (name, country_code) and GET /v3/settings/store/locale
(default_shopper_language), both under the Information & Settings scope:
https://developer.bigcommerce.com/docs/rest-management/store-information and
https://developer.bigcommerce.com/docs/rest-management/settings/store-locale
"""

from __future__ import annotations

from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection
from platforms.profile import ShopProfile, babel_locale


def read_profile(shop_id: int) -> ShopProfile:
    store = request(lambda: store_connection(shop_id, "v2").get("store")) or {}
    settings = request(lambda: store_connection(shop_id).get("settings/store/locale")) or {}
    language = str((settings.get("data") or {}).get("default_shopper_language") or "en")
    return ShopProfile(
        name=str(store.get("name") or ""),
        locale=babel_locale(language, str(store.get("country_code") or "")),
    )

"""The shop's locale and timezone come from its platform at install (and again with the
daily check); the checkout's money follows the locale, the admin's days the timezone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from checkout import page_model
from checkout.preview import sample_checkout
from checkout.theme import Theme
from core.models import Platform, Shop
from core.services import services_of
from platforms.profile import FALLBACK_LOCALE, babel_locale
from tests.support.cartpath import OTHER_SHOP, OTHER_STORE, SHOP, STORE
from webhooks.subscriptions import check_all_shops


@pytest.mark.parametrize(
    ("language", "country", "expected"),
    [
        ("en", "US", "en_US"),
        ("de", "DE", "de_DE"),
        ("en-us", "", "en_US"),  # BigCommerce writes "en-us"
        ("pt-BR", "PT", "pt_BR"),  # a language with its own region keeps it
        ("de", "XX", "de"),  # an unknown region: the language alone
        ("fr", "", "fr"),
        ("xx", "US", FALLBACK_LOCALE),  # nothing Babel knows
        ("", "", FALLBACK_LOCALE),
    ],
)
def test_babel_locale_from_platform_language_and_country(language, country, expected):
    assert babel_locale(language, country) == expected


def _profiles(cartpath) -> dict[tuple[Platform, str], tuple[str, str, str | None]]:
    with services_of(cartpath.app).database.session() as session:
        return {
            (shop.platform, shop.domain): (shop.locale, shop.name, shop.timezone)
            for shop in session.scalars(select(Shop))
        }


def test_install_remembers_each_shops_locale_and_timezone_from_its_platform(cartpath):
    for shop in (SHOP, OTHER_SHOP):
        cartpath.install_shopify(shop)
    for store in (STORE, OTHER_STORE):
        cartpath.install_bigcommerce(store)

    assert _profiles(cartpath) == {
        (Platform.SHOPIFY, SHOP): ("en_US", "Demo Shop", "America/New_York"),
        (Platform.SHOPIFY, OTHER_SHOP): ("de_DE", "Other Shop", "Europe/Berlin"),
        (Platform.BIGCOMMERCE, STORE): ("en_US", "Cartpath Demo Store", "America/Chicago"),
        (Platform.BIGCOMMERCE, OTHER_STORE): ("de_DE", "Other Kaffee GmbH", "Europe/Berlin"),
    }


def _set_platform_timezone(cartpath, platform: Platform, timezone: str) -> None:
    """As the merchant would in the shop's settings on the platform."""
    if platform is Platform.SHOPIFY:
        cartpath.sandbox.call("POST", f"/shopify/shops/{SHOP}", {"timezone": timezone})
    else:
        cartpath.sandbox.call(
            "POST", f"/bigcommerce/stores/{STORE}/timezone", {"timezone": timezone}
        )


def _install(cartpath, platform: Platform) -> int:
    return (
        cartpath.install_shopify()
        if platform is Platform.SHOPIFY
        else cartpath.install_bigcommerce()
    )


@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE])
def test_a_timezone_the_tz_database_does_not_know_gives_the_shop_utc_days(cartpath, platform):
    _set_platform_timezone(cartpath, platform, "Mars/Olympus_Mons")

    shop_id = _install(cartpath, platform)

    with services_of(cartpath.app).database.session() as session:
        shop = session.get(Shop, shop_id)
        assert (shop.timezone, shop.calendar.name) == ("UTC", "UTC")


@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE])
def test_a_timezone_changed_on_the_platform_is_read_again_by_the_daily_check(cartpath, platform):
    shop_id = _install(cartpath, platform)
    _set_platform_timezone(cartpath, platform, "Asia/Tokyo")

    assert check_all_shops(services_of(cartpath.app)) == 1
    cartpath.wait_for_jobs()

    with services_of(cartpath.app).database.session() as session:
        assert session.get(Shop, shop_id).timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("locale", "currency", "total", "subtotal"),
    [("de_DE", "EUR", "97,20\xa0€", "84,00\xa0€"), ("en_US", "USD", "$97.20", "$84.00")],
)
def test_checkout_money_is_written_the_shops_way(locale, currency, total, subtotal):
    shop = Shop(id=1, platform=Platform.BIGCOMMERCE, domain="x", locale=locale)
    model = page_model.build(sample_checkout(1, currency), shop, theme=Theme.default())
    assert model["totals"]["total"] == total
    assert model["totals"]["subtotal"] == subtotal

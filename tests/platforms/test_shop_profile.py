"""The shop's locale comes from its platform at install, and the checkout's money follows it."""

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


def test_install_remembers_each_shops_locale_from_its_platform(cartpath):
    for shop in (SHOP, OTHER_SHOP):
        cartpath.install_shopify(shop)
    for store in (STORE, OTHER_STORE):
        cartpath.install_bigcommerce(store)
    with services_of(cartpath.app).database.session() as session:
        locales = {
            (shop.platform, shop.domain): (shop.locale, shop.name)
            for shop in session.scalars(select(Shop))
        }
    assert locales == {
        (Platform.SHOPIFY, SHOP): ("en_US", "Demo Shop"),
        (Platform.SHOPIFY, OTHER_SHOP): ("de_DE", "Other Shop"),
        (Platform.BIGCOMMERCE, STORE): ("en_US", "Cartpath Demo Store"),
        (Platform.BIGCOMMERCE, OTHER_STORE): ("de_DE", "Other Kaffee GmbH"),
    }


@pytest.mark.parametrize(
    ("locale", "currency", "total", "subtotal"),
    [("de_DE", "EUR", "97,20\xa0€", "84,00\xa0€"), ("en_US", "USD", "$97.20", "$84.00")],
)
def test_checkout_money_is_written_the_shops_way(locale, currency, total, subtotal):
    shop = Shop(id=1, platform=Platform.BIGCOMMERCE, domain="x", locale=locale)
    model = page_model.build(sample_checkout(1, currency), shop, theme=Theme.default())
    assert model["totals"]["total"] == total
    assert model["totals"]["subtotal"] == subtotal

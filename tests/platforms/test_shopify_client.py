"""Calling Shopify as an installed shop: tokens refreshed before expiry, on 401, once at a time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from core.db import utcnow
from core.models import Shop
from core.services import services_of
from platforms.shopify import client
from platforms.shopify.admin import graphql
from tests.support.cartpath import OTHER_SHOP, SHOP, LiveCartpath


def _stored_tokens(cartpath: LiveCartpath, shop_id: int) -> tuple[str, str]:
    svc = services_of(cartpath.app)
    with svc.database.session() as session:
        shop = session.get(Shop, shop_id)
        return shop.access_token(svc.cipher), shop.refresh_token(svc.cipher)


def _expire_locally(cartpath: LiveCartpath, shop_id: int) -> None:
    with services_of(cartpath.app).database.session() as session:
        session.get(Shop, shop_id).access_token_expires_at = utcnow() + timedelta(minutes=1)
        session.commit()


def _shop_name() -> str:
    return graphql("{ shop { myshopifyDomain } }")["shop"]["myshopifyDomain"]


def test_a_token_about_to_expire_is_refreshed_first(cartpath):
    shop_id = cartpath.install_shopify()
    old_access, old_refresh = _stored_tokens(cartpath, shop_id)
    _expire_locally(cartpath, shop_id)

    with cartpath.app.app_context():
        assert client.call(shop_id, _shop_name) == SHOP

    new_access, new_refresh = _stored_tokens(cartpath, shop_id)
    assert new_access != old_access
    assert new_refresh != old_refresh, "the refresh token rotates on use"


def test_a_401_refreshes_and_retries_once(cartpath):
    shop_id = cartpath.install_shopify()
    old_access, _ = _stored_tokens(cartpath, shop_id)
    # Shopify expires the token (its clock moved past the hour) though ours says it is fresh.
    cartpath.sandbox.clock(advance=3700)

    with cartpath.app.app_context():
        assert client.call(shop_id, _shop_name) == SHOP

    assert _stored_tokens(cartpath, shop_id)[0] != old_access


def test_concurrent_refreshes_happen_once(cartpath):
    shop_id = cartpath.install_shopify()
    _expire_locally(cartpath, shop_id)
    start = threading.Barrier(8)

    def token() -> str:
        start.wait()
        with cartpath.app.app_context():
            return client.live_credentials(shop_id)[1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(lambda _: token(), range(8)))

    assert len(set(tokens)) == 1, "one refresh; everyone else used its result"
    assert tokens[0] == _stored_tokens(cartpath, shop_id)[0]
    with cartpath.app.app_context():
        assert client.call(shop_id, _shop_name) == SHOP


def test_many_threads_two_shops_through_the_stored_credentials(cartpath):
    shops = {SHOP: cartpath.install_shopify(SHOP), OTHER_SHOP: cartpath.install_shopify(OTHER_SHOP)}

    def ask(domain: str) -> tuple[str, str]:
        with cartpath.app.app_context():
            return domain, client.call(shops[domain], _shop_name)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(ask, [SHOP, OTHER_SHOP] * 30))

    assert all(asked == answered for asked, answered in answers)


def test_an_uninstalled_shop_is_never_called(cartpath):
    shop_id = cartpath.install_shopify()
    with services_of(cartpath.app).database.session() as session:
        session.get(Shop, shop_id).uninstalled_at = utcnow()
        session.commit()
    with cartpath.app.app_context(), pytest.raises(client.ShopNotInstalledError):
        client.call(shop_id, _shop_name)

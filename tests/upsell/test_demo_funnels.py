"""`make demo` comes with a funnel per demo shop: after a demo checkout the shopper sees
the upsell, and on declining it the downsell; seeding again (a restarted demo) adds none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.demo import funnel_demo_shops
from core.models import Platform
from core.services import services_of
from tests.checkout.test_paying import bigcommerce_checkout, ready_checkout
from tests.upsell.test_hosted import _paid_to_offer, _post_offer
from upsell.models import Funnel, FunnelStatus


@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_a_demo_checkout_is_offered_the_upsell_then_the_downsell(shop, platform):
    funnel_demo_shops(shop.app, shop.sandbox.url)
    funnel_demo_shops(shop.app, shop.sandbox.url)
    with services_of(shop.app).database.session() as session:
        funnels = session.scalars(select(Funnel)).all()
    assert sorted(f.shop_id for f in funnels) == sorted(
        {
            shop.shop_id(Platform.SHOPIFY, "demo-shop.myshopify.com"),
            shop.shop_id(Platform.BIGCOMMERCE, "demo1abc"),
        }
    ), "one funnel per demo shop, seeded once"
    assert {f.status for f in funnels} == {FunnelStatus.ACTIVE}
    if platform is Platform.SHOPIFY:
        browser, url = ready_checkout(shop)
    else:
        browser, url, *_ = bigcommerce_checkout(shop)

    upsell = _paid_to_offer(shop, browser, url)
    page = browser.get(f"{url}/offers/{upsell}", timeout=15)
    declined = _post_offer(browser, url, upsell, "decline")
    downsell = browser.get(shop.url + declined.headers["Location"], timeout=15)

    assert "Add a water bottle for the road?" in page.text
    assert "20% off" in page.text
    assert "A pair of merino socks instead?" in downsell.text

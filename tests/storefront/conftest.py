"""Both sandbox shops installed in hosted mode with the hand-off switch on, and the steps a
shopper takes on either storefront."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from checkout.models import Checkout
from checkout.storefront import set_handoff
from core.models import Platform, Shop
from core.services import services_of
from tests.support.cartpath import SHOP, STORE, LiveCartpath, live_cartpath

DOMAINS = {Platform.SHOPIFY: SHOP, Platform.BIGCOMMERCE: STORE}


@pytest.fixture
def storefronts(make_config, sandbox) -> Iterator[LiveCartpath]:
    with live_cartpath(make_config(), sandbox, shopify_distribution="custom") as live:
        live.install_shopify()
        live.install_bigcommerce()
        for platform in Platform:
            switch(live, platform, "on")
        yield live


def switch(live: LiveCartpath, platform: Platform, value: str) -> None:
    """The owner flips the shop's hand-off switch (the admin route is tested on its own)."""
    with live.app.app_context(), services_of(live.app).database.session() as session:
        shop = session.scalar(
            select(Shop).where(Shop.platform == platform, Shop.domain == DOMAINS[platform])
        )
        set_handoff(session, shop, value, actor="test:owner")
        session.commit()
    live.wait_for_jobs()


def storefront_url(live: LiveCartpath, platform: Platform) -> str:
    if platform is Platform.SHOPIFY:
        return f"{live.sandbox.url}/shopify/{SHOP}/"
    return f"{live.sandbox.url}/bigcommerce/stores/{STORE}/storefront/"


CHECKOUT_BUTTON = {Platform.SHOPIFY: "#checkout", Platform.BIGCOMMERCE: "#checkout-button"}
ADD_BUTTON = {
    Platform.SHOPIFY: "#product-form button[name=add]",
    Platform.BIGCOMMERCE: "#add-to-cart button",
}
NATIVE_CHECKOUT = {
    Platform.SHOPIFY: f"**/shopify/{SHOP}/checkout",
    Platform.BIGCOMMERCE: f"**/bigcommerce/stores/{STORE}/storefront/checkout",
}


def fill_cart(page, live: LiveCartpath, platform: Platform, landing_query: str = "") -> None:
    """Arrive on the shop (with `landing_query`), add two products, and open the cart."""
    home = storefront_url(live, platform)
    page.goto(home + landing_query)
    links = page.eval_on_selector_all(
        "a[href*='/products/']", "links => [...new Set(links.map(l => l.href))]"
    )
    for link in links[:2]:
        page.goto(link)
        page.click(ADD_BUTTON[platform])
        page.wait_for_load_state()
    page.goto(home + ("cart" if platform is Platform.SHOPIFY else "cart.php"))


def platform_cart_variants(page, platform: Platform) -> dict[str, int]:
    """What the platform's own cart holds, read as the shop's theme would."""
    if platform is Platform.SHOPIFY:
        cart = page.evaluate("fetch(Shopify.routes.root + 'cart.js').then(r => r.json())")
        return {str(i["variant_id"]): i["quantity"] for i in cart["items"]}
    carts = page.evaluate(
        "fetch(location.pathname.replace(/cart\\.php$/, '') + 'api/storefront/carts')"
        ".then(r => r.json())"
    )
    items = carts[0]["lineItems"]["physicalItems"]
    return {str(i["variantId"]): i["quantity"] for i in items}


def latest_checkout(live: LiveCartpath) -> Checkout | None:
    with services_of(live.app).database.session() as session:
        return session.scalar(select(Checkout).order_by(Checkout.id.desc()).limit(1))

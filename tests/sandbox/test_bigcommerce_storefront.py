"""The storefront: pages, session cart, Storefront Cart API, native checkout, injected scripts."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.bigcommerce import (
    ADDRESS,
    DEMO_STORE,
    connection,
    install,
    register_app,
    v2_api,
)


@pytest.fixture
def shop(sandbox):
    return f"{sandbox.url}/bigcommerce/stores/{DEMO_STORE}/storefront"


def _add(session: requests.Session, shop: str, product_id: int, variant_id: int, qty: int = 1):
    return session.post(
        f"{shop}/cart.php",
        data={"product_id": product_id, "variant_id": variant_id, "qty": qty},
        timeout=5,
    )


def test_pages_and_the_no_js_cart(shop):
    home = requests.get(f"{shop}/", timeout=5)
    assert home.status_code == 200
    assert "Trail Runner Shoe" in home.text
    product = requests.get(f"{shop}/products/trail-runner-shoe/", timeout=5)
    assert 'id="add-to-cart"' in product.text
    assert 'value="11101"' in product.text
    session = requests.Session()

    cart = _add(session, shop, 111, 11101, 2)

    assert cart.url.endswith("/storefront/cart.php")
    assert "TRS-42" in cart.text
    assert "$178.00" in cart.text
    assert re.search(r'<a [^>]*id="checkout-button"[^>]*href="[^"]+/checkout"', cart.text)
    assert "Your cart is empty" in requests.get(f"{shop}/cart.php", timeout=5).text


def test_storefront_cart_api(shop):
    session = requests.Session()
    assert session.get(f"{shop}/api/storefront/carts", timeout=5).json() == []

    created = session.post(
        f"{shop}/api/storefront/carts",
        json={"lineItems": [{"productId": 113, "variantId": 11302, "quantity": 1}]},
        timeout=5,
    ).json()
    added = session.post(
        f"{shop}/api/storefront/carts/{created['id']}/items",
        json={"lineItems": [{"productId": 112, "quantity": 2}]},
        timeout=5,
    ).json()

    assert created["lineItems"]["physicalItems"][0]["sku"] == "WB-1L"
    assert added["cartAmount"] == 53.99
    assert [c["id"] for c in session.get(f"{shop}/api/storefront/carts", timeout=5).json()] == [
        created["id"]
    ]
    assert requests.get(f"{shop}/api/storefront/carts", timeout=5).json() == [], (
        "carts are per session"
    )
    too_many = session.post(
        f"{shop}/api/storefront/carts/{created['id']}/items",
        json={"lineItems": [{"productId": 113, "variantId": 11302, "quantity": 99}]},
        timeout=5,
    )
    assert too_many.status_code == 422
    assert too_many.json()["status"] == 422


def test_redirect_url_loads_the_cart_once(sandbox, shop):
    v3 = connection(sandbox, install(sandbox)["access_token"])
    cart = v3.post(
        "carts?include=redirect_urls", {"line_items": [{"product_id": 112, "quantity": 1}]}
    )["data"]
    session = requests.Session()

    checkout = session.get(cart["redirect_urls"]["checkout_url"], timeout=5)

    assert checkout.url == f"{shop}/checkout"
    assert 'id="address-form"' in checkout.text
    assert session.get(f"{shop}/api/storefront/carts", timeout=5).json()[0]["id"] == cart["id"]
    reused = requests.get(cart["redirect_urls"]["checkout_url"], timeout=5)
    assert reused.status_code == 404


def test_native_checkout_places_an_order(sandbox, shop):
    session = requests.Session()
    _add(session, shop, 115, 11502, 1)
    address = {k: v for k, v in ADDRESS.items() if k != "state_or_province"}

    priced = session.post(f"{shop}/checkout", data=address, timeout=5)
    options = re.findall(r'name="shipping_option_id" value="([0-9a-f]+)"', priced.text)
    assert len(options) == 3, "flat, per item, free over $100"
    assert "$10.80" in priced.text, "7.25% of 149.00"
    placed = session.post(
        f"{shop}/checkout/place", data={"shipping_option_id": options[2]}, timeout=5
    )

    order_id = int(re.search(r'id="order-id">(\d+)<', placed.text).group(1))
    order = v2_api(sandbox, install(sandbox)["access_token"]).Orders.get(order_id)
    assert (order.status_id, order.total_inc_tax) == (11, "159.8000")
    assert order.order_source == "www"
    state = sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]
    assert state["products"]["115"]["variants"]["11502"] == 7
    assert state["carts"] == []


def test_installed_scripts_are_injected_where_the_platform_puts_them(sandbox, shop):
    app = register_app(
        sandbox, "https://app.example", scopes=["store_v2_content", "store_content_checkout"]
    )
    v3 = connection(
        sandbox,
        install(sandbox, client_id=app["client_id"], secret=app["client_secret"])["access_token"],
    )
    v3.post(
        "content/scripts",
        {
            "name": "head",
            "kind": "src",
            "src": "https://app.example/head.js",
            "location": "head",
            "load_method": "async",
        },
    )
    v3.post(
        "content/scripts",
        {
            "name": "everywhere",
            "kind": "script_tag",
            "html": "<script>window.cp=1</script>",
            "location": "footer",
            "visibility": "all_pages",
        },
    )
    v3.post(
        "content/scripts",
        {
            "name": "checkout only",
            "kind": "src",
            "src": "https://app.example/co.js",
            "visibility": "checkout",
        },
    )

    home = requests.get(f"{shop}/", timeout=5).text
    head, body = home.split("</head>")
    assert '<script src="https://app.example/head.js" async></script>' in head
    assert body.index("<script>window.cp=1</script>") < body.index("</body>")
    assert "co.js" not in home
    session = requests.Session()
    _add(session, shop, 112, 11201)
    checkout = session.get(f"{shop}/checkout", timeout=5).text
    assert "co.js" in checkout
    assert "window.cp=1" in checkout
    assert "head.js" not in checkout

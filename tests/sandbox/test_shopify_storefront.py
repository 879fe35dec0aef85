"""The sandbox Online Store: pages, AJAX cart, script-tag injection, native checkout."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.shopify import ShopifySandbox


@pytest.fixture
def shop(sandbox) -> ShopifySandbox:
    return ShopifySandbox(sandbox.url)


@pytest.fixture
def browser() -> requests.Session:
    return requests.Session()


def variant_id(shop: ShopifySandbox, sku: str) -> int:
    token = shop.token()
    answer = shop.gql(
        token, f'{{ productVariants(first: 1, query: "sku:{sku}") {{ nodes {{ id }} }} }}'
    )
    return int(answer["data"]["productVariants"]["nodes"][0]["id"].rsplit("/", 1)[1])


def test_product_list_and_page_link_to_images(shop, browser):
    home = browser.get(shop.shop_url() + "/", timeout=5)
    assert home.status_code == 200
    assert "Trail Runner Shoe" in home.text
    product = browser.get(shop.shop_url() + "/products/trail-runner-shoe", timeout=5)
    assert 'action="/shopify/demo-shop.myshopify.com/cart/add"' in product.text
    assert "44 – 89.00 USD (sold out)" in product.text


def test_ajax_cart_add_change_clear(shop, browser):
    shoe, socks = variant_id(shop, "TRS-42"), variant_id(shop, "MS-1")
    base = shop.shop_url()

    line = browser.post(f"{base}/cart/add.js", json={"id": shoe, "quantity": 1}, timeout=5).json()
    browser.post(f"{base}/cart/add.js", json={"items": [{"id": socks, "quantity": 2}]}, timeout=5)
    cart = browser.get(f"{base}/cart.js", timeout=5).json()

    assert line["price"] == 8900
    assert line["line_price"] == 8900
    assert line["sku"] == "TRS-42"
    assert cart["currency"] == "USD"
    assert cart["total_price"] == 8900 + 2 * 1450
    assert [i["variant_id"] for i in cart["items"]] == [shoe, socks]
    assert cart["token"] == browser.cookies["cart"]

    changed = browser.post(
        f"{base}/cart/change.js", json={"id": cart["items"][1]["key"], "quantity": 0}, timeout=5
    ).json()
    assert [i["variant_id"] for i in changed["items"]] == [shoe]
    cleared = browser.post(f"{base}/cart/clear.js", timeout=5).json()
    assert cleared["items"] == []
    assert cleared["total_price"] == 0


def test_cart_errors_like_shopify(shop, browser):
    base = shop.shop_url()
    unknown = browser.post(f"{base}/cart/add.js", json={"id": 1, "quantity": 1}, timeout=5)
    sold_out = browser.post(
        f"{base}/cart/add.js", json={"id": variant_id(shop, "TRS-44"), "quantity": 1}, timeout=5
    )
    assert unknown.status_code == 404
    assert unknown.json() == {
        "status": 404,
        "message": "Cart Error",
        "description": "Cannot find variant",
    }
    assert sold_out.status_code == 422
    assert "You can't add more Trail Runner Shoe - 44" in sold_out.json()["description"]


def test_carts_are_per_shop_and_per_cookie(shop, browser):
    browser.post(f"{shop.shop_url()}/cart/add.js", json={"id": variant_id(shop, "MS-1")}, timeout=5)
    other = requests.get(f"{shop.shop_url()}/cart.js", timeout=5).json()
    assert other["items"] == []
    assert browser.get(f"{shop.shop_url()}/cart.js", timeout=5).json()["item_count"] == 1


def test_script_tags_and_app_embeds_are_injected(shop, browser):
    token = shop.token()
    requests.post(
        f"{shop.admin_url()}/script_tags.json",
        json={"script_tag": {"event": "onload", "src": "https://app.example/cartpath.js"}},
        headers={"X-Shopify-Access-Token": token},
        timeout=5,
    ).raise_for_status()
    shop.control(
        "POST",
        "/app-embeds",
        {"shop": "demo-shop.myshopify.com", "scripts": ["https://app.example/embed.js"]},
    )
    for path in ("/", "/products/merino-socks", "/cart"):
        html = browser.get(shop.shop_url() + path, timeout=5).text
        assert 'src="https://app.example/cartpath.js?shop=demo-shop.myshopify.com"' in html
        assert 'src="https://app.example/embed.js"' in html


def test_native_checkout_creates_a_paid_order_and_empties_the_cart(shop, browser, sandbox):
    base = shop.shop_url()
    form_add = browser.post(
        f"{base}/cart/add",
        data={"id": variant_id(shop, "TRS-42"), "quantity": 2},
        allow_redirects=False,
        timeout=5,
    )
    assert form_add.status_code == 302
    assert form_add.headers["Location"].endswith("/cart")
    cart_page = browser.get(f"{base}/cart", timeout=5).text
    assert re.search(
        r'<form method="post" action="/shopify/demo-shop.myshopify.com/checkout"', cart_page
    )

    page = browser.post(f"{base}/checkout", timeout=5)
    assert 'id="checkout-form"' in page.text
    details = {
        "step": "pay",
        "email": "shopper@example.com",
        "name": "Ada",
        "address1": "1 Main St",
        "city": "New York",
        "country_code": "US",
        "province_code": "NY",
        "zip": "10001",
    }
    declined = browser.post(
        f"{base}/checkout", data={**details, "card_number": "4000000000000002"}, timeout=5
    )
    assert declined.status_code == 422
    assert "declined" in declined.text

    paid = browser.post(
        f"{base}/checkout", data={**details, "card_number": "4242 4242 4242 4242"}, timeout=5
    )
    assert paid.status_code == 200
    assert re.search(r'id="order-name">#1001<', paid.text)
    order = sandbox.state()["shopify"]["shops"]["demo-shop.myshopify.com"]["orders"][0]
    # 178.00 + NY 4% (7.12) + free shipping over 100
    assert order["total_price"] == "185.12"
    assert order["financial_status"] == "paid"
    assert order["email"] == "shopper@example.com"
    assert browser.get(f"{base}/cart.js", timeout=5).json()["items"] == []

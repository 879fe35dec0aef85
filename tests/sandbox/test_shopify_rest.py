"""The REST subset through ShopifyAPI's resources: shop, products, orders, webhooks, script tags."""

from __future__ import annotations

import pytest
import requests
import shopify
from pyactiveresource.connection import ClientError, ResourceNotFound, UnauthorizedAccess

from tests.support.shopify import OTHER_SHOP, ShopifySandbox


@pytest.fixture
def shop(sandbox) -> ShopifySandbox:
    return ShopifySandbox(sandbox.url)


@pytest.fixture
def admin(shop):
    """ShopifyAPI pointed at demo-shop with a fresh offline token."""
    with shop.admin_session(shop.token()):
        yield shop


def test_shop_and_products_with_link_pagination(admin):
    assert shopify.Shop.current().currency == "USD"

    page = shopify.Product.find(limit=4)
    titles = [p.title for p in page]
    while page.has_next_page():
        page = page.next_page()
        titles += [p.title for p in page]

    assert len(titles) == 9
    assert len(set(titles)) == 9
    assert shopify.Limits.credit_limit() == 40
    back = page.previous_page()
    assert [p.title for p in back] == titles[4:8]


def test_one_product_and_its_image_is_served(admin):
    first = shopify.Product.find(limit=1)[0]
    product = shopify.Product.find(first.id)
    assert product.variants[0].price == first.variants[0].price
    assert isinstance(product.variants[0].price, str), "money is a decimal string"
    image = requests.get(product.images[0].src, timeout=5)
    assert image.status_code == 200
    assert image.headers["Content-Type"].startswith("image/svg+xml")
    with pytest.raises(ResourceNotFound):
        shopify.Product.find(1)


def test_webhooks_create_list_delete_and_validation(admin):
    hook = shopify.Webhook.create(
        {"topic": "orders/create", "address": "https://app.example/wh", "format": "json"}
    )
    assert hook.id
    duplicate = shopify.Webhook.create(
        {"topic": "orders/create", "address": "https://app.example/wh"}
    )
    assert duplicate.id is None
    assert duplicate.errors.full_messages() == ["address for this topic has already been taken"]
    bad = shopify.Webhook.create({"topic": "orders/eaten", "address": "https://app.example/wh"})
    assert bad.errors.full_messages() == ["topic Invalid topic specified: orders/eaten"]
    assert [w.id for w in shopify.Webhook.find()] == [hook.id]
    hook.destroy()
    assert shopify.Webhook.find() == []


def test_script_tags_create_list_delete(admin):
    tag = shopify.ScriptTag.create({"event": "onload", "src": "https://app.example/cartpath.js"})
    assert tag.id
    assert [t.src for t in shopify.ScriptTag.find()] == ["https://app.example/cartpath.js"]
    tag.destroy()
    assert shopify.ScriptTag.find() == []


def test_orders_read_after_graphql_create(shop):
    token = shop.token()
    variant = shop.gql(token, '{ productVariants(first: 1, query: "sku:MS-1") { nodes { id } } }')
    shop.gql(
        token,
        "mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) { order { id } } }",
        {
            "o": {
                "lineItems": [
                    {
                        "variantId": variant["data"]["productVariants"]["nodes"][0]["id"],
                        "quantity": 3,
                    }
                ],
                "email": "a@example.com",
            }
        },
    )
    with shop.admin_session(token):
        orders = shopify.Order.find(status="any")
        assert len(orders) == 1
        order = shopify.Order.find(orders[0].id)
    assert order.name == "#1001"
    assert order.line_items[0].quantity == 3
    assert order.total_price == "43.50"


def test_bad_token_and_other_shop_are_unauthorized(shop):
    with shop.admin_session("shpat_wrong"), pytest.raises(UnauthorizedAccess):
        shopify.Shop.current()
    token = shop.token()
    with shop.admin_session(token, OTHER_SHOP), pytest.raises(UnauthorizedAccess):
        shopify.Shop.current()


def test_leaky_bucket_answers_429_with_retry_after(admin, sandbox):
    sandbox.clock(scale=1000)  # freeze the leak while filling the bucket
    for _ in range(40):
        shopify.Shop.current()
    assert shopify.Limits.credit_used() == 40
    with pytest.raises(ClientError) as refused:
        shopify.Shop.current()
    assert refused.value.response.code == 429
    assert float(refused.value.response.headers["Retry-After"]) >= 1
    sandbox.clock(scale=1, advance=1)  # 1 s leaks 2 calls
    shopify.Shop.current()
    assert shopify.Limits.credit_used() == 39

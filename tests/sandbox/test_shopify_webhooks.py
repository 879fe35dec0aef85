"""Webhooks from the Shopify sandbox: headers, HMAC, payloads, retries and unsubscription."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask, request

from sandbox.shopify import signing
from tests.support.servers import serve
from tests.support.shopify import DEMO_API_SECRET, ShopifySandbox


@dataclass
class Receiver:
    url: str
    calls: list[dict] = field(default_factory=list)
    status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An app endpoint that records every delivery and answers `status`."""
    app = Flask("receiver")
    box = Receiver("")

    @app.post("/webhooks/shopify")
    def hook():
        with box.lock:
            box.calls.append({"headers": dict(request.headers), "body": request.get_data()})
        return "", box.status

    with serve(app) as served:
        box.url = served.url + "/webhooks/shopify"
        yield box


@pytest.fixture
def shop(sandbox) -> ShopifySandbox:
    return ShopifySandbox(sandbox.url)


def subscribe(shop: ShopifySandbox, token: str, topic: str, uri: str) -> str:
    answer = shop.gql(
        token,
        """mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) {
             webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) {
               webhookSubscription { id } userErrors { message } } }""",
        {"t": topic, "s": {"uri": uri}},
    )
    return answer["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["id"]


def create_order(shop: ShopifySandbox, token: str) -> str:
    variants = shop.gql(token, '{ productVariants(first: 1, query: "sku:MS-1") { nodes { id } } }')
    answer = shop.gql(
        token,
        "mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) { order { id } } }",
        {
            "o": {
                "lineItems": [
                    {
                        "variantId": variants["data"]["productVariants"]["nodes"][0]["id"],
                        "quantity": 1,
                    }
                ],
                "email": "a@example.com",
            }
        },
    )
    return answer["data"]["orderCreate"]["order"]["id"]


def test_published_webhook_hmac_is_base64_of_the_raw_body():
    body = b'{"id":1,"email":"a@example.com"}'
    expected = base64.b64encode(hmac.new(b"hush", body, hashlib.sha256).digest()).decode()
    assert signing.webhook_hmac(body, "hush") == expected


def test_order_create_is_delivered_signed_with_shopify_headers(shop, sandbox, receiver):
    token = shop.token()
    subscribe(shop, token, "ORDERS_CREATE", receiver.url)
    order_id = create_order(shop, token)
    sandbox.wait_for_deliveries()

    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    headers, body = call["headers"], call["body"]
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Shop-Domain"] == "demo-shop.myshopify.com"
    assert headers["X-Shopify-Api-Version"] == "2025-10"
    assert headers["X-Shopify-Webhook-Id"]
    assert headers["X-Shopify-Event-Id"]
    assert headers["X-Shopify-Triggered-At"].endswith("Z")
    digest = hmac.new(DEMO_API_SECRET.encode(), body, hashlib.sha256).digest()
    assert hmac.compare_digest(headers["X-Shopify-Hmac-Sha256"], base64.b64encode(digest).decode())
    payload = json.loads(body)
    assert payload["admin_graphql_api_id"] == order_id
    assert payload["line_items"][0]["sku"] == "MS-1"
    assert payload["total_price"] == "14.50"


def test_fired_events_reach_their_topics(shop, sandbox, receiver):
    token = shop.token()
    for topic in ("ORDERS_PAID", "ORDERS_CANCELLED", "REFUNDS_CREATE", "PRODUCTS_UPDATE"):
        subscribe(shop, token, topic, receiver.url)
    order_id = create_order(shop, token)
    products = shop.gql(token, "{ products(first: 1) { nodes { id } } }")
    product_id = products["data"]["products"]["nodes"][0]["id"]

    for event in (
        {"topic": "orders/paid", "order_id": order_id},
        {"topic": "refunds/create", "order_id": order_id},
        {"topic": "orders/cancelled", "order_id": order_id},
        {"topic": "products/update", "product_id": product_id, "title": "New name"},
    ):
        shop.control("POST", "/events", {"shop": "demo-shop.myshopify.com", **event})
    sandbox.wait_for_deliveries()

    topics = sorted(c["headers"]["X-Shopify-Topic"] for c in receiver.calls)
    assert topics == ["orders/cancelled", "orders/paid", "products/update", "refunds/create"]
    by_topic = {c["headers"]["X-Shopify-Topic"]: json.loads(c["body"]) for c in receiver.calls}
    assert by_topic["orders/paid"]["financial_status"] == "paid"
    assert by_topic["refunds/create"]["transactions"][0]["amount"] == "14.50"
    assert by_topic["orders/cancelled"]["cancelled_at"]
    assert by_topic["products/update"]["title"] == "New name"


def test_merchant_uninstall_sends_app_uninstalled_and_revokes(shop, sandbox, receiver):
    token = shop.token()
    subscribe(shop, token, "APP_UNINSTALLED", receiver.url)
    shop.control(
        "POST",
        "/events",
        {
            "shop": "demo-shop.myshopify.com",
            "topic": "app/uninstalled",
            "client_id": "cartpath-demo-shopify-api-key",
        },
    )
    sandbox.wait_for_deliveries()
    assert [c["headers"]["X-Shopify-Topic"] for c in receiver.calls] == ["app/uninstalled"]
    assert json.loads(receiver.calls[0]["body"])["myshopify_domain"] == "demo-shop.myshopify.com"
    assert shop.graphql(token, "{ shop { name } }").status_code == 401


def test_compliance_topics_go_to_the_compliance_url(shop, sandbox, receiver):
    shop.control(
        "POST",
        "/apps",
        {
            "client_id": "privacy-app",
            "client_secret": "p" * 40,
            "name": "Privacy",
            "redirect_urls": ["https://privacy.example/cb"],
            "compliance_url": receiver.url,
        },
    )
    for topic in ("customers/data_request", "customers/redact", "shop/redact"):
        shop.control(
            "POST",
            "/events",
            {
                "shop": "demo-shop.myshopify.com",
                "topic": topic,
                "client_id": "privacy-app",
                "order_ids": [7],
            },
        )
    sandbox.wait_for_deliveries()
    bodies = {c["headers"]["X-Shopify-Topic"]: json.loads(c["body"]) for c in receiver.calls}
    assert bodies["shop/redact"] == {
        "shop_id": bodies["shop/redact"]["shop_id"],
        "shop_domain": "demo-shop.myshopify.com",
    }
    assert bodies["customers/redact"]["orders_to_redact"] == [7]
    assert bodies["customers/data_request"]["data_request"] == {"id": 1}
    assert bodies["customers/data_request"]["orders_requested"] == [7]
    secret = ("p" * 40).encode()
    for call in receiver.calls:
        digest = base64.b64encode(hmac.new(secret, call["body"], hashlib.sha256).digest()).decode()
        assert call["headers"]["X-Shopify-Hmac-Sha256"] == digest


def test_failing_endpoint_gets_8_tries_over_4_hours_then_is_unsubscribed(shop, sandbox, receiver):
    receiver.status = 500
    token = shop.token()
    subscribe(shop, token, "ORDERS_CREATE", receiver.url)
    sandbox.clock(scale=0.001)  # 4 platform hours in about 15 real seconds
    create_order(shop, token)
    sandbox.wait_for_deliveries(timeout=40)

    delivery = sandbox.deliveries()[0]
    assert delivery["state"] == "failed"
    assert len(delivery["attempts"]) == 8 == len(receiver.calls)
    span = delivery["attempts"][-1]["at"] - delivery["attempts"][0]["at"]
    assert 4 * 3600 * 0.95 <= span <= 4 * 3600 * 1.1
    times = [attempt["at"] for attempt in delivery["attempts"]]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps == sorted(gaps), "exponential: each wait is longer than the one before"
    assert len({c["headers"]["X-Shopify-Webhook-Id"] for c in receiver.calls}) == 1
    listed = shop.gql(token, "{ webhookSubscriptions(first: 5) { nodes { id } } }")
    assert listed["data"]["webhookSubscriptions"]["nodes"] == []

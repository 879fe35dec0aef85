"""Webhook deliveries: payload shape, echoed headers, Standard Webhooks signature, retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from tests.support.bigcommerce import (
    BILLING,
    CLIENT_SECRET,
    DEMO_STORE,
    connection,
    install,
    receiver,
    v2_api,
)

RETRIES = [60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400]


def verify_standard_webhook(secret_b64: str, headers: dict[str, str], body: bytes) -> dict:
    """The Standard Webhooks check (spec/standard-webhooks.md), keyed as BigCommerce's samples say:
    the library is given base64(client_secret) and decodes it back to the HMAC key."""
    key = base64.b64decode(secret_b64)
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [
        s.split(",", 1)[1] for s in headers["Webhook-Signature"].split(" ") if s.startswith("v1,")
    ]
    if not any(hmac.compare_digest(expected, sig) for sig in offered):
        raise ValueError("bad signature")
    return json.loads(body)


@pytest.fixture
def app_hooks(sandbox):
    token = install(sandbox)["access_token"]
    with receiver() as box:
        v3 = connection(sandbox, token)

        def subscribe(scope: str, **extra):
            body = {"scope": scope, "destination": f"{box.url}/webhooks", **extra}
            return v3.post("hooks", body)["data"]

        yield box, subscribe, token


def test_order_created_arrives_signed_in_bigcommerce_shape(sandbox, app_hooks):
    box, subscribe, token = app_hooks
    subscribe("store/order/*", headers={"X-Cartpath-Key": "secret-header"})

    order = v2_api(sandbox, token).Orders.create(
        billing_address=BILLING, products=[{"product_id": 112, "quantity": 1}]
    )

    delivery = box.wait_for(1)[0]
    headers = delivery["headers"]
    payload = verify_standard_webhook(
        base64.b64encode(CLIENT_SECRET.encode()).decode(), headers, delivery["body"]
    )
    assert set(payload) == {"scope", "store_id", "data", "hash", "created_at", "producer"}
    assert payload["scope"] == "store/order/created"
    assert payload["data"] == {"type": "order", "id": order.id}
    assert payload["producer"] == f"stores/{DEMO_STORE}"
    assert payload["store_id"] == "1001"
    assert headers["X-Cartpath-Key"] == "secret-header"
    assert abs(int(headers["Webhook-Timestamp"]) - sandbox.clock()["now"]) < 60
    with pytest.raises(ValueError, match="bad signature"):
        verify_standard_webhook(base64.b64encode(b"wrong").decode(), headers, delivery["body"])


def test_status_update_carries_both_statuses(sandbox, app_hooks):
    box, subscribe, token = app_hooks
    api = v2_api(sandbox, token)
    order = api.Orders.create(
        billing_address=BILLING, products=[{"product_id": 112, "quantity": 1}]
    )
    subscribe("store/order/statusUpdated")

    order.update(status_id=2)

    payload = json.loads(box.wait_for(1)[0]["body"])
    assert payload["data"] == {
        "type": "order",
        "id": order.id,
        "status": {"previous_status_id": 1, "new_status_id": 2},
    }


def test_product_update_and_inventory_events(sandbox, app_hooks):
    box, subscribe, token = app_hooks
    subscribe("store/product/updated")
    subscribe("store/product/inventory/updated")

    connection(sandbox, token).put("catalog/products/112", {"inventory_level": 5})

    bodies = sorted((json.loads(d["body"]) for d in box.wait_for(2)), key=lambda p: p["scope"])
    assert [p["scope"] for p in bodies] == [
        "store/product/inventory/updated",
        "store/product/updated",
    ]
    assert bodies[0]["data"]["inventory"] == {"product_id": 112, "method": "absolute", "value": 5}


def test_cart_events_from_the_api(sandbox, app_hooks):
    box, subscribe, token = app_hooks
    subscribe("store/cart/*")
    v3 = connection(sandbox, token)

    cart = v3.post("carts", {"line_items": [{"product_id": 112, "quantity": 1}]})["data"]
    v3.post(
        f"carts/{cart['id']}/items",
        {"line_items": [{"product_id": 118, "variant_id": 11801, "quantity": 1}]},
    )

    scopes = [json.loads(d["body"])["scope"] for d in box.wait_for(2)]
    assert sorted(scopes) == ["store/cart/created", "store/cart/updated"]


def test_failing_destination_is_retried_on_schedule_then_deactivated(sandbox, app_hooks):
    box, subscribe, _token = app_hooks
    box.status = 500
    hook = subscribe("store/cart/converted")
    sandbox.clock(scale=0.00002)

    fired = sandbox.call(
        "POST",
        f"/bigcommerce/stores/{DEMO_STORE}/events",
        {"scope": "store/cart/converted", "data": {"type": "cart", "id": "c-1", "orderId": 7}},
    )
    sandbox.wait_for_deliveries(timeout=30)

    assert fired == {"hooks": 1}
    delivery = sandbox.deliveries()[-1]
    assert delivery["state"] == "failed"
    assert len(delivery["attempts"]) == 12
    gaps = [
        b["at"] - a["at"]
        for a, b in zip(delivery["attempts"], delivery["attempts"][1:], strict=False)
    ]
    assert all(gap >= want for gap, want in zip(gaps, RETRIES, strict=True))
    assert len({json.loads(d["body"])["hash"] for d in box.webhooks}) == 1, (
        "retries repeat the event"
    )
    hooks = sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]["hooks"]
    assert [h["is_active"] for h in hooks if h["id"] == hook["id"]] == [False]


def test_uninstall_is_announced_to_the_apps_hooks(sandbox, app_hooks):
    box, subscribe, _token = app_hooks
    subscribe("store/app/uninstalled")

    sandbox.call(
        "POST",
        f"/bigcommerce/stores/{DEMO_STORE}/apps/cartpath-demo-bigcommerce-client-id/uninstall",
        {},
    )

    payload = json.loads(box.wait_for(1)[0]["body"])
    assert payload["scope"] == "store/app/uninstalled"
    assert payload["data"]["type"] == "store"

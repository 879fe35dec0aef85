"""What a merchant or Shopify itself does in the admin, fired from the control API.

Each event changes the shop as the real action would, then emits the webhook topic
with the REST-style payload. Compliance payloads follow
https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.shopify import orders
from sandbox.shopify.resources import iso, money, order_json, product_json
from sandbox.shopify.state import Order, Shop, Transaction
from sandbox.shopify.webhooks import COMPLIANCE_TOPICS

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator


class EventError(ValueError):
    """The event cannot happen (unknown topic, order or product)."""


def fire(emulator: ShopifyEmulator, shop: Shop, data: dict[str, Any]) -> dict[str, Any]:
    """Perform the event described by `data` (topic + ids) and return what was sent."""
    topic = str(data.get("topic", ""))
    now = emulator.clock.now()
    hooks = emulator.webhooks
    if topic in COMPLIANCE_TOPICS:
        client_id = str(data.get("client_id", ""))
        sent = hooks.emit_compliance(shop, client_id, topic, _compliance(shop, topic, data))
        if not sent:
            raise EventError("the app has no compliance URL (or is not registered)")
        return {"topic": topic, "deliveries": 1}
    if topic == "app/uninstalled":
        if str(data.get("client_id", "")) not in shop.installed:
            raise EventError("the app is not installed on this shop")
        emulator.uninstall(shop, str(data["client_id"]))
        return {"topic": topic}
    if topic in ("products/update", "products/delete"):
        product = shop.products.get(_id(data.get("product_id")))
        if product is None:
            raise EventError("no such product")
        if topic == "products/delete":
            del shop.products[product.id]
            return {"topic": topic, "deliveries": hooks.emit(shop, topic, {"id": product.id})}
        for key in ("title", "body_html"):
            if key in data:
                setattr(product, key, str(data[key]))
        product.updated_at = now
        payload = product_json(product, emulator.image_url(shop.domain, product.id))
        return {"topic": topic, "deliveries": hooks.emit(shop, topic, payload)}
    order = shop.orders.get(_id(data.get("order_id")))
    if order is None:
        raise EventError("no such order")
    if topic == "orders/paid":
        _pay(emulator, order, now)
    elif topic == "orders/cancelled":
        order.cancelled_at, order.cancel_reason = now, str(data.get("reason", "customer"))
    elif topic == "refunds/create":
        return {
            "topic": topic,
            "deliveries": hooks.emit(
                shop, topic, _refund(emulator, order, now, data.get("amount"))
            ),
        }
    elif topic != "orders/updated":
        raise EventError(f"unknown topic {topic!r}")
    order.updated_at = now
    payload = order_json(order, shop)
    sent = hooks.emit(shop, topic, payload)
    if topic != "orders/updated":
        sent += hooks.emit(shop, "orders/updated", payload)
    return {"topic": topic, "deliveries": sent}


def _id(value: Any) -> int:
    """A numeric id or a GID ("gid://shopify/Order/123")."""
    text = str(value or "").rsplit("/", 1)[-1]
    if not text.isdigit():
        raise EventError(f"not an id: {value!r}")
    return int(text)


def _pay(emulator: ShopifyEmulator, order: Order, now: float) -> None:
    due = order.total_price - orders.paid_amount(order)
    if due > 0:
        order.transactions.append(
            Transaction(emulator.state.next_id(), "sale", "success", due, "manual", now)
        )
    order.financial_status = orders.financial_status(order)


def _refund(
    emulator: ShopifyEmulator, order: Order, now: float, requested: Any = None
) -> dict[str, Any]:
    """A refund of `requested` (default: all that was paid and not yet refunded); payload
    shaped like the REST Refund resource
    (https://shopify.dev/docs/api/admin-rest/latest/resources/refund)."""
    paid = orders.paid_amount(order)
    try:
        amount = paid if requested is None else Decimal(str(requested))
    except ArithmeticError:
        raise EventError(f"not an amount: {requested!r}") from None
    if not 0 <= amount <= paid:
        raise EventError(f"a refund of {amount} exceeds the {paid} paid")
    transaction = Transaction(emulator.state.next_id(), "refund", "success", amount, "manual", now)
    order.transactions.append(transaction)
    if amount > 0:
        order.financial_status = "refunded" if amount == paid else "partially_refunded"
    order.updated_at = now
    return {
        "id": emulator.state.next_id(),
        "order_id": order.id,
        "created_at": iso(now),
        "processed_at": iso(now),
        "note": None,
        "restock": False,
        "refund_line_items": [
            {
                "line_item_id": li.id,
                "quantity": li.quantity,
                "subtotal": money(li.price * li.quantity),
                "line_item": {"id": li.id, "sku": li.sku},
            }
            for li in order.line_items
        ],
        "transactions": [
            {
                "id": transaction.id,
                "order_id": order.id,
                "kind": "refund",
                "status": "success",
                "amount": money(amount),
                "currency": order.currency,
                "gateway": "manual",
            }
        ],
        "order_adjustments": [],
        "total_refunded": money(amount if amount else Decimal(0)),
    }


def _compliance(shop: Shop, topic: str, data: dict[str, Any]) -> dict[str, Any]:
    if topic == "shop/redact":
        return {"shop_id": shop.id, "shop_domain": shop.domain}
    customer = {
        "id": int(data.get("customer_id", 1)),
        "email": data.get("email", "buyer@example.com"),
        "phone": data.get("phone"),
    }
    order_ids = [int(i) for i in data.get("order_ids", [])]
    if topic == "customers/redact":
        return {
            "shop_id": shop.id,
            "shop_domain": shop.domain,
            "customer": customer,
            "orders_to_redact": order_ids,
        }
    return {
        "shop_id": shop.id,
        "shop_domain": shop.domain,
        "customer": customer,
        "orders_requested": order_ids,
        "data_request": {"id": int(data.get("request_id", 1))},
    }

"""An order's totals, its v2 JSON, placing it, changing its status, and the events it fires.

bigcommerce/docs reference/orders.v2.oas2.yml (fields, status ids) and
docs/integrations/webhooks/events: store/order/created, updated,
statusUpdated {status{previous_status_id, new_status_id}}; a cart's order leaving
Incomplete fires store/cart/converted {orderId} and the cart is gone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

from sandbox.bigcommerce import pricing, webhooks
from sandbox.bigcommerce.api import emulator
from sandbox.bigcommerce.catalog import announce_stock
from sandbox.bigcommerce.order_lines import stock_moves
from sandbox.bigcommerce.responses import v2_money
from sandbox.bigcommerce.state import Order, OrderProduct, Product, Store

STATUSES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}


def rfc2822(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=False)


def order_totals(order: Order) -> pricing.Totals:
    subtotal = sum((p.base_price * p.quantity for p in order.products), Decimal("0"))
    return pricing.totals(
        subtotal,
        order.discount_amount,
        order.shipping_cost_ex_tax,
        order.tax_rate,
        order.tax_shipping,
    )


def order_json(order: Order) -> dict[str, Any]:
    t = order_totals(order)
    api = f"{emulator().context.public_url}/bigcommerce/stores/{order.store_hash}/v2"
    base = f"{api}/orders/{order.id}"
    items = sum(p.quantity for p in order.products)
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "date_created": rfc2822(order.date_created),
        "date_modified": rfc2822(order.date_modified),
        "date_shipped": "",
        "status_id": order.status_id,
        "status": STATUSES[order.status_id],
        "custom_status": STATUSES[order.status_id],
        "subtotal_ex_tax": v2_money(t.subtotal_ex_tax),
        "subtotal_inc_tax": v2_money(t.subtotal_inc_tax),
        "subtotal_tax": v2_money(t.items_tax),
        "base_shipping_cost": v2_money(t.shipping_ex_tax),
        "shipping_cost_ex_tax": v2_money(t.shipping_ex_tax),
        "shipping_cost_inc_tax": v2_money(t.shipping_inc_tax),
        "shipping_cost_tax": v2_money(t.shipping_tax),
        "handling_cost_ex_tax": v2_money(Decimal("0")),
        "handling_cost_inc_tax": v2_money(Decimal("0")),
        "total_ex_tax": v2_money(t.total_ex_tax),
        "total_inc_tax": v2_money(t.total_inc_tax),
        "total_tax": v2_money(t.tax),
        "items_total": items,
        "items_shipped": 0,
        "payment_method": order.payment_method,
        "payment_provider_id": order.payment_provider_id or None,
        "payment_status": "captured" if order.status_id in (2, 9, 10, 11) else "",
        "refunded_amount": v2_money(order.refunded_amount),
        "order_is_digital": False,
        "currency_code": order.currency_code,
        "currency_exchange_rate": "1.0000000000",
        "default_currency_code": order.currency_code,
        "discount_amount": v2_money(order.discount_amount),
        "coupon_discount": v2_money(order.discount_amount if order.coupon_codes else Decimal("0")),
        "staff_notes": order.staff_notes,
        "customer_message": order.customer_message,
        "is_deleted": order.is_deleted,
        "billing_address": order.billing_address,
        "external_source": order.external_source,
        "external_id": order.external_id,
        "channel_id": order.channel_id,
        "cart_id": order.cart_id,
        "order_source": order.order_source,
        "customer_locale": "en",
        "products": {"url": f"{base}/products", "resource": f"/orders/{order.id}/products"},
        "shipping_addresses": {
            "url": f"{base}/shipping_addresses",
            "resource": f"/orders/{order.id}/shipping_addresses",
        },
        "coupons": {"url": f"{base}/coupons", "resource": f"/orders/{order.id}/coupons"},
    }


def product_line_json(order: Order, line: OrderProduct) -> dict[str, Any]:
    price_tax = pricing.cents(line.base_price * order.tax_rate / 100)
    return {
        "id": line.id,
        "order_id": order.id,
        "product_id": line.product_id,
        "variant_id": line.variant_id,
        "order_address_id": order.id,
        "name": line.name,
        "sku": line.sku,
        "type": "physical",
        "base_price": v2_money(line.base_price),
        "price_ex_tax": v2_money(line.base_price),
        "price_inc_tax": v2_money(line.base_price + price_tax),
        "price_tax": v2_money(price_tax),
        "base_total": v2_money(line.base_price * line.quantity),
        "total_ex_tax": v2_money(line.base_price * line.quantity),
        "total_inc_tax": v2_money((line.base_price + price_tax) * line.quantity),
        "total_tax": v2_money(price_tax * line.quantity),
        "weight": v2_money(line.weight),
        "quantity": line.quantity,
        "quantity_shipped": 0,
        "quantity_refunded": 0,
        "is_refunded": False,
        "refund_amount": v2_money(Decimal("0")),
        "applied_discounts": [],
        "product_options": line.product_options,
    }


def place_order(current: Store, order: Order) -> list[tuple[Product, int]]:
    """Store a new order; a placed (not Incomplete) order takes stock at once."""
    current.orders[order.id] = order
    return stock_moves(current, order.products) if order.status_id != 0 else []


def announce_created(order: Order, moved: list[tuple[Product, int]]) -> None:
    bc = emulator()
    webhooks.fire(bc, order.store_hash, "store/order/created", {"type": "order", "id": order.id})
    _announce_stock(order.store_hash, moved)


def _announce_stock(store_hash: str, moved: list[tuple[Product, int]]) -> None:
    for product, level in moved:
        announce_stock(store_hash, product, "absolute", level)


def change_status(current: Store, order: Order, status_id: int) -> list[tuple[Product, int]]:
    """Set a valid new status; leaving Incomplete takes the order's stock (returned)."""
    previous = order.status_id
    order.status_id = status_id
    return stock_moves(current, order.products) if previous == 0 and status_id != 0 else []


def differs(after: dict[str, Any], before: dict[str, Any]) -> bool:
    """Whether an update changed the order (its modification date aside)."""
    ignore = {"date_modified"}
    return {k: v for k, v in after.items() if k not in ignore} != {
        k: v for k, v in before.items() if k not in ignore
    }


def announce_update(order: Order, previous: int, moved: list, *, changed: bool) -> None:
    bc = emulator()
    ref = {"type": "order", "id": order.id}
    if changed:
        webhooks.fire(bc, order.store_hash, "store/order/updated", ref)
    if previous != order.status_id:
        status = {"previous_status_id": previous, "new_status_id": order.status_id}
        webhooks.fire(bc, order.store_hash, "store/order/statusUpdated", {**ref, "status": status})
        if previous == 0 and order.cart_id:
            _convert_cart(order)
    _announce_stock(order.store_hash, moved)


def refund(order: Order, amount: Decimal, refund_id: int) -> None:
    """The merchant refunds `amount` in the control panel: the order becomes Partially
    Refunded (14) or Refunded (4), and store/order/refund/created names the order
    (https://developer.bigcommerce.com/docs/integrations/webhooks/events#orders).

    :raises ValueError: nothing, or more than is left, to refund.
    """
    bc = emulator()
    with bc.state.lock:
        left = order_totals(order).total_inc_tax - order.refunded_amount
        if not 0 < amount <= left:
            raise ValueError(f"a refund must be more than 0 and at most {left}")
        previous = order.status_id
        order.refunded_amount += amount
        order.status_id = 4 if amount == left else 14
        order.date_modified = bc.context.clock.now()
    announce_update(order, previous, [], changed=True)
    data = {"type": "order", "id": order.id, "refund": {"refund_id": refund_id}}
    webhooks.fire(bc, order.store_hash, "store/order/refund/created", data)


def _convert_cart(order: Order) -> None:
    """The cart behind a checkout order is used up once the order is placed."""
    bc = emulator()
    with bc.state.lock:
        bc.state.stores[order.store_hash].carts.pop(order.cart_id or "", None)
    data = {"type": "cart", "id": order.cart_id, "orderId": order.id}
    webhooks.fire(bc, order.store_hash, "store/cart/converted", data)

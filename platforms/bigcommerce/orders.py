"""Writing Cartpath's paid orders to a BigCommerce store: the checkout becomes the order.

The order is created from the server-to-server checkout the shopper was quoted on
(POST /v3/checkouts/{id}/orders, https://developer.bigcommerce.com/docs/rest-checkout/checkouts/checkout-orders),
so its lines, shipping, tax and coupon are the store's own and the store's order emails
go out; v2-created orders send none
(https://developer.bigcommerce.com/docs/rest-management/orders). It starts Incomplete
and is then marked paid with one PUT /v2/orders/{id}: status Awaiting Fulfillment,
`payment_method` (the gateway), `payment_provider_id` ("the external Transaction
ID/Payment ID within this order's payment provider"), `external_source` = the app id
as marketplace apps must (https://developer.bigcommerce.com/docs/integrations/apps/guide/requirements),
and Cartpath's reference in `staff_notes`: `external_id` can only be set on POST
(a PUT with it answers 400, orders.v2 reference), and a checkout order is not POSTed.

Nothing here needs a key: a checkout has at most one order (the checkout's `order_id`,
POST again refreshes that Incomplete order), and the placed order keeps the checkout's
`cart_id`, which GET /v2/orders filters on; so a retry after any lost response finds
what the first attempt made.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from core.services import services
from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection
from platforms.errors import FinalError, NotFoundError
from platforms.orders import (
    LineToAdd,
    OrderToWrite,
    PlatformOrderRef,
    reference_in_text,
    reference_label,
)

# Status ids: https://developer.bigcommerce.com/docs/rest-management/orders/order-status
INCOMPLETE = 0
AWAITING_FULFILLMENT = 11
PAGE = 250  # GET /v2/orders' largest page


class BigCommerceOrders:
    """OrderWriter for BigCommerce stores."""

    def find(self, shop_id: int, reference: str, hint: str | None) -> PlatformOrderRef | None:
        """The placed order made from cart `hint`; an Incomplete one is not finished yet."""
        if not hint:
            return None
        placed = [o for o in self._orders_of_cart(shop_id, hint) if o["status_id"] != INCOMPLETE]
        return _ref(placed[0]) if placed else None

    def create(self, shop_id: int, order: OrderToWrite) -> PlatformOrderRef:
        if not order.platform_ref:
            raise FinalError(f"order {order.reference} has no BigCommerce checkout to place")
        order_id = self._checkout_order(shop_id, order.platform_ref)
        conn = store_connection(shop_id, "v2")
        return _ref(request(lambda: conn.put(f"orders/{order_id}", _paid(order))))

    def list_references(self, shop_id: int, since: datetime) -> dict[str, PlatformOrderRef]:
        conn = store_connection(shop_id, "v2")
        found: dict[str, PlatformOrderRef] = {}
        page = 1
        while True:
            query = {"min_date_created": since.isoformat(), "limit": PAGE, "page": page}
            orders = request(lambda q=query: conn.get("orders", **q)) or []
            for placed in orders:
                reference = reference_in_text(str(placed.get("staff_notes") or ""))
                if reference and placed["status_id"] != INCOMPLETE:
                    found[reference] = _ref(placed)
            if len(orders) < PAGE:
                return found
            page += 1

    def add_line(self, shop_id: int, platform_order_id: str, line: LineToAdd) -> bool:
        """An upsell joins the original order, so it ships with it: one PUT /v2/orders/{id}
        adds the product at the offer's price (a products[] entry without `id` is added),
        raises the order's shipping by the offer's, and appends the marker with the
        gateway's charge to `staff_notes`, so they land together or not at all
        (https://docs.bigcommerce.com/developer/api-reference/rest/admin/management/orders/update-order).
        BigCommerce recomputes the order's tax itself at the order's rate. It has no way
        for an app to record a second payment: order transactions are read-only
        (https://developer.bigcommerce.com/docs/rest-management/orders/order-transactions),
        hence the charge in the notes.
        """
        conn = store_connection(shop_id, "v2")
        placed = request(lambda: conn.get(f"orders/{platform_order_id}"))
        notes = str(placed.get("staff_notes") or "")
        if line.marker in notes.split():
            return False
        charge = line.charge
        paid = f"{charge.amount} {line.currency} by {charge.gateway} {charge.intent_id}"
        body: dict[str, Any] = {
            "products": [
                {
                    "product_id": int(line.product_id),
                    "variant_id": int(line.variant_id),
                    "quantity": line.quantity,
                    "price_ex_tax": str(line.unit_price),
                }
            ],
            "staff_notes": f"{notes}\n{line.marker} (paid {paid})".strip(),
        }
        if line.shipping > 0:
            shipping = Decimal(str(placed.get("shipping_cost_ex_tax") or 0)) + line.shipping
            body["shipping_cost_ex_tax"] = str(shipping)
        request(lambda: conn.put(f"orders/{platform_order_id}", body))
        return True

    def _checkout_order(self, shop_id: int, cart_id: str) -> int:
        """The checkout's order: the one a lost response left, or a new one."""
        conn = store_connection(shop_id)
        try:
            checkout = request(lambda: conn.get(f"checkouts/{cart_id}"))["data"]
        except NotFoundError:
            # The cart is gone once its order left Incomplete: that order is ours.
            return self._placed_without_checkout(shop_id, cart_id)
        if checkout.get("order_id"):
            return int(checkout["order_id"])
        return int(request(lambda: conn.post(f"checkouts/{cart_id}/orders", {}))["data"]["id"])

    def _placed_without_checkout(self, shop_id: int, cart_id: str) -> int:
        orders = self._orders_of_cart(shop_id, cart_id)
        if not orders:
            raise FinalError(f"BigCommerce has neither the checkout {cart_id} nor an order from it")
        return int(orders[0]["id"])

    def _orders_of_cart(self, shop_id: int, cart_id: str) -> list[dict[str, Any]]:
        conn = store_connection(shop_id, "v2")
        orders = request(lambda: conn.get("orders", cart_id=cart_id)) or []
        return [o for o in orders if not o.get("is_deleted")]


def _paid(order: OrderToWrite) -> dict[str, Any]:
    charge = order.charge
    return {
        "status_id": AWAITING_FULFILLMENT,
        "payment_method": charge.gateway,
        "payment_provider_id": charge.intent_id,
        "external_source": services().config.bigcommerce_app_id,
        "staff_notes": f"{reference_label(order.reference)} (Cartpath, paid by {charge.gateway})",
    }


def _ref(data: dict[str, Any]) -> PlatformOrderRef:
    return PlatformOrderRef(
        platform_id=str(data["id"]),
        number=str(data["id"]),
        total=Decimal(str(data["total_inc_tax"])),
    )

"""BigCommerce webhook scopes, read into Cartpath's platform-neutral effects.

Deliveries carry only {type, id} (https://developer.bigcommerce.com/docs/integrations/webhooks/events),
so the resource is fetched through the API: v2 orders (dates in RFC 2822, amounts as
strings) and v3 catalog products with their variants. A product that answers 404
has been deleted. Cart scopes are received and recorded but change nothing yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

from platforms import events
from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection
from platforms.errors import NotFoundError, PlatformError
from platforms.orders import reference_in_text

CANCELLED_STATUS_ID = (
    5  # https://developer.bigcommerce.com/docs/rest-management/orders/order-status
)


class UnreadablePayloadError(PlatformError):
    """A verified delivery or fetched resource that lacks what it should carry."""


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise UnreadablePayloadError(f"not an amount: {value!r}") from None


def _rfc2822(value: Any, fallback: datetime) -> datetime:
    try:
        return parsedate_to_datetime(str(value)).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return fallback


def _iso(value: Any, fallback: datetime) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _order(shop_id: int, order_id: str, at: datetime) -> events.OrderChanged:
    conn = store_connection(shop_id, "v2")
    data = request(lambda: conn.get(f"orders/{order_id}"))
    if not isinstance(data, dict) or "id" not in data:
        raise UnreadablePayloadError(f"order {order_id} came back empty")
    refunded = _money(data.get("refunded_amount"))
    return events.OrderChanged(
        events.OrderRecord(
            platform_id=str(data["id"]),
            name=str(data["id"]),
            email=str((data.get("billing_address") or {}).get("email") or ""),
            currency=str(data.get("currency_code") or ""),
            total=_money(data.get("total_inc_tax")),
            financial_status=str(data.get("payment_status") or ""),
            cancelled=int(data.get("status_id") or 0) == CANCELLED_STATUS_ID,
            changed_at=_rfc2822(data.get("date_modified"), at),
            # Where the write-back puts it (platforms/bigcommerce/orders.py): external_id
            # cannot be set on an order made from a checkout.
            cartpath_reference=reference_in_text(str(data.get("staff_notes") or "")),
            # v2 reports the refunded total; one record under a fixed id keeps it current.
            refunds=(events.RefundRecord("refunded-total", refunded, None),) if refunded else (),
        )
    )


def _product(shop_id: int, product_id: str, at: datetime) -> events.Effect:
    conn = store_connection(shop_id, "v3")
    try:
        data = request(
            lambda: conn.get(f"catalog/products/{product_id}", query={"include": "variants"})
        )["data"]
    except NotFoundError:
        return events.ProductDeleted(product_id, at)
    tracked = data.get("inventory_tracking", "none") != "none"
    variants = tuple(
        events.VariantRecord(
            platform_id=str(v["id"]),
            sku=str(v.get("sku") or ""),
            price=_money(v.get("calculated_price", v.get("price", data.get("price")))),
            inventory=int(v["inventory_level"]) if tracked and "inventory_level" in v else None,
            available=not v.get("purchasing_disabled")
            and (not tracked or int(v.get("inventory_level") or 0) > 0),
        )
        for v in data.get("variants") or []
    )
    return events.ProductChanged(
        events.ProductRecord(
            platform_id=str(data["id"]),
            title=str(data.get("name", "")),
            active=bool(data.get("is_visible", True)),
            changed_at=_iso(data.get("date_modified"), at),
            variants=variants,
        )
    )


Reader = Callable[[int, str, datetime], events.Effect]

SCOPES: dict[str, Reader | None] = {
    "store/order/created": _order,
    "store/order/updated": _order,
    "store/order/statusUpdated": _order,
    # data {type: "order", id: <order id>, refund: {...}}: the order's refunded_amount is
    # re-read (https://developer.bigcommerce.com/docs/integrations/webhooks/events#orders).
    "store/order/refund/created": _order,
    "store/order/archived": lambda _shop, order_id, at: events.OrderRemoved(order_id, at),
    "store/product/created": _product,
    "store/product/updated": _product,
    "store/product/inventory/updated": _product,
    "store/product/inventory/order/updated": _product,
    "store/product/deleted": lambda _shop, product_id, at: events.ProductDeleted(product_id, at),
    "store/app/uninstalled": lambda _shop, _id, _at: events.AppUninstalled(),
}


def handles(scope: str) -> bool:
    return scope in SCOPES


def interpret(
    shop_id: int, scope: str, payload: Any, triggered_at: datetime | None
) -> events.Effect | None:
    """The effect of one delivery (fetching the resource); None for unhandled scopes.

    :raises RetriableError: the API is down or limiting. :raises UnreadablePayloadError.
    """
    reader = SCOPES.get(scope)
    if reader is None:
        return None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or "id" not in data:
        raise UnreadablePayloadError(f"{scope} delivery names no resource")
    return reader(shop_id, str(data["id"]), triggered_at or datetime.now(UTC))

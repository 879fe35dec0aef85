"""Shopify webhook topics, read into Cartpath's platform-neutral effects.

Payload shapes are the REST resources: https://shopify.dev/docs/api/webhooks
(orders/*, refunds/create, products/*, app/uninstalled) and, for the privacy topics,
https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from platforms import events
from platforms.errors import PlatformError
from platforms.orders import reference_in_tags


class UnreadablePayloadError(PlatformError):
    """A verified delivery whose payload lacks what its topic promises."""


def _time(value: Any, fallback: datetime | None = None) -> datetime:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    if fallback is None:
        raise UnreadablePayloadError(f"not a time: {value!r}")
    return fallback


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise UnreadablePayloadError(f"not an amount: {value!r}") from None


def _changed_at(updated_at: Any, triggered_at: datetime | None) -> datetime:
    """When the change happened, as finely as Shopify tells.

    REST `updated_at` has whole seconds, so two changes in one second tie; the
    delivery's X-Shopify-Triggered-At (sub-second, never before the change) breaks it.
    """
    updated = _time(updated_at, triggered_at)
    return max(updated, triggered_at) if triggered_at else updated


def _refund(data: dict[str, Any]) -> events.RefundRecord:
    amount = sum(
        (
            _money(t.get("amount"))
            for t in data.get("transactions", [])
            if t.get("kind") == "refund" and t.get("status", "success") == "success"
        ),
        Decimal("0"),
    )
    return events.RefundRecord(
        str(data["id"]), amount, _time(data.get("created_at"), datetime.now(UTC))
    )


def order_ids(rest_id: str) -> tuple[str, str]:
    """Both names of one order: webhooks send the REST id, the GraphQL write-back keeps
    the global id (https://shopify.dev/docs/api/usage/gids)."""
    return rest_id, f"gid://shopify/Order/{rest_id}"


# Shopify shows no post-purchase page for wallets and pay-later methods, gift cards,
# gateways that keep no card to charge again (Braintree, Payflow Pro, eWAY) or a currency
# other than the shop's (Shopify's limits as quoted in PLATFORMS.md H.3:
# https://help.rebuyengine.com/en/articles/6706477-shopify-s-post-purchase-offer-considerations-limitations).
# The order names its gateways in payment_gateway_names
# (https://shopify.dev/docs/api/admin-rest/latest/resources/order); a wallet paid through
# Shopify Payments is named "shopify_payments" and is not told apart here.
WALLET_GATEWAYS = ("apple_pay", "google_pay", "amazon", "klarna", "affirm", "afterpay", "sezzle")
LIMITED_GATEWAYS = ("gift_card", "braintree", "payflow", "eway")


def _post_purchase_blocker(payload: dict[str, Any]) -> str | None:
    shop_currency, paid_in = payload.get("currency"), payload.get("presentment_currency")
    if shop_currency and paid_in and paid_in != shop_currency:
        return "currency"
    names = [str(n).lower().replace(" ", "_") for n in payload.get("payment_gateway_names") or []]
    if any(w in name for name in names for w in WALLET_GATEWAYS):
        return "wallet"
    if any(g in name for name in names for g in LIMITED_GATEWAYS):
        return "gateway"
    return None


def order(payload: dict[str, Any], triggered_at: datetime | None) -> events.OrderChanged:
    return events.OrderChanged(
        events.OrderRecord(
            platform_id=str(payload["id"]),
            name=str(payload.get("name", "")),
            email=str(payload.get("email") or ""),
            currency=str(payload.get("currency", "")),
            total=_money(payload.get("total_price")),
            financial_status=str(payload.get("financial_status") or ""),
            cancelled=bool(payload.get("cancelled_at")),
            changed_at=_changed_at(payload.get("updated_at"), triggered_at),
            cartpath_reference=reference_in_tags(str(payload.get("tags") or "").split(",")),
            refunds=tuple(_refund(r) for r in payload.get("refunds") or []),
            post_purchase_blocker=_post_purchase_blocker(payload),
        )
    )


def refund(payload: dict[str, Any], _triggered_at: datetime | None) -> events.RefundCreated:
    return events.RefundCreated(str(payload["order_id"]), _refund(payload))


def product(payload: dict[str, Any], triggered_at: datetime | None) -> events.ProductChanged:
    variants = tuple(
        events.VariantRecord(
            platform_id=str(v["id"]),
            sku=str(v.get("sku") or ""),
            price=_money(v.get("price")),
            inventory=v.get("inventory_quantity"),
            available=v.get("inventory_policy") == "continue"
            or (v.get("inventory_quantity") or 0) > 0,
        )
        for v in payload.get("variants") or []
    )
    return events.ProductChanged(
        events.ProductRecord(
            platform_id=str(payload["id"]),
            title=str(payload.get("title", "")),
            active=payload.get("status", "active") == "active",
            changed_at=_changed_at(payload.get("updated_at"), triggered_at),
            variants=variants,
        )
    )


def product_deleted(
    payload: dict[str, Any], triggered_at: datetime | None
) -> events.ProductDeleted:
    return events.ProductDeleted(str(payload["id"]), triggered_at or datetime.now(UTC))


def _customer_email(payload: dict[str, Any]) -> str:
    return str((payload.get("customer") or {}).get("email") or "")


def data_request(payload: dict[str, Any], _t: datetime | None) -> events.CustomerDataRequested:
    return events.CustomerDataRequested(
        request_id=str((payload.get("data_request") or {}).get("id", "")),
        email=_customer_email(payload),
        order_ids=tuple(str(i) for i in payload.get("orders_requested") or []),
    )


def customer_redact(payload: dict[str, Any], _t: datetime | None) -> events.CustomerRedactRequested:
    return events.CustomerRedactRequested(
        email=_customer_email(payload),
        order_ids=tuple(str(i) for i in payload.get("orders_to_redact") or []),
    )


TOPICS: dict[str, Callable[[dict[str, Any], datetime | None], events.Effect]] = {
    "app/uninstalled": lambda _p, _t: events.AppUninstalled(),
    "orders/create": order,
    "orders/updated": order,
    "orders/paid": order,
    "orders/cancelled": order,
    "refunds/create": refund,
    "products/update": product,
    "products/delete": product_deleted,
    "customers/data_request": data_request,
    "customers/redact": customer_redact,
    "shop/redact": lambda _p, _t: events.ShopRedactRequested(),
}


def interpret(topic: str, payload: Any, triggered_at: datetime | None) -> events.Effect | None:
    """The effect of one delivery; None for a topic Cartpath does not handle.

    :raises UnreadablePayloadError: the payload lacks what the topic needs.
    """
    reader = TOPICS.get(topic)
    if reader is None:
        return None
    if not isinstance(payload, dict):
        raise UnreadablePayloadError(f"{topic} payload is not an object")
    try:
        return reader(payload, triggered_at)
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadablePayloadError(f"{topic} payload is incomplete: {error}") from None

"""Support's one search box: an email, an order number (Cartpath's reference or the
platform's), a checkout token or a platform order id, across the shop's checkouts, orders
and webhooks. Every lookup is an indexed equality within the shop."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from checkout.models import Checkout, Order
from core.models import Platform, Shop, WebhookEvent
from platforms.admin_links import plain_order_id
from webhooks.models import PlatformOrder

LIMIT = 50  # per kind of record


@dataclass(frozen=True)
class Hit:
    kind: str  # order, checkout, webhook
    label: str
    detail: str
    endpoint: str
    values: dict[str, int]


def search(session: Session, shop: Shop, text: str) -> list[Hit]:
    text = text.strip()
    orders = _orders(session, shop, text)
    hits = [_order_hit(order) for order in orders]
    hits += [_checkout_hit(checkout) for checkout in _open_checkouts(session, shop, text)]
    hits += [_webhook_hit(event) for event in _webhooks(session, shop, text, orders)]
    return hits


def _emails(text: str) -> list[str]:
    return list(dict.fromkeys([text, text.lower()]))


def _orders(session: Session, shop: Shop, text: str) -> list[Order]:
    if "@" in text:
        emails = _emails(text)
        mirrored = select(PlatformOrder.cartpath_reference).where(
            PlatformOrder.shop_id == shop.id, PlatformOrder.email.in_(emails)
        )
        match = or_(Order.email.in_(emails), Order.reference.in_(mirrored))
    else:
        number = text.removeprefix("#")
        ids = [text, f"gid://shopify/Order/{text}"] if shop.platform is Platform.SHOPIFY else [text]
        token = select(Checkout.id).where(Checkout.shop_id == shop.id, Checkout.token == text)
        match = or_(
            Order.checkout_id.in_(token),
            Order.reference == text.upper(),
            Order.platform_order_number.in_([text, number, f"#{number}"]),
            Order.platform_order_id.in_(ids),
        )
    return list(
        session.scalars(
            select(Order)
            .where(Order.shop_id == shop.id, match)
            .order_by(Order.created_at.desc())
            .limit(LIMIT)
        )
    )


def _open_checkouts(session: Session, shop: Shop, text: str) -> list[Checkout]:
    """Checkouts that never became an order (an order's checkout is found as the order)."""
    match = Checkout.email.in_(_emails(text)) if "@" in text else Checkout.token == text
    placed = exists().where(Order.checkout_id == Checkout.id)
    query = select(Checkout).where(Checkout.shop_id == shop.id, match, ~placed)
    return list(session.scalars(query.order_by(Checkout.created_at.desc()).limit(LIMIT)))


def _webhooks(session: Session, shop: Shop, text: str, orders: list[Order]) -> list[WebhookEvent]:
    ids = {plain_order_id(order.platform_order_id) for order in orders if order.platform_order_id}
    if "@" not in text:
        ids.add(plain_order_id(text.removeprefix("#")))
    if not ids:
        return []
    return list(
        session.scalars(
            select(WebhookEvent)
            .where(WebhookEvent.shop_id == shop.id, WebhookEvent.resource_id.in_(ids))
            .order_by(WebhookEvent.received_at.desc())
            .limit(LIMIT)
        )
    )


def _order_hit(order: Order) -> Hit:
    number = (
        f" · platform order {order.platform_order_number}" if order.platform_order_number else ""
    )
    return Hit(
        "order",
        f"Order {order.reference}",
        f"{order.email} · {order.status.value}{number}",
        "admin_orders.order",
        {"order_id": order.id},
    )


def _checkout_hit(checkout: Checkout) -> Hit:
    return Hit(
        "checkout",
        f"Checkout started {checkout.created_at:%Y-%m-%d %H:%M}",
        f"{checkout.email or 'no email'} · {checkout.status.value}, no order",
        "admin_orders.checkout",
        {"checkout_id": checkout.id},
    )


def _webhook_hit(event: WebhookEvent) -> Hit:
    return Hit(
        "webhook",
        f"Webhook {event.topic}",
        f"order {event.resource_id} · {event.status.value} · {event.received_at:%Y-%m-%d %H:%M}",
        "admin_support.webhooks",
        {"event": event.id},
    )

"""One handler per kind of effect. Each is idempotent and order-insensitive, and
returns a word for the log ("applied", "stale", ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from core.models import Shop, WebhookEvent
from platforms import events
from webhooks.handlers import (
    app_uninstalled,
    customer_data_requested,
    customer_redact_requested,
    order_changed,
    order_removed,
    product_changed,
    product_deleted,
    refund_created,
    shop_redact_requested,
)

Handler = Callable[[Session, Shop, Any, WebhookEvent], str]

HANDLERS: dict[type, Handler] = {
    events.OrderChanged: order_changed.handle,
    events.OrderRemoved: order_removed.handle,
    events.RefundCreated: refund_created.handle,
    events.ProductChanged: product_changed.handle,
    events.ProductDeleted: product_deleted.handle,
    events.AppUninstalled: app_uninstalled.handle,
    events.CustomerDataRequested: customer_data_requested.handle,
    events.CustomerRedactRequested: customer_redact_requested.handle,
    events.ShopRedactRequested: shop_redact_requested.handle,
}


def apply_effect(session: Session, shop: Shop, effect: events.Effect, event: WebhookEvent) -> str:
    return HANDLERS[type(effect)](session, shop, effect, event)

"""An order was archived or deleted on the platform: it no longer counts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.models import Shop, WebhookEvent
from platforms.events import OrderRemoved
from webhooks.handlers.ledger import carry_over
from webhooks.handlers.records import order_row


def handle(session: Session, shop: Shop, effect: OrderRemoved, event: WebhookEvent) -> str:
    row, _first_sight = order_row(session, shop.id, effect.platform_id)
    if row.changed_at is not None and effect.changed_at < row.changed_at:
        return "stale"
    row.removed, row.changed_at = True, effect.changed_at
    carry_over(session, shop, row)
    return "applied"

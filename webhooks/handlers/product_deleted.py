"""A product was deleted; an older update arriving later cannot bring it back."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.models import Shop, WebhookEvent
from platforms.events import ProductDeleted
from webhooks.handlers.records import product_row


def handle(session: Session, shop: Shop, effect: ProductDeleted, event: WebhookEvent) -> str:
    row, newer = product_row(session, shop.id, effect.platform_id, effect.changed_at)
    if not newer and row.deleted:
        return "already deleted"
    if not newer:
        return "stale"
    row.deleted, row.active, row.changed_at = True, False, effect.changed_at
    return "applied"

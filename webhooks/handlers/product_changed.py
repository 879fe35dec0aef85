"""A product changed: title, status, variants' prices and stock (offers read this)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from core.models import Shop, WebhookEvent
from platforms.events import ProductChanged
from webhooks.handlers.records import product_row


def handle(session: Session, shop: Shop, effect: ProductChanged, event: WebhookEvent) -> str:
    product = effect.product
    row, newer = product_row(session, shop.id, product.platform_id, product.changed_at)
    if not newer:
        return "stale"
    row.title, row.active, row.deleted = product.title, product.active, False
    row.variants = [{**asdict(v), "price": str(v.price)} for v in product.variants]
    row.changed_at = product.changed_at
    return "applied"

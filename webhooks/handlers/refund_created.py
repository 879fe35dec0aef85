"""A refund was made. Counted once by its id, whatever order the events arrive in."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from core.models import Shop, WebhookEvent
from platforms.events import RefundCreated
from webhooks.handlers.ledger import carry_over
from webhooks.handlers.records import order_row


def handle(session: Session, shop: Shop, effect: RefundCreated, event: WebhookEvent) -> str:
    row, _first_sight = order_row(session, shop.id, effect.order_platform_id)
    refunds = dict(row.refunds or {})
    if refunds.get(effect.refund.platform_id) == str(effect.refund.amount):
        return "already counted"
    refunds[effect.refund.platform_id] = str(effect.refund.amount)
    row.refunds = refunds
    row.refunded_total = sum((Decimal(v) for v in refunds.values()), Decimal("0"))
    carry_over(session, shop, row)
    return "applied"

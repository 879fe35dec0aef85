"""An order was created or changed (paid, updated, cancelled) on the platform."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from core.models import Shop, ShopMode, WebhookEvent
from platforms.events import OrderChanged
from upsell.eligibility import record_ineligible
from webhooks.handlers.ledger import carry_over
from webhooks.handlers.records import order_row


def handle(session: Session, shop: Shop, effect: OrderChanged, event: WebhookEvent) -> str:
    order = effect.order
    row, first_sight = order_row(session, shop.id, order.platform_id)
    if first_sight and shop.mode is ShopMode.NATIVE and order.post_purchase_blocker:
        # Shopify showed this shopper no post-purchase page: counted for the eligibility
        # rate on the order's first sight, which the mirror row's unique key makes once.
        reference = f"order:{order.platform_id}"
        record_ineligible(session, shop.id, reference, order.post_purchase_blocker)
    # A tie is applied again: BigCommerce's dates have whole seconds, and its adapter reads
    # the order as it is now, so an event of the same second brings the later state;
    # Shopify's times are sub-second, where a tie is the same change (idempotent).
    if row.changed_at is not None and order.changed_at < row.changed_at:
        return "stale"
    row.name, row.email, row.currency = order.name, order.email, order.currency
    row.total, row.financial_status = order.total, order.financial_status
    row.cancelled, row.changed_at = order.cancelled, order.changed_at
    row.cartpath_reference = order.cartpath_reference or row.cartpath_reference
    refunds = dict(row.refunds or {})
    refunds.update({r.platform_id: str(r.amount) for r in order.refunds})
    row.refunds = refunds
    row.refunded_total = sum((Decimal(v) for v in refunds.values()), Decimal("0"))
    carry_over(session, shop, row)
    return "applied"

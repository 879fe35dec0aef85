"""Orders whose shopper could not see a post-purchase offer, counted once each with the
reason (wallet, gateway, currency, no_match, out_of_stock), so the merchant sees what
share of orders could be offered anything.

Native mode learns of them in two places: Shopify shows no post-purchase page at all for
wallets, some gateways and foreign currencies (the order's webhook says which), and
Cartpath's /post-purchase/offer finds no funnel, or nothing in stock, for the purchase.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from upsell.offers import record_event


def record_ineligible(session: Session, shop_id: int, reference: str, reason: str) -> bool:
    """Count the order once (a reload or a second webhook adds nothing); True if counted."""
    counted = session.scalar(
        select(AnalyticsEvent.id)
        .where(
            AnalyticsEvent.shop_id == shop_id,
            AnalyticsEvent.kind == EventKind.OFFER_INELIGIBLE,
            AnalyticsEvent.order_reference == reference,
        )
        .limit(1)
    )
    if counted is not None:
        return False
    record_event(session, shop_id, EventKind.OFFER_INELIGIBLE, reference, reason=reason)
    return True


def purchase_blocker(input_data: dict[str, Any]) -> str | None:
    """ "currency" when the shopper paid in another currency than the shop's: Shopify takes
    no post-purchase changeset then (PLATFORMS.md H.3)."""
    total = (input_data.get("initialPurchase") or {}).get("totalPriceSet") or {}
    shop = (total.get("shopMoney") or {}).get("currencyCode")
    paid = (total.get("presentmentMoney") or {}).get("currencyCode")
    return "currency" if shop and paid and shop != paid else None

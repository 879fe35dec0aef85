"""What both upsell modes (hosted pages and Shopify's post-purchase page) share: the
analytics events, pricing an offer's item on the platform, and the checks an offer
passes before it is accepted (still in stock, funnel unchanged since it was shown)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from core.db import utcnow
from core.models import Platform
from platforms.errors import NotFoundError
from platforms.pricing import CartItem, CartLine
from platforms.pricing_engines import engine_for
from upsell.funnels import Offer
from upsell.models import FunnelVersion, OfferStatus, ShownOffer

MAX_ACCEPTED_PER_ORDER = 3  # Shopify's limit of accepted post-purchase offers (PLATFORMS.md H.3)


@dataclass(frozen=True)
class PricedOffer:
    """An offer and the platform's line for the variant it will sell (`platform_ref`:
    the platform's cart made for it, BigCommerce only)."""

    offer: Offer
    line: CartLine
    platform_ref: str | None = None


def record_event(
    session: Session, shop_id: int, kind: EventKind, reference: str, **values: Any
) -> None:
    session.add(AnalyticsEvent(shop_id=shop_id, kind=kind, order_reference=reference, **values))


def can_sell(line: CartLine, quantity: int) -> bool:
    return line.available and (line.inventory is None or line.inventory >= quantity)


def price_offer(platform: Platform, shop_id: int, offer: Offer) -> PricedOffer | None:
    """The offer's first variant in stock, priced by the platform now (None: none can be
    sold). Platform calls: no transaction may be open."""
    return next(iter(price_variants(platform, shop_id, offer, limit=1)), None)


def price_variants(
    platform: Platform, shop_id: int, offer: Offer, *, limit: int
) -> list[PricedOffer]:
    """The offer's variants in stock, in the merchant's order, at most `limit` of them, each
    priced by the platform now: the choice the shopper is given. Platform calls: no
    transaction may be open."""
    engine = engine_for(platform)
    priced: list[PricedOffer] = []
    for variant_id in offer.variant_ids:
        if len(priced) == limit:
            break
        try:
            ref, lines = engine.read_cart(
                shop_id, items=(CartItem(variant_id=variant_id, quantity=offer.quantity),)
            )
        except NotFoundError:
            continue
        if lines and can_sell(lines[0], offer.quantity):
            priced.append(PricedOffer(offer, lines[0], ref))
    return priced


def funnel_changed(session: Session, version_id: int) -> bool:
    """Whether the funnel has a newer version than the one the offer was made from."""
    version = session.get(FunnelVersion, version_id)
    current = session.scalar(
        select(func.max(FunnelVersion.number)).where(FunnelVersion.funnel_id == version.funnel_id)
    )
    return version.number != current


def why_closed(session: Session, shown: ShownOffer) -> str | None:
    """Why the offer can no longer be accepted (a 409 for the shopper), or None."""
    if shown.status is not OfferStatus.SHOWN:
        return "This offer was already answered."
    return why_ended(session, shown)


def why_ended(session: Session, shown: ShownOffer) -> str | None:
    """Whether the offer itself is over (expired, or its funnel changed), whatever its
    status: a declined card may be replaced only while the offer stands."""
    if shown.expires_at is not None and shown.expires_at < utcnow():
        return "This offer has expired."
    if funnel_changed(session, shown.funnel_version_id):
        return "The store changed this offer after it was shown; please refresh."
    return None

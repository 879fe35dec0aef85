"""Known orders, offers and events at chosen times, for tests of the numbers built on them.

Rows are added the way checkout/ and upsell/ record them (an order behind its
checkout, a shown offer with its OFFER_SHOWN event), with `at` setting when it happened.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from checkout.models import Checkout, Order
from core.db import utcnow
from core.models import Platform, Shop, ShopMode
from upsell.models import Funnel, FunnelStatus, FunnelVersion, OfferStatus, ShownOffer

_numbers = itertools.count(1)


def make_shop(
    session: Session,
    domain: str,
    *,
    platform: Platform = Platform.SHOPIFY,
    mode: ShopMode = ShopMode.HOSTED,
    timezone: str | None = None,
) -> Shop:
    """An installed shop; `timezone` as its platform reported it (None: not read yet)."""
    shop = Shop(
        platform=platform, domain=domain, mode=mode, installed_at=utcnow(), timezone=timezone
    )
    session.add(shop)
    session.flush()
    return shop


def started_checkout(session: Session, shop_id: int, *, at: datetime, currency: str = "USD"):
    checkout = Checkout(
        shop_id=shop_id,
        items=[{"variant_id": "1", "quantity": 1}],
        currency=currency,
        expires_at=at + timedelta(days=30),
        created_at=at,
        updated_at=at,
    )
    session.add(checkout)
    session.flush()
    return checkout


def placed_order(
    session: Session,
    shop_id: int,
    total: str,
    *,
    at: datetime,
    currency: str = "USD",
    refunded: str = "0",
    cancelled: bool = False,
    platform_order_id: str | None = None,
) -> Order:
    """A paid order (and the checkout it came from) placed at `at`."""
    checkout = started_checkout(session, shop_id, at=at, currency=currency)
    order = Order(
        shop_id=shop_id,
        checkout_id=checkout.id,
        reference=f"CPTEST{next(_numbers)}",
        currency=currency,
        lines=[],
        subtotal=Decimal(total),
        discount_total=Decimal(0),
        shipping_total=Decimal(0),
        tax_total=Decimal(0),
        total=Decimal(total),
        refunded_total=Decimal(refunded),
        cancelled_at=at if cancelled else None,
        platform_order_id=platform_order_id,
        created_at=at,
        updated_at=at,
    )
    session.add(order)
    session.flush()
    return order


def funnel_version(
    session: Session, shop_id: int, *, name: str = "After checkout"
) -> FunnelVersion:
    funnel = Funnel(shop_id=shop_id, name=name, status=FunnelStatus.ACTIVE)
    session.add(funnel)
    session.flush()
    version = FunnelVersion(
        funnel_id=funnel.id,
        shop_id=shop_id,
        number=1,
        definition={
            "entry": "a",
            "offers": {"a": {"headline": "Add socks"}, "b": {"headline": "Socks, cheaper"}},
        },
    )
    session.add(version)
    session.flush()
    return version


def offer_for(
    session: Session,
    order: Order,
    version: FunnelVersion,
    total: str,
    *,
    key: str = "a",
    status: OfferStatus = OfferStatus.PAID,
    seen: bool = True,
) -> ShownOffer:
    """An offer made to `order`'s shopper (seen: its page was shown) and its outcome."""
    shown = ShownOffer(
        shop_id=order.shop_id,
        order_id=order.id,
        order_reference=order.reference,
        funnel_version_id=version.id,
        offer_key=key,
        status=status,
        currency=order.currency,
        total=Decimal(total),
        created_at=order.created_at,
        updated_at=order.created_at,
    )
    session.add(shown)
    if seen:
        event(session, order, EventKind.OFFER_SHOWN, version_id=version.id, offer_key=key)
    session.flush()
    return shown


def event(
    session: Session,
    order: Order,
    kind: EventKind,
    *,
    reason: str | None = None,
    version_id: int | None = None,
    offer_key: str | None = None,
) -> None:
    session.add(
        AnalyticsEvent(
            shop_id=order.shop_id,
            kind=kind,
            order_reference=order.reference,
            funnel_version_id=version_id,
            offer_key=offer_key,
            reason=reason,
            created_at=order.created_at,
        )
    )


def known_day(session: Session, shop_id: int, at: datetime) -> int:
    """A day whose numbers are known, at `at` (returns the funnel version's id):
    USD 100.00 + paid upsell 20.00, 30.00 refunded; USD 50.00, offer declined;
    USD 80.00 cancelled (its 10.00 upsell with it); USD 40.00 and EUR 70.00 that
    could not see an offer; two checkouts that were abandoned."""
    version = funnel_version(session, shop_id)
    first = placed_order(session, shop_id, "100.00", at=at, refunded="30.00")
    offer_for(session, first, version, "20.00")
    second = placed_order(session, shop_id, "50.00", at=at)
    offer_for(session, second, version, "15.00", status=OfferStatus.DECLINED)
    cancelled = placed_order(session, shop_id, "80.00", at=at, cancelled=True)
    offer_for(session, cancelled, version, "10.00")
    no_match = placed_order(session, shop_id, "40.00", at=at)
    event(session, no_match, EventKind.OFFER_INELIGIBLE, reason="no_match")
    euro = placed_order(session, shop_id, "70.00", at=at, currency="EUR")
    event(session, euro, EventKind.OFFER_INELIGIBLE, reason="no_saved_card")
    started_checkout(session, shop_id, at=at)
    started_checkout(session, shop_id, at=at)
    return version.id

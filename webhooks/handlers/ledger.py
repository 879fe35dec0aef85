"""Carrying what the platform reports about one of Cartpath's own orders (refunds, a
cancellation, an archive) onto Cartpath's ledger, so the admin's figures are net of it.

Derived whole from the platform order's mirror row every time, never incremented: a
duplicate delivery changes nothing and deliveries in any order end the same. When the
order's day (of the shop's calendar) is already rolled up, that day is recomputed in the
same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from analytics.rollups import refresh_day
from checkout.models import Order
from core.db import utcnow
from core.models import Shop
from platforms.adapters import order_ids
from webhooks.models import PlatformOrder


def carry_over(session: Session, shop: Shop, row: PlatformOrder) -> bool:
    """Copy refunds and cancellation onto the Cartpath order behind `row`, if there is
    one; returns whether it changed."""
    order = _cartpath_order(session, shop, row)
    if order is None:
        return False
    refunded = Decimal(row.refunded_total or 0)
    cancelled = bool(row.cancelled or row.removed)
    changed = Decimal(order.refunded_total or 0) != refunded
    order.refunded_total = refunded
    if cancelled and order.cancelled_at is None:
        order.cancelled_at, changed = row.changed_at or utcnow(), True
    elif not cancelled and order.cancelled_at is not None and row.changed_at is not None:
        # BigCommerce lets a merchant move a cancelled order back to another status.
        order.cancelled_at, changed = None, True
    calendar = shop.calendar
    day = calendar.day_of(order.created_at)
    if changed and day < calendar.today():
        session.flush()
        refresh_day(session, shop.id, day, calendar=calendar)
    return changed


def _cartpath_order(session: Session, shop: Shop, row: PlatformOrder) -> Order | None:
    """Found by Cartpath's reference (tag / external id) or the platform's order id."""
    matches = [Order.platform_order_id.in_(order_ids(shop.platform, row.platform_id))]
    if row.cartpath_reference:
        matches.append(Order.reference == row.cartpath_reference)
    return session.scalar(
        select(Order).where(Order.shop_id == shop.id, or_(*matches)).order_by(Order.id).limit(1)
    )

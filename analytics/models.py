"""What happened, for the merchant's numbers: one row per event, amounts with currency.

Written in the transaction of the change it describes, so a count never disagrees with
the ledger; the admin's reports read these (and roll them up) instead of the hot tables.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.models import enum_column


class EventKind(enum.StrEnum):
    CHECKOUT_STARTED = "checkout_started"
    ORDER_PLACED = "order_placed"
    OFFER_SHOWN = "offer_shown"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    OFFER_PAID = "offer_paid"
    OFFER_FAILED = "offer_failed"
    # An order whose shopper could not see an offer, with the reason (wallet, currency,
    # gateway, no match), so the merchant sees the eligibility rate.
    OFFER_INELIGIBLE = "offer_ineligible"


class AnalyticsEvent(Base):
    __tablename__ = "analytics_event"
    __table_args__ = (Index("ix_analytics_event_shop_kind_at", "shop_id", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    order_reference: Mapped[str | None] = mapped_column(String(255))
    funnel_version_id: Mapped[int | None] = mapped_column(ForeignKey("funnel_version.id"))
    offer_key: Mapped[str | None] = mapped_column(String(20))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    currency: Mapped[str | None] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyFigures(Base):
    """One shop's figures for one past day of its own calendar, rolled up from the ledger
    and events (analytics/rollups.py) so Home reads at most 90 rows instead of every order.

    `figures` is analytics.figures.Figures as JSON: amounts as strings per currency,
    so sums stay exact Decimals. Recomputed whole, never incremented: a job that runs
    twice, or a refund that arrives late, leaves the same row. `timezone` is the one
    whose midnights bounded the day: a row of another timezone than the shop's (rows
    from before shops had one are UTC days) is stale and rolled up again.
    """

    __tablename__ = "analytics_daily"
    __table_args__ = (UniqueConstraint("shop_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    day: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

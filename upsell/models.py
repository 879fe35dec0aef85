"""Funnels (versioned: an order remembers the version it saw) and the offers shown to shoppers.

A shown offer is a row, created when the page is first shown: its price is fixed then, its
countdown ends at `expires_at` (a reload does not reset it), and (order, offer key) is
unique, so twenty clicks on Accept can only ever accept it once.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.models import Timestamps, enum_column
from core.tokens import new_token


class FunnelStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"


class Funnel(Timestamps, Base):
    __tablename__ = "funnel"
    __table_args__ = (Index("ix_funnel_shop_status", "shop_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[FunnelStatus] = mapped_column(
        enum_column(FunnelStatus, "funnel_status"), default=FunnelStatus.DRAFT
    )
    # Lower runs first when several active funnels match an order.
    priority: Mapped[int] = mapped_column(default=100)
    version: Mapped[int] = mapped_column(default=1)  # the current FunnelVersion.number


class FunnelVersion(Base):
    """An immutable definition; editing a funnel adds a version, never rewrites one."""

    __tablename__ = "funnel_version"
    __table_args__ = (UniqueConstraint("funnel_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funnel_id: Mapped[int] = mapped_column(ForeignKey("funnel.id"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    number: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)  # upsell.funnels.as_json
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfferStatus(enum.StrEnum):
    SHOWN = "shown"
    ACCEPTED = "accepted"  # the shopper clicked; the charge is under way
    REQUIRES_ACTION = "requires_action"  # the bank asked the shopper to authenticate
    PAID = "paid"  # charged; the item is queued for the platform order
    DECLINED = "declined"  # the shopper said no
    FAILED = "failed"  # the charge was declined; nothing was added
    EXPIRED = "expired"


class ShownOffer(Timestamps, Base):
    __tablename__ = "shown_offer"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_reference", "offer_key"),
        Index("ix_shown_offer_shop_created", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    # Hosted mode: Cartpath's order; Shopify's post-purchase: the platform's reference id.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("cartpath_order.id"))
    order_reference: Mapped[str] = mapped_column(String(255))
    funnel_version_id: Mapped[int] = mapped_column(ForeignKey("funnel_version.id"))
    offer_key: Mapped[str] = mapped_column(String(20))
    status: Mapped[OfferStatus] = mapped_column(
        enum_column(OfferStatus, "offer_status"), default=OfferStatus.SHOWN
    )
    variant_id: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(default=1)
    currency: Mapped[str] = mapped_column(String(3))
    # The exact amounts shown (the platform's tax and shipping for the added item).
    quote: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    expires_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))

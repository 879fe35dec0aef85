"""What Cartpath knows of the platform's orders and products, kept current by webhooks.

Each row remembers the platform's time of the change it reflects (`changed_at`), so
an older event that arrives late changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models import Timestamps


class PlatformOrder(Timestamps, Base):
    __tablename__ = "platform_order"
    __table_args__ = (
        UniqueConstraint("shop_id", "platform_id"),
        Index("ix_platform_order_reference", "shop_id", "cartpath_reference"),
        Index("ix_platform_order_email", "shop_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    platform_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    total: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal("0"))
    financial_status: Mapped[str] = mapped_column(String(40), default="")
    cancelled: Mapped[bool] = mapped_column(default=False)
    removed: Mapped[bool] = mapped_column(default=False)
    cartpath_reference: Mapped[str | None] = mapped_column(String(64))
    # refund id -> amount (as a string), so a refund seen twice counts once.
    refunds: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    refunded_total: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal("0"))
    # None until an order event (not just a refund) has been seen.
    changed_at: Mapped[datetime | None]


class PlatformProduct(Timestamps, Base):
    __tablename__ = "platform_product"
    __table_args__ = (UniqueConstraint("shop_id", "platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    platform_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    deleted: Mapped[bool] = mapped_column(default=False)
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    changed_at: Mapped[datetime]

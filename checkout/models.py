"""A shopper's checkout: what they are buying, where it goes, and the platform's last quote.

The lines and the quote are the platform's answers, stored as the page last showed
them; the amount charged (issue 8) is the amount last quoted. Abandoned checkouts
are kept, with the email only when the shopper gave it, so the admin can count them.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models import Timestamps


class CheckoutStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    EXPIRED = "expired"


def new_token() -> str:
    """Unguessable: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


class Checkout(Timestamps, Base):
    __tablename__ = "checkout"
    __table_args__ = (Index("ix_checkout_shop_status_updated", "shop_id", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    status: Mapped[CheckoutStatus] = mapped_column(
        Enum(
            CheckoutStatus,
            name="checkout_status",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda members: [m.value for m in members],
        ),
        default=CheckoutStatus.OPEN,
    )
    # What the storefront handed over: variant ids and quantities only, never prices.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The platform's own handle (BigCommerce's cart id), opaque to checkout/.
    platform_ref: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3), default="")
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    email: Mapped[str] = mapped_column(String(320), default="")
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    shipping_address: Mapped[dict[str, str] | None] = mapped_column(JSON)
    shipping_option: Mapped[str | None] = mapped_column(String(200))
    discount_code: Mapped[str | None] = mapped_column(String(100))
    quote: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    quoted_at: Mapped[datetime | None]
    attribution: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime]


class CheckoutDesign(Timestamps, Base):
    """A shop's checkout design: the draft the merchant edits and the version shoppers see."""

    __tablename__ = "checkout_design"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), unique=True)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None]

"""A shopper's checkout: what they are buying, where it goes, and the platform's last quote.

The lines and the quote are the platform's answers, stored as the page last showed
them; the amount charged (issue 8) is the amount last quoted. Abandoned checkouts
are kept, with the email only when the shopper gave it, so the admin can count them.
"""

from __future__ import annotations

import enum
import secrets
import string
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.models import Timestamps, enum_column
from core.tokens import new_token


class CheckoutStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    EXPIRED = "expired"


class Checkout(Timestamps, Base):
    __tablename__ = "checkout"
    __table_args__ = (
        Index("ix_checkout_shop_status_updated", "shop_id", "status", "updated_at"),
        # Checkouts started per day, for the admin's conversion rate.
        Index("ix_checkout_shop_created", "shop_id", "created_at"),
        Index("ix_checkout_shop_email", "shop_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    status: Mapped[CheckoutStatus] = mapped_column(
        enum_column(CheckoutStatus, "checkout_status"), default=CheckoutStatus.OPEN
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
    # While set and in the future, one request is charging this checkout; any other
    # (a second tab, a double submit) is told to wait instead of charging again.
    payment_lease_until: Mapped[datetime | None]


class CheckoutDesign(Timestamps, Base):
    """A shop's checkout design: the draft the merchant edits and the version shoppers see."""

    __tablename__ = "checkout_design"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), unique=True)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None]


class OrderStatus(enum.StrEnum):
    PLACED = "placed"  # paid and recorded here; the platform write-back is queued
    WRITTEN = "written"  # the platform holds it (platform_order_id set)
    FAILED = "failed"  # the write-back gave up; a staff alert is raised, retry from the admin


REFERENCE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"


def new_reference() -> str:
    """Cartpath's order reference, shown to staff and stored on the platform order (tag,
    external id) so a retried write-back finds the order instead of creating another."""
    return "CP" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


class Order(Timestamps, Base):
    """A paid order in Cartpath's ledger, written before any platform call.

    Amounts are what the platform quoted and the shopper paid; `lines` are the quoted
    lines (variant, title, quantity, unit price) as the thank-you page shows them.
    """

    __tablename__ = "cartpath_order"
    __table_args__ = (
        UniqueConstraint("shop_id", "reference"),
        Index("ix_cartpath_order_shop_created", "shop_id", "created_at"),
        Index("ix_cartpath_order_shop_email", "shop_id", "email"),
        Index("ix_cartpath_order_shop_status_created", "shop_id", "status", "created_at"),
        Index("ix_cartpath_order_shop_number", "shop_id", "platform_order_number"),
        Index("ix_cartpath_order_shop_platform_id", "shop_id", "platform_order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(40), default=new_reference)
    status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus, "order_status"), default=OrderStatus.PLACED
    )
    email: Mapped[str] = mapped_column(String(320), default="")
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    currency: Mapped[str] = mapped_column(String(3))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    shipping_address: Mapped[dict[str, str] | None] = mapped_column(JSON)
    shipping_option: Mapped[dict[str, str] | None] = mapped_column(JSON)  # id, title, price
    discount_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    subtotal: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    discount_total: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    shipping_total: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    tax_total: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    attribution: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The platform's order once written: its id for the API, its number for people.
    platform_order_id: Mapped[str | None] = mapped_column(String(64))
    platform_order_number: Mapped[str | None] = mapped_column(String(64))
    written_at: Mapped[datetime | None]
    writeback_attempts: Mapped[int] = mapped_column(default=0)
    # The funnel version whose offers this order's shopper saw (none: no funnel matched).
    funnel_version_id: Mapped[int | None] = mapped_column(ForeignKey("funnel_version.id"))
    writeback_error: Mapped[str | None] = mapped_column(Text)
    # What the platform reports refunded on its order (refund webhooks), and when it was
    # cancelled (or archived) there: the admin's figures are net of both.
    refunded_total: Mapped[Decimal] = mapped_column(
        Numeric(14, 4), default=Decimal("0"), server_default="0"
    )
    cancelled_at: Mapped[datetime | None]


class PaymentKind(enum.StrEnum):
    CHECKOUT = "checkout"
    UPSELL = "upsell"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # recorded before the gateway is asked, so a crash leaves a trace
    REQUIRES_ACTION = "requires_action"  # the bank asked the shopper to authenticate (3DS)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # declined, or authentication abandoned


class Payment(Timestamps, Base):
    """One charge attempt at the gateway, keyed by the idempotency key it was sent with.

    The same key always means the same charge: a double submit, a replayed form or a
    retried job finds this row (and the gateway returns the same intent) instead of
    charging twice.
    """

    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_shop_checkout", "shop_id", "checkout_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("cartpath_order.id"))
    kind: Mapped[PaymentKind] = mapped_column(
        enum_column(PaymentKind, "payment_kind"), default=PaymentKind.CHECKOUT
    )
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "payment_status"), default=PaymentStatus.PENDING
    )
    gateway: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    currency: Mapped[str] = mapped_column(String(3))
    # The gateway's handles: the charge (PaymentIntent), the saved card and its customer.
    intent_id: Mapped[str | None] = mapped_column(String(255))
    payment_method_id: Mapped[str | None] = mapped_column(String(255))
    customer_id: Mapped[str | None] = mapped_column(String(255))
    # Shown to the shopper on a decline; the gateway's code kept for support.
    decline_code: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str | None] = mapped_column(Text)


class ExportStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class OrderExport(Timestamps, Base):
    """The shop's orders as CSV, written by a job a row at a time so the admin shows progress.

    The file is kept in the row (a shop's orders fit comfortably); a shop redact erases it.
    """

    __tablename__ = "order_export"
    __table_args__ = (Index("ix_order_export_shop_created", "shop_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    requested_by: Mapped[str] = mapped_column(String(255))
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "export_status"), default=ExportStatus.RUNNING
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None]


class AttemptOutcome(enum.StrEnum):
    RUNNING = "running"  # started, not finished yet
    LOST = "lost"  # its worker died mid-call; a later attempt (or giving up) says so
    WRITTEN = "written"  # found or created on the platform (an upsell item: added)
    ALREADY_THERE = "already_there"  # an upsell item an earlier try added (its answer lost)
    RETRYING = "retrying"  # the platform did not answer; the outbox tries again
    FAILED = "failed"  # refused for good, or the last try: the order is failed


class WritebackAttempt(Base):
    """One try at writing an order to its platform, kept for the admin's order timeline:
    when, what came of it, and the platform's error (with its HTTP status when known).

    Either the order's own write-back, or (`shown_offer_id` set) adding that paid offer's
    item to the platform order: both are writes to the same order that support follows.
    """

    __tablename__ = "writeback_attempt"
    __table_args__ = (Index("ix_writeback_attempt_order", "order_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("cartpath_order.id"))
    shown_offer_id: Mapped[int | None] = mapped_column(ForeignKey("shown_offer.id"))
    # The order's writeback_attempts when it started; for an offer's item, its own count.
    number: Mapped[int]
    outcome: Mapped[AttemptOutcome] = mapped_column(
        enum_column(AttemptOutcome, "attempt_outcome"), default=AttemptOutcome.RUNNING
    )
    error: Mapped[str | None] = mapped_column(Text)
    platform_status: Mapped[int | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

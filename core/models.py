"""The foundation's tables: shops, webhook events, the outbox and the audit log.

Later packages define their own models in their own modules; `MODEL_MODULES`
lists them so Alembic and the test suite see every table.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.crypto import TokenCipher
from core.db import Base, utcnow
from core.shop_calendar import ShopCalendar

MODEL_MODULES: tuple[str, ...] = (
    "core.models",
    "auth.models",
    "webhooks.models",
    "checkout.models",
    "upsell.models",
    "analytics.models",
)


def enum_column(kind: type[enum.Enum], name: str) -> Enum:
    """Stored as its value in a VARCHAR with a CHECK constraint, the same on both dialects."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Platform(enum.StrEnum):
    SHOPIFY = "shopify"
    BIGCOMMERCE = "bigcommerce"


class ShopMode(enum.StrEnum):
    HOSTED = "hosted"  # Cartpath's own checkout (BigCommerce; Shopify custom apps)
    NATIVE = "native"  # the platform's checkout, upsells through its extension (public Shopify)


class StorefrontHandoff(enum.StrEnum):
    """Whether the storefront script sends shoppers to Cartpath's checkout."""

    OFF = "off"
    TEST = "test"  # only visitors with ?cartpath_test=1 or the test cookie
    ON = "on"


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Shop(Timestamps, Base):
    """One installed store. Its tokens are stored only encrypted (core/crypto)."""

    __tablename__ = "shop"
    __table_args__ = (UniqueConstraint("platform", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(enum_column(Platform, "platform"))
    # myshopify domain on Shopify, store hash on BigCommerce.
    domain: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    mode: Mapped[ShopMode] = mapped_column(
        enum_column(ShopMode, "shop_mode"), default=ShopMode.HOSTED
    )
    scopes: Mapped[str] = mapped_column(Text, default="")
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None]
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    refresh_token_expires_at: Mapped[datetime | None]
    # BigCommerce echoes this header on every webhook delivery of the hooks we create.
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    installed_at: Mapped[datetime | None]
    uninstalled_at: Mapped[datetime | None]
    # The shop's own language and region (Babel locale id), for money and dates shoppers see.
    locale: Mapped[str] = mapped_column(String(20), default="en_US", server_default="en_US")
    # The shop's IANA timezone as its platform reports it (None until first read): the
    # admin's days are the shop's own calendar days (core/shop_calendar.py).
    timezone: Mapped[str | None] = mapped_column(String(64))
    storefront_handoff: Mapped[StorefrontHandoff] = mapped_column(
        enum_column(StorefrontHandoff, "storefront_handoff"),
        default=StorefrontHandoff.OFF,
        server_default=StorefrontHandoff.OFF.value,
    )
    # Where staff alerts (a failed write-back, a locked checkout) are emailed; none: not sent.
    alert_email: Mapped[str | None] = mapped_column(String(320))

    @property
    def is_installed(self) -> bool:
        return self.installed_at is not None and self.uninstalled_at is None

    @property
    def calendar(self) -> ShopCalendar:
        """The shop's days (UTC ones while its timezone is unknown)."""
        return ShopCalendar.named(self.timezone)

    def set_tokens(
        self,
        cipher: TokenCipher,
        *,
        access_token: str,
        access_expires_at: datetime | None = None,
        refresh_token: str | None = None,
        refresh_expires_at: datetime | None = None,
    ) -> None:
        self.access_token_encrypted = cipher.encrypt(access_token)
        self.access_token_expires_at = access_expires_at
        self.refresh_token_encrypted = cipher.encrypt(refresh_token) if refresh_token else None
        self.refresh_token_expires_at = refresh_expires_at

    def access_token(self, cipher: TokenCipher) -> str | None:
        if self.access_token_encrypted is None:
            return None
        return cipher.decrypt(self.access_token_encrypted)

    def refresh_token(self, cipher: TokenCipher) -> str | None:
        if self.refresh_token_encrypted is None:
            return None
        return cipher.decrypt(self.refresh_token_encrypted)

    def rotate_encryption(self, cipher: TokenCipher) -> None:
        """Re-encrypt stored tokens under the newest key (after adding one)."""
        if self.access_token_encrypted:
            self.access_token_encrypted = cipher.rotate(self.access_token_encrypted)
        if self.refresh_token_encrypted:
            self.refresh_token_encrypted = cipher.rotate(self.refresh_token_encrypted)


class WebhookStatus(enum.StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


class WebhookEvent(Base):
    """A verified delivery, recorded before it is acknowledged; unique per platform event."""

    __tablename__ = "webhook_event"
    __table_args__ = (
        UniqueConstraint("platform", "event_key"),
        Index("ix_webhook_event_shop_received", "shop_id", "received_at"),
        Index("ix_webhook_event_shop_resource", "shop_id", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    platform: Mapped[Platform] = mapped_column(enum_column(Platform, "platform"))
    topic: Mapped[str] = mapped_column(String(100))
    # Shopify: X-Shopify-Event-Id (else X-Shopify-Webhook-Id); BigCommerce: the payload hash.
    event_key: Mapped[str] = mapped_column(String(255))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[WebhookStatus] = mapped_column(
        enum_column(WebhookStatus, "webhook_status"), default=WebhookStatus.RECEIVED
    )
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    triggered_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    # Later deliveries of the same event: recorded here, never processed again.
    duplicates: Mapped[int] = mapped_column(default=0, server_default="0")
    last_duplicate_at: Mapped[datetime | None]
    # The platform resource it was about (an order id), once processing has read it.
    resource_id: Mapped[str | None] = mapped_column(String(64))


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Outbox(Timestamps, Base):
    """Work that must happen after a commit, even if Redis forgets it or a worker dies.

    Written in the same transaction as the change that needs it; the job named by
    `job` runs with `args`, claimed under a lease so two workers never run it at once.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_available", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shop.id"))
    job: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    # Not before this time: set to now + backoff after a failed attempt.
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]


class AuditLog(Base):
    """Every state-changing action by a person (or by Cartpath on their behalf)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_shop_created", "shop_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shop.id"))
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(255), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """Something staff must look at: a write-back that gave up, a checkout locked after
    a run of declines. Shown in the admin until resolved."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_shop_open", "shop_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    kind: Mapped[str] = mapped_column(String(60))
    # What it is about ("order:CP...", "checkout:<id>"); one open alert per kind and subject.
    subject: Mapped[str] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    # When it was emailed to the shop's alert address (core/alerts.py), so a retried job
    # does not send it twice.
    emailed_at: Mapped[datetime | None]

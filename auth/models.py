"""The people who work in a shop's Cartpath admin, and what each may do."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models import Timestamps


class Role(enum.StrEnum):
    OWNER = "owner"  # installed the app; everything
    STAFF = "staff"  # designs, funnels, settings
    SUPPORT = "support"  # reads timelines and retries write-backs; changes nothing else


class StaffMember(Timestamps, Base):
    """A platform user of one shop (a BigCommerce user, a Shopify staff member)."""

    __tablename__ = "staff_member"
    __table_args__ = (UniqueConstraint("shop_id", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320), default="")
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="staff_role",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=Role.STAFF,
    )
    last_seen_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]


class DataExport(Timestamps, Base):
    """A customer's data, gathered for a privacy request, for the merchant to download."""

    __tablename__ = "data_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    request_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

"""Finding or starting the mirror row of a platform order or product (shared by handlers).

Events about one resource can be processed at the same moment (Shopify sends orders/create
and orders/paid together), so the row is made with INSERT .. ON CONFLICT DO NOTHING (the
second insert waits for the first to commit and adds nothing) and then read FOR UPDATE, so
the handlers' read-modify-writes of it take turns. SQLite's transactions begin IMMEDIATE
and so take turns already.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import dialect_insert
from webhooks.models import PlatformOrder, PlatformProduct

Mirror = TypeVar("Mirror", PlatformOrder, PlatformProduct)


def _locked_row(
    session: Session, model: type[Mirror], shop_id: int, platform_id: str, **start: Any
) -> tuple[Mirror, bool]:
    """The row, created from `start` when missing and locked; and whether it was created now."""
    created = session.scalar(
        dialect_insert(session)(model)
        .values(shop_id=shop_id, platform_id=platform_id, **start)
        .on_conflict_do_nothing(index_elements=["shop_id", "platform_id"])
        .returning(model.id)
    )
    row = session.scalar(
        select(model)
        .where(model.shop_id == shop_id, model.platform_id == platform_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return row, created is not None


def order_row(session: Session, shop_id: int, platform_id: str) -> tuple[PlatformOrder, bool]:
    """The order's mirror row, locked, and whether this event is its first sight."""
    return _locked_row(session, PlatformOrder, shop_id, platform_id, refunds={})


def product_row(
    session: Session, shop_id: int, platform_id: str, changed_at: datetime
) -> tuple[PlatformProduct, bool]:
    """The row and whether an event at `changed_at` is newer than what it holds."""
    row, created = _locked_row(
        session, PlatformProduct, shop_id, platform_id, changed_at=changed_at
    )
    return row, created or changed_at > row.changed_at

"""Finding or starting the mirror row of a platform order or product (shared by handlers).

An existing row is locked (FOR UPDATE) until the handler's transaction ends: handlers
read it, merge the event in and write it back, so two events of one order processed at
once (two refunds, on PostgreSQL) must take turns or one would undo the other. Two
first sights of one order race on the unique key instead: one commits, the other's
job fails and is retried, and then finds the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webhooks.models import PlatformOrder, PlatformProduct


def order_row(session: Session, shop_id: int, platform_id: str) -> PlatformOrder:
    row = session.scalar(
        select(PlatformOrder)
        .where(PlatformOrder.shop_id == shop_id, PlatformOrder.platform_id == platform_id)
        .with_for_update()
    )
    if row is None:
        row = PlatformOrder(shop_id=shop_id, platform_id=platform_id, refunds={})
        session.add(row)
    return row


def product_row(
    session: Session, shop_id: int, platform_id: str, changed_at: datetime
) -> tuple[PlatformProduct, bool]:
    """The row and whether an event at `changed_at` is newer than what it holds."""
    row = session.scalar(
        select(PlatformProduct)
        .where(PlatformProduct.shop_id == shop_id, PlatformProduct.platform_id == platform_id)
        .with_for_update()
    )
    if row is None:
        row = PlatformProduct(shop_id=shop_id, platform_id=platform_id, changed_at=changed_at)
        session.add(row)
        return row, True
    return row, changed_at > row.changed_at

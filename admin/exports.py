"""The shop's orders as a CSV file, written by a job so that a large shop's export shows
its progress on the Settings page instead of holding a request open."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checkout.models import ExportStatus, Order, OrderExport
from core import audit
from core.db import utcnow
from core.jobs import RetryPolicy, job
from core.money import Money
from core.outbox import defer
from core.services import services

BATCH = 500
HEADER = (
    "reference", "placed_at", "status", "email", "currency", "subtotal", "discount_total",
    "shipping_total", "tax_total", "total", "platform_order_id", "platform_order_number",
    "utm_source", "utm_campaign",
)  # fmt: skip
# A cell a spreadsheet would run as a formula: https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def start_export(session: Session, shop_id: int, *, actor: str) -> OrderExport:
    """A new export written after commit, or the one already running (one at a time)."""
    running = session.scalar(
        select(OrderExport).where(
            OrderExport.shop_id == shop_id, OrderExport.status == ExportStatus.RUNNING
        )
    )
    if running is not None:
        return running
    export = OrderExport(shop_id=shop_id, requested_by=actor, total=_order_count(session, shop_id))
    session.add(export)
    session.flush()
    audit.record(
        session,
        shop_id=shop_id,
        actor=actor,
        action="orders.exported",
        target=f"export:{export.id}",
    )
    defer(session, write_order_export, export.id, shop_id=shop_id)
    return export


def latest_export(session: Session, shop_id: int) -> OrderExport | None:
    return session.scalar(
        select(OrderExport)
        .where(OrderExport.shop_id == shop_id)
        .order_by(OrderExport.id.desc())
        .limit(1)
    )


def finished_export(session: Session, shop_id: int, export_id: int) -> OrderExport | None:
    """The shop's own finished export, or None (another shop's id is as good as unknown)."""
    export = session.get(OrderExport, export_id)
    if export is None or export.shop_id != shop_id or export.status is not ExportStatus.DONE:
        return None
    return export


def _mark_failed(export_id: int, _message: str) -> None:
    with services().database.session() as session:
        export = session.get(OrderExport, export_id)
        if export is not None and export.status is ExportStatus.RUNNING:
            export.status, export.finished_at = ExportStatus.FAILED, utcnow()
            session.commit()


@job(retry=RetryPolicy(max_attempts=3, backoff=(10, 60)), timeout=3600, on_give_up=_mark_failed)
def write_order_export(export_id: int) -> None:
    """Write every order of the shop, a batch at a time, committing the count after each
    batch for the progress bar. A retry starts over, so running twice is harmless."""
    database = services().database
    with database.session() as session:
        export = session.get(OrderExport, export_id)
        if export is None or export.status is not ExportStatus.RUNNING:
            return
        shop_id = export.shop_id
        export.total, export.done = _order_count(session, shop_id), 0
        session.commit()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    done, after = 0, 0
    while True:
        with database.session() as session:
            orders = session.scalars(
                select(Order)
                .where(Order.shop_id == shop_id, Order.id > after)
                .order_by(Order.id)
                .limit(BATCH)
            ).all()
            if not orders:
                break
            writer.writerows(_row(order) for order in orders)
            done, after = done + len(orders), orders[-1].id
            export = session.get(OrderExport, export_id)
            export.done = done
            session.commit()
    with database.session() as session:
        export = session.get(OrderExport, export_id)
        export.content, export.total, export.done = buffer.getvalue(), done, done
        export.status, export.finished_at = ExportStatus.DONE, utcnow()
        session.commit()


def _order_count(session: Session, shop_id: int) -> int:
    return session.scalar(select(func.count(Order.id)).where(Order.shop_id == shop_id)) or 0


def _row(order: Order) -> list[str]:
    text = (
        order.reference,
        order.created_at.isoformat(timespec="seconds"),
        order.status.value,
        order.email,
        order.currency,
    )
    amounts = (
        order.subtotal,
        order.discount_total,
        order.shipping_total,
        order.tax_total,
        order.total,
    )
    platform = (
        order.platform_order_id or "",
        order.platform_order_number or "",
        order.attribution.get("utm_source", ""),
        order.attribution.get("utm_campaign", ""),
    )
    return [
        *map(_cell, text),
        *(str(Money(a, order.currency).rounded().amount) for a in amounts),
        *map(_cell, platform),
    ]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value

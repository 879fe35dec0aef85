"""Data-subject requests: export one customer's data, erase it, or erase a whole shop.

Shopify's mandatory compliance topics (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance):
customers/data_request asks what we hold on a customer (the merchant passes it on),
customers/redact asks us to erase it, and shop/redact (48 hours after an uninstall)
to erase the shop's data; each must be acted on within 30 days. Cartpath acts on
receipt. Every table that holds personal data is listed here, so a new one cannot be
forgotten quietly: its package adds itself to these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, DailyFigures
from auth.models import DataExport, StaffMember
from checkout.models import (
    Checkout,
    CheckoutDesign,
    Order,
    OrderExport,
    Payment,
    WritebackAttempt,
)
from core import audit
from core.db import utcnow
from core.models import Alert, AuditLog, Outbox, OutboxStatus, Shop, WebhookEvent
from upsell.models import Funnel, FunnelVersion, ShownOffer
from webhooks.models import PlatformOrder, PlatformProduct

REDACTED_BODY = '{"redacted": true}'


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _customer_orders(session: Session, shop: Shop, email: str, order_ids: Sequence[str]):
    conditions = [PlatformOrder.platform_id.in_(list(order_ids))] if order_ids else []
    if email:
        conditions.append(func.lower(PlatformOrder.email) == email.lower())
    if not conditions:
        return []
    return session.scalars(
        select(PlatformOrder)
        .where(PlatformOrder.shop_id == shop.id, or_(*conditions))
        .order_by(PlatformOrder.id)
    ).all()


def _customer_checkouts(session: Session, shop: Shop, email: str) -> Sequence[Checkout]:
    if not email:
        return []
    return session.scalars(
        select(Checkout).where(
            Checkout.shop_id == shop.id, func.lower(Checkout.email) == email.lower()
        )
    ).all()


def _customer_ledger_orders(
    session: Session, shop: Shop, email: str, order_ids: Sequence[str]
) -> Sequence[Order]:
    """Cartpath's own orders of the customer: by email, or by the platform's order ids."""
    conditions = []
    if email:
        conditions.append(func.lower(Order.email) == email.lower())
    if order_ids:
        conditions.append(Order.platform_order_id.in_([str(i) for i in order_ids]))
    if not conditions:
        return []
    return session.scalars(select(Order).where(Order.shop_id == shop.id, or_(*conditions))).all()


def export_customer(
    session: Session, shop: Shop, *, request_id: str, email: str, order_ids: Sequence[str]
) -> DataExport:
    """Gather the customer's data into a DataExport the merchant downloads (JSON)."""
    orders = _customer_orders(session, shop, email, order_ids)
    checkouts = _customer_checkouts(session, shop, email)
    ledger = _customer_ledger_orders(session, shop, email, order_ids)
    content = {
        "request_id": request_id,
        "generated_at": utcnow().isoformat(),
        "customer": {"email": email},
        "orders": [
            {
                "platform_id": o.platform_id,
                "name": o.name,
                "email": o.email,
                "currency": o.currency,
                "total": str(o.total),
                "refunded": str(o.refunded_total),
                "status": o.financial_status,
            }
            for o in orders
        ],
        "checkouts": [
            {
                "token": c.token,
                "created_at": c.created_at.isoformat(),
                "email": c.email,
                "shipping_address": c.shipping_address,
                "items": c.items,
            }
            for c in checkouts
        ],
        "cartpath_orders": [
            {
                "reference": o.reference,
                "platform_order_id": o.platform_order_id,
                "created_at": o.created_at.isoformat(),
                "email": o.email,
                "shipping_address": o.shipping_address,
                "lines": o.lines,
                "currency": o.currency,
                "total": str(o.total),
            }
            for o in ledger
        ],
    }
    export = session.scalar(
        select(DataExport).where(DataExport.shop_id == shop.id, DataExport.request_id == request_id)
    )
    if export is None:
        export = DataExport(shop_id=shop.id, request_id=request_id, email=email, content=content)
        session.add(export)
    else:
        export.content = content
    session.flush()
    audit.record(
        session,
        shop_id=shop.id,
        actor=f"{shop.platform.value}:privacy",
        action="privacy.data_requested",
        target=f"request:{request_id}",
        details={"orders": len(orders)},
    )
    return export


def redact_customer(session: Session, shop: Shop, *, email: str, order_ids: Sequence[str]) -> int:
    """Erase the customer's personal data; returns how many records changed."""
    changed = 0
    for order in _customer_orders(session, shop, email, order_ids):
        order.email = ""
        changed += 1
    for checkout in _customer_checkouts(session, shop, email):
        checkout.email, checkout.shipping_address = "", None
        changed += 1
    # The ledger keeps its amounts (the merchant's books); the person is taken out of it.
    for order in _customer_ledger_orders(session, shop, email, order_ids):
        order.email, order.shipping_address = "", None
        changed += 1
    if email:
        events = session.scalars(
            select(WebhookEvent).where(
                WebhookEvent.shop_id == shop.id, WebhookEvent.body.like(_like(email), escape="\\")
            )
        ).all()
        for event in events:
            event.body = REDACTED_BODY
            changed += 1
        changed += session.execute(
            delete(DataExport).where(
                DataExport.shop_id == shop.id, func.lower(DataExport.email) == email.lower()
            )
        ).rowcount
    audit.record(
        session,
        shop_id=shop.id,
        actor=f"{shop.platform.value}:privacy",
        action="privacy.customer_redacted",
        details={"records": changed},
    )
    return changed


def erase_shop(session: Session, shop: Shop, *, keep_event_id: int) -> None:
    """Erase everything the shop's install left, but the (anonymous) shop row itself."""
    # Children before the rows they reference (PostgreSQL checks the foreign keys).
    for model in (
        AnalyticsEvent,
        DailyFigures,
        WritebackAttempt,
        ShownOffer,
        Payment,
        Order,
        FunnelVersion,
        Funnel,
        Alert,
        PlatformOrder,
        PlatformProduct,
        Checkout,
        CheckoutDesign,
        DataExport,
        OrderExport,
        StaffMember,
        AuditLog,
    ):
        session.execute(delete(model).where(model.shop_id == shop.id))
    session.execute(
        delete(WebhookEvent).where(
            WebhookEvent.shop_id == shop.id, WebhookEvent.id != keep_event_id
        )
    )
    session.get(WebhookEvent, keep_event_id).body = REDACTED_BODY
    session.execute(
        delete(Outbox).where(
            Outbox.shop_id == shop.id, Outbox.status.in_([OutboxStatus.DONE, OutboxStatus.FAILED])
        )
    )
    shop.name, shop.scopes = "", ""
    shop.access_token_encrypted = shop.refresh_token_encrypted = None
    shop.webhook_secret_encrypted = None
    audit.record(
        session,
        shop_id=shop.id,
        actor=f"{shop.platform.value}:privacy",
        action="privacy.shop_erased",
    )

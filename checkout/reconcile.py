"""Reconciliation: each hosted shop's recent platform orders against Cartpath's ledger.

The write-back makes one platform order per ledger order; this job checks that it did
and repairs what it can. A ledger order not marked written whose reference is on the
platform is linked (its response was lost after the last try); one missing from the
platform is queued again, unless a write-back for it is still pending; a platform
order with a Cartpath reference the ledger lacks, or with another total, is reported
with a staff alert, never changed: money differences are for people to look at.
Platforms send order webhooks late or not at all
(https://shopify.dev/docs/apps/build/webhooks/best-practices), hence a periodic check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from checkout.models import Order, OrderStatus
from checkout.writeback import ALERT_KIND as WRITEBACK_ALERT
from checkout.writeback import alert_subject, requeue
from core.alerts import raise_alert, resolve_alerts
from core.db import utcnow
from core.jobs import RetryPolicy, job, spec_of
from core.models import Outbox, OutboxStatus, Shop, ShopMode
from core.services import Services, services
from platforms.order_writers import writer_for
from platforms.orders import PlatformOrderRef

log = logging.getLogger(__name__)

ALERT_KIND = "reconcile_difference"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Difference:
    reference: str
    kind: str  # "linked" | "requeued" | "not_on_platform" | "unknown_to_ledger" | "total"
    detail: str


@dataclass
class ReconcileReport:
    shop_id: int
    checked: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.differences)

    def add(self, reference: str, kind: str, detail: str) -> None:
        self.differences.append(Difference(reference, kind, detail))


def reconcile(shop_id: int) -> ReconcileReport:
    """Compare one shop over the configured window, repair, and report what differed."""
    svc = services()
    since = utcnow() - timedelta(seconds=svc.config.reconcile_window)
    with svc.database.session() as session:
        platform = session.get(Shop, shop_id).platform
    on_platform = writer_for(platform).list_references(shop_id, since)
    report = ReconcileReport(shop_id)
    with svc.database.session() as session:
        ledger = {
            o.reference: o
            for o in session.scalars(
                select(Order).where(Order.shop_id == shop_id, Order.created_at >= since)
            )
        }
        report.checked = len(ledger)
        for reference, order in ledger.items():
            _check_ledger_order(session, report, order, on_platform.get(reference))
        unknown = set(on_platform) - set(ledger)
        older = _orders_by_reference(session, shop_id, unknown)
        for reference in sorted(unknown):
            if reference in older:
                _check_ledger_order(session, report, older[reference], on_platform[reference])
            else:
                _report(session, report, shop_id, reference, "unknown_to_ledger", "")
        session.commit()
    if report.count:
        log.warning("reconciliation of shop %s: %d differences", shop_id, report.count)
    return report


def _check_ledger_order(
    session: Session, report: ReconcileReport, order: Order, found: PlatformOrderRef | None
) -> None:
    if found is None:
        if order.status is OrderStatus.WRITTEN:
            detail = f"written as {order.platform_order_number}, no longer on the platform"
            _report(session, report, order.shop_id, order.reference, "not_on_platform", detail)
        elif not _write_back_pending(session, order):
            requeue(session, order)
            order.status = OrderStatus.PLACED
            report.add(order.reference, "requeued", "missing on the platform: write-back queued")
        return
    if order.status is not OrderStatus.WRITTEN:
        order.platform_order_id, order.platform_order_number = found.platform_id, found.number
        order.status, order.written_at, order.writeback_error = OrderStatus.WRITTEN, utcnow(), None
        resolve_alerts(
            session,
            shop_id=order.shop_id,
            kind=WRITEBACK_ALERT,
            subject=alert_subject(order.reference),
        )
        report.add(order.reference, "linked", f"found on the platform as {found.number}")
    if found.total is not None and found.total.quantize(CENT) != order.total.quantize(CENT):
        detail = f"platform total {found.total}, ledger total {order.total} {order.currency}"
        _report(session, report, order.shop_id, order.reference, "total", detail)


def _report(
    session: Session, report: ReconcileReport, shop_id: int, reference: str, kind: str, detail: str
) -> None:
    messages = {
        "not_on_platform": f"Order {reference} is in Cartpath but not on the platform: {detail}.",
        "unknown_to_ledger": f"The platform has order {reference} that Cartpath never placed.",
        "total": f"Order {reference} has another total on the platform: {detail}.",
    }
    report.add(reference, kind, detail)
    raise_alert(
        session,
        shop_id=shop_id,
        kind=ALERT_KIND,
        subject=alert_subject(reference),
        message=messages[kind],
    )


def _orders_by_reference(session: Session, shop_id: int, references: set[str]) -> dict[str, Order]:
    if not references:
        return {}
    rows = session.scalars(
        select(Order).where(Order.shop_id == shop_id, Order.reference.in_(references))
    )
    return {o.reference: o for o in rows}


def _write_back_pending(session: Session, order: Order) -> bool:
    """Whether a write-back of this order is queued or running (it may still succeed)."""
    return (
        session.scalar(
            select(Outbox.id)
            .where(
                Outbox.dedupe_key.like(f"writeback:{order.id}:%")
                | (Outbox.dedupe_key == f"writeback:{order.id}"),
                Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.RUNNING)),
            )
            .limit(1)
        )
        is not None
    )


@job(retry=RetryPolicy(max_attempts=1, backoff=()), timeout=600)
def reconcile_shop(shop_id: int) -> int:
    """The queued form of reconcile(); returns the number of differences."""
    return reconcile(shop_id).count


def reconcile_hosted_shops(svc: Services) -> int:
    """The periodic task: queue a reconciliation per installed hosted shop."""
    with svc.database.session() as session:
        shop_ids = session.scalars(
            select(Shop.id).where(
                Shop.mode == ShopMode.HOSTED,
                Shop.installed_at.is_not(None),
                Shop.uninstalled_at.is_(None),
            )
        ).all()
    for shop_id in shop_ids:
        svc.jobs.enqueue(spec_of(reconcile_shop), (shop_id,), job_id=f"reconcile-{shop_id}")
    return len(shop_ids)

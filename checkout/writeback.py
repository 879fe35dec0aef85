"""The write-back job: a placed order becomes exactly one paid order on the shop's platform.

Driven by the outbox row place_order wrote, so a lost queue job, a killed worker or a
Redis restart only delays it. Every attempt after the first looks the order up on the
platform by Cartpath's reference before creating it, so a create whose response was
lost is found, not repeated (the first has nothing to find: one request less per order).
No transaction is open while the platform is called. Throttling (429,
Shopify's THROTTLED) is waited out for as long as the platform's Retry-After asks;
5xx and timeouts fail the attempt and the outbox retries it with jittered backoff.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from checkout.attempts import Attempt, describe
from checkout.models import (
    AttemptOutcome,
    Checkout,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from core.alerts import raise_alert, resolve_alerts
from core.db import utcnow
from core.jobs import RetryPolicy, job
from core.models import Shop
from core.outbox import defer
from core.services import services
from platforms.errors import FinalError, RetriableError
from platforms.order_writers import writer_for
from platforms.orders import (
    GatewayCharge,
    LineToWrite,
    OrderToWrite,
    OrderWriter,
    PlatformOrderRef,
)
from platforms.pricing import Address, ShippingOption

ALERT_KIND = "writeback_failed"


@dataclass(frozen=True)
class JitteredBackoff(RetryPolicy):
    """The policy's delays times CARTPATH_WRITEBACK_BACKOFF_SCALE, spread by ±50% so a
    platform recovering from an outage is not hit by every shop's retries at once."""

    def delay_after(self, attempt: int) -> float:
        scale = services().config.writeback_backoff_scale
        return super().delay_after(attempt) * scale * random.uniform(0.5, 1.5)  # noqa: S311


# 8 attempts over about an hour; the first retry waits out Shopify's search-index lag.
WRITEBACK_RETRY = JitteredBackoff(max_attempts=8, backoff=(10, 30, 60, 120, 300, 600, 1800))


def alert_subject(reference: str) -> str:
    """Alerts about one order share this subject, so the admin shows them on its timeline."""
    return f"order:{reference}"


def _give_up(order_id: int, message: str) -> None:
    """The last attempt failed: the order is FAILED and staff see an alert to retry it."""
    _fail(order_id, message)


def _fail(order_id: int, message: str, attempt: Attempt | None = None) -> None:
    with services().database.session() as session:
        order = session.get(Order, order_id)
        if order is None or order.status is OrderStatus.WRITTEN:
            return
        attempt = attempt or Attempt.last(session, order_id, message)
        if attempt is not None:
            attempt.finish(session, AttemptOutcome.FAILED)
        order.status, order.writeback_error = OrderStatus.FAILED, message
        raise_alert(
            session,
            shop_id=order.shop_id,
            kind=ALERT_KIND,
            subject=alert_subject(order.reference),
            message=f"Order {order.reference} could not be written to the platform: {message}",
        )
        session.commit()


@job(retry=WRITEBACK_RETRY, timeout=30, on_give_up=_give_up)
def write_back_order(order_id: int) -> str:
    """One attempt: find the order on the platform, else create it; record the outcome.

    :raises RetriableError: the platform did not answer; the outbox tries again later.
    """
    with services().database.session() as session:
        order = session.get(Order, order_id)
        if order is None:
            return "missing"
        if order.status is OrderStatus.WRITTEN:
            return "written"
        order.writeback_attempts += 1
        attempt = Attempt.start(
            session, shop_id=order.shop_id, order_id=order.id, number=order.writeback_attempts
        )
        platform = session.get(Shop, order.shop_id).platform
        shop_id, wanted = order.shop_id, order_to_write(session, order)
        # The count is committed before any platform call, so on the first attempt no
        # earlier request can have made the order: there is nothing to look up yet.
        look_first = order.writeback_attempts > 1
        session.commit()
    try:
        written = _find_or_create(writer_for(platform), shop_id, wanted, look_first=look_first)
    except FinalError as refusal:
        # Retrying cannot change the platform's mind: give up now, visibly.
        _fail(order_id, describe(refusal), attempt.failed_with(refusal))
        return "failed"
    except Exception as error:
        _keep_error(order_id, attempt.failed_with(error))
        raise
    _record_written(order_id, written, attempt)
    return "written"


def _find_or_create(
    writer: OrderWriter, shop_id: int, order: OrderToWrite, *, look_first: bool
) -> PlatformOrderRef:
    """Throttling is waited out as the platform asks, for up to writeback_throttle_wait_max
    seconds in all: many short waits (Shopify's bucket refills continuously) must not fail
    the attempt into the outbox's much longer backoff; a long one is left to that backoff."""
    budget = services().config.writeback_throttle_wait_max
    while True:
        try:
            found = (
                writer.find(shop_id, order.reference, order.platform_ref) if look_first else None
            )
            return found or writer.create(shop_id, order)
        except RetriableError as error:
            wait = error.retry_after
            if wait is None or wait > budget:
                raise
            budget -= wait
            # A failed create may still have made the order (a 5xx after the commit).
            look_first = True
            time.sleep(wait)


def order_to_write(session: Session, order: Order) -> OrderToWrite:
    """The ledger's order with the charge that paid for it, as the platform writers take it."""
    payment = session.scalars(
        select(Payment)
        .where(
            Payment.order_id == order.id,
            Payment.kind == PaymentKind.CHECKOUT,
            Payment.status == PaymentStatus.SUCCEEDED,
        )
        .order_by(Payment.id)
    ).first()
    if payment is None:
        raise FinalError(f"order {order.reference} has no succeeded payment")
    checkout = session.get(Checkout, order.checkout_id)
    shipping = order.shipping_option
    return OrderToWrite(
        reference=order.reference,
        platform_ref=checkout.platform_ref if checkout else None,
        currency=order.currency,
        email=order.email,
        lines=tuple(
            LineToWrite(
                variant_id=str(line["variant_id"]),
                product_id=str(line.get("product_id") or ""),
                title=line["title"],
                sku=line.get("sku") or "",
                quantity=int(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
            )
            for line in order.lines
        ),
        shipping_address=Address(**order.shipping_address) if order.shipping_address else None,
        shipping=ShippingOption(
            shipping["id"],
            shipping["title"],
            Decimal(shipping["price"]),
            pickup=bool(shipping.get("pickup")),
            instructions=shipping.get("instructions", ""),
        )
        if shipping
        else None,
        discount_code=order.discount_codes[0] if order.discount_codes else None,
        discount_total=order.discount_total,
        subtotal=order.subtotal,
        shipping_total=order.shipping_total,
        tax_total=order.tax_total,
        total=order.total,
        charge=GatewayCharge(payment.gateway, payment.intent_id or "", payment.amount),
    )


def _record_written(order_id: int, written: PlatformOrderRef, attempt: Attempt) -> None:
    with services().database.session() as session:
        attempt.finish(session, AttemptOutcome.WRITTEN)
        order = session.get(Order, order_id)
        order.platform_order_id, order.platform_order_number = (
            written.platform_id,
            written.number,
        )
        order.status, order.written_at, order.writeback_error = OrderStatus.WRITTEN, utcnow(), None
        if order.writeback_attempts > 1:  # only a failed attempt can have raised an alert
            resolve_alerts(
                session,
                shop_id=order.shop_id,
                kind=ALERT_KIND,
                subject=alert_subject(order.reference),
            )
        session.commit()


def _keep_error(order_id: int, attempt: Attempt) -> None:
    """The admin's order timeline shows the last attempt's error while retries go on."""
    with services().database.session() as session:
        attempt.finish(session, AttemptOutcome.RETRYING)
        order = session.get(Order, order_id)
        order.writeback_error = attempt.error
        session.commit()


def requeue(session: Session, order: Order) -> int:
    """Queue the write-back again (a staff retry, a reconciliation repair); returns the
    outbox row. The key names the attempt count, so asking twice before it runs queues once."""
    return defer(
        session,
        write_back_order,
        order.id,
        dedupe_key=f"writeback:{order.id}:after-{order.writeback_attempts}",
        shop_id=order.shop_id,
    )


def retry_write_back(session: Session, order: Order) -> int:
    """Staff asked to retry a FAILED write-back (admin, issue #11); sent after commit.

    The order's own write-back only, never a paid upsell item that gave up: its alert asks
    staff to add the item by hand, and a hand-added item carries no marker
    (upsell/lines.py), so adding it again could put it on the order twice.

    :raises ValueError: the order is not failed (written, or still being retried).
    """
    if order.status is not OrderStatus.FAILED:
        raise ValueError(f"Order {order.reference} is {order.status.value}, not failed.")
    order.status = OrderStatus.PLACED
    return requeue(session, order)

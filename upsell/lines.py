"""Adding a paid offer's item to the platform order, once, through the outbox.

The platform order carries a marker of the offer (written with the line, looked for
before adding), so a retry after a lost response or a dead worker adds nothing twice.
Each try is recorded like the order's own write-back tries (checkout/attempts.py), so
support sees on the order's timeline that the item was added, retried or given up.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from checkout.attempts import Attempt, tries_so_far
from checkout.models import AttemptOutcome, Order, Payment
from checkout.writeback import JitteredBackoff
from core.alerts import raise_alert
from core.jobs import job
from core.models import Shop
from core.money import Money
from core.services import services
from platforms.errors import RetriableError
from platforms.order_writers import writer_for
from platforms.orders import GatewayCharge, LineToAdd
from upsell.models import OfferStatus, ShownOffer

# Waits for the order's own write-back first (seconds), then backs off like it.
UPSELL_LINE_RETRY = JitteredBackoff(max_attempts=9, backoff=(2, 5, 10, 30, 60, 300, 600, 1800))
ALERT_KIND = "upsell_line_failed"


def upsell_marker(shown: ShownOffer) -> str:
    """Written on the platform order with the added line. Short (Shopify tags hold 40
    characters) and not "cartpath-…", which names the order's own reference."""
    return f"cpupsell-{shown.id}"


def _give_up_line(shown_offer_id: int, message: str) -> None:
    """The last try failed: it is recorded as given up and staff are asked to add the item."""
    with services().database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
        last = Attempt.last(session, shown.order_id, message, shown_offer_id=shown.id)
        if last is not None:
            last.finish(session, AttemptOutcome.FAILED)
        raise_alert(
            session,
            shop_id=shown.shop_id,
            kind=ALERT_KIND,
            subject=f"order:{shown.order_reference}",
            message=f"The paid upsell {shown.offer_key} of order {shown.order_reference} "
            f"could not be added to the platform order: {message}. Add it by hand.",
        )
        session.commit()


@job(retry=UPSELL_LINE_RETRY, timeout=30, on_give_up=_give_up_line)
def add_upsell_line(shown_offer_id: int) -> str:
    """Add a paid offer's item to the platform order, once; record the try's outcome.

    :raises RetriableError: the order is not on the platform yet, or it did not answer.
    """
    with services().database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
        if shown is None or shown.status is not OfferStatus.PAID:
            return "not paid"
        order = session.get(Order, shown.order_id)
        attempt = Attempt.start(
            session,
            shop_id=shown.shop_id,
            order_id=order.id,
            number=tries_so_far(session, order.id, shown.id) + 1,
            shown_offer_id=shown.id,
        )
        if order.platform_order_id is None:
            waiting = RetriableError("the order is not on the platform yet", retry_after=2)
            attempt.failed_with(waiting).finish(session, AttemptOutcome.RETRYING)
            session.commit()
            raise waiting
        platform = session.get(Shop, shown.shop_id).platform
        line = _line_to_add(session, shown)
        shop_id, platform_order_id = shown.shop_id, order.platform_order_id
        session.commit()
    try:
        added = writer_for(platform).add_line(shop_id, platform_order_id, line)
    except Exception as error:
        _finish(attempt.failed_with(error), AttemptOutcome.RETRYING)
        raise
    _finish(attempt, AttemptOutcome.WRITTEN if added else AttemptOutcome.ALREADY_THERE)
    return "added" if added else "already there"


def _line_to_add(session: Session, shown: ShownOffer) -> LineToAdd:
    """The item at the price the shopper paid, with the charge that paid for it."""
    payment = session.get(Payment, shown.payment_id)
    return LineToAdd(
        marker=upsell_marker(shown),
        variant_id=str(shown.variant_id),
        product_id=str(shown.quote["product_id"]),
        quantity=shown.quantity,
        currency=shown.currency,
        unit_price=Decimal(shown.quote["unit_price"]),
        list_unit_price=Decimal(shown.quote["list_unit_price"]),
        shipping=Decimal(shown.quote["shipping"]),
        charge=GatewayCharge(
            payment.gateway,
            payment.intent_id or "",
            Money.of(payment.amount, payment.currency).rounded().amount,
        ),
    )


def _finish(attempt: Attempt, outcome: AttemptOutcome) -> None:
    with services().database.session() as session:
        attempt.finish(session, outcome)
        session.commit()

"""Adding a paid offer's item to the platform order, once, through the outbox.

The platform order carries a marker of the offer (written with the line, looked for
before adding), so a retry after a lost response or a dead worker adds nothing twice.
"""

from __future__ import annotations

from decimal import Decimal

from checkout.models import Order, Payment
from core.alerts import raise_alert
from core.jobs import RetryPolicy, job
from core.models import Shop
from core.money import Money
from core.services import services
from platforms.errors import RetriableError
from platforms.order_writers import writer_for
from platforms.orders import GatewayCharge, LineToAdd
from upsell.models import OfferStatus, ShownOffer

# Waits for the order's own write-back first (seconds), then backs off like it.
UPSELL_LINE_RETRY = RetryPolicy(max_attempts=9, backoff=(2, 5, 10, 30, 60, 300, 600, 1800))
ALERT_KIND = "upsell_line_failed"


def upsell_marker(shown: ShownOffer) -> str:
    """Written on the platform order with the added line. Short (Shopify tags hold 40
    characters) and not "cartpath-…", which names the order's own reference."""
    return f"cpupsell-{shown.id}"


def _give_up_line(shown_offer_id: int, message: str) -> None:
    with services().database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
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
    """Add a paid offer's item to the platform order, once.

    :raises RetriableError: the order is not on the platform yet, or it did not answer.
    """
    with services().database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
        if shown is None or shown.status is not OfferStatus.PAID:
            return "not paid"
        order = session.get(Order, shown.order_id)
        if order.platform_order_id is None:
            raise RetriableError("the order is not on the platform yet", retry_after=2)
        platform = session.get(Shop, shown.shop_id).platform
        payment = session.get(Payment, shown.payment_id)
        line = LineToAdd(
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
        shop_id, platform_order_id = shown.shop_id, order.platform_order_id
        session.commit()
    added = writer_for(platform).add_line(shop_id, platform_order_id, line)
    return "added" if added else "already there"

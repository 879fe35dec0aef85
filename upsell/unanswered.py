"""Upsell charges the gateway never answered: re-sent until they are settled.

An accepted offer records its Payment PENDING before the gateway is called. When the
answer is lost (a timeout after the library's own retries, a dropped connection, the
web process dying mid-request) the offer would stay ACCEPTED forever, perhaps charged
and never added. A periodic task queues each PENDING upsell payment older than the
outbox's grace period through the outbox, and the job re-sends the exact same request
(same idempotency key, so the gateway answers what it did the first time): paid goes
on to the platform order, declined adds nothing. A charge that cannot be settled after
the last retry raises a staff alert.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from checkout.models import Payment, PaymentKind, PaymentStatus
from checkout.writeback import JitteredBackoff
from core.alerts import raise_alert, resolve_alerts
from core.db import utcnow
from core.jobs import job
from core.outbox import defer
from core.services import Services, services
from payments.gateway import ChargeStatus, GatewayUnavailable
from payments.gateways import gateway_for
from platforms.errors import RetriableError
from upsell.hosted import OfferProblem, send_charge, settle
from upsell.models import ShownOffer

log = logging.getLogger(__name__)

ALERT_KIND = "upsell_charge_unanswered"
# About three hours of tries (times CARTPATH_WRITEBACK_BACKOFF_SCALE), then an alert.
RESEND_RETRY = JitteredBackoff(max_attempts=7, backoff=(10, 30, 60, 300, 1800, 7200))


def queue_unanswered(svc: Services) -> int:
    """The periodic task: queue a re-send for each upsell payment left PENDING longer than
    the grace period (once per payment: the outbox row is keyed by it)."""
    cutoff = utcnow() - timedelta(seconds=svc.config.sweep_grace)
    with svc.database.session() as session:
        stale = session.execute(
            select(Payment.id, Payment.shop_id)
            .where(
                Payment.kind == PaymentKind.UPSELL,
                Payment.status == PaymentStatus.PENDING,
                Payment.created_at < cutoff,
            )
            .order_by(Payment.id)
            .limit(500)
        ).all()
        for payment_id, shop_id in stale:
            defer(
                session,
                resend_upsell_charge,
                payment_id,
                dedupe_key=f"upsell-charge:{payment_id}",
                shop_id=shop_id,
            )
        session.commit()
    if stale:
        log.info("queued %d unanswered upsell charges", len(stale))
    return len(stale)


def _subject(shown: ShownOffer) -> str:
    return f"order:{shown.order_reference}"


def _alert(payment_id: int, message: str) -> None:
    with services().database.session() as session:
        payment = session.get(Payment, payment_id)
        shown = session.scalar(select(ShownOffer).where(ShownOffer.payment_id == payment_id))
        if payment is None or shown is None or payment.status is not PaymentStatus.PENDING:
            return
        raise_alert(
            session,
            shop_id=payment.shop_id,
            kind=ALERT_KIND,
            subject=_subject(shown),
            message=f"The upsell {shown.offer_key} of order {shown.order_reference} was "
            f"accepted but the card gateway never answered its charge ({message}). Look up "
            f"the charge with idempotency key {payment.idempotency_key}: if it was taken, "
            "add the item to the order by hand or refund it.",
        )
        session.commit()


@job(retry=RESEND_RETRY, timeout=60, on_give_up=_alert)
def resend_upsell_charge(payment_id: int) -> str:
    """Send the PENDING payment's charge again, exactly as before, and settle the answer.

    The shopper has left the page, so a charge that now asks for 3-D Secure is cancelled
    (nobody can authenticate it) unless it completed meanwhile.

    :raises RetriableError: the gateway still does not answer.
    """
    with services().database.session() as session:
        payment = session.get(Payment, payment_id)
        if payment is None or payment.status is not PaymentStatus.PENDING:
            return "settled"
        shown = session.scalar(select(ShownOffer).where(ShownOffer.payment_id == payment.id))
        try:
            charge = send_charge(session, shown, payment)
            if charge.status is ChargeStatus.REQUIRES_ACTION and charge.intent_id:
                charge = gateway_for(services().config).cancel(charge.intent_id)
        except GatewayUnavailable as error:
            raise RetriableError(f"the gateway did not answer: {error}") from error
        try:
            settle(session, shown, payment, charge)
        except OfferProblem:
            log.info("re-sent upsell payment %s was declined; nothing added", payment_id)
        resolve_alerts(session, shop_id=shown.shop_id, kind=ALERT_KIND, subject=_subject(shown))
        session.commit()
        return charge.status.value

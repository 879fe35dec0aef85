"""Taking the payment: one charge per checkout, never two, and never a charge for a
total the shopper was not shown.

The order of things matters (issue 8):
1. the card-testing defence (a locked checkout, attempts per checkout, IP and shop);
2. a fresh quote from the platform; a total other than the one shown charges nothing;
3. the checkout's payment lease, so a second tab or a double submit waits instead;
4. the Payment row with its idempotency key, committed before the gateway is called
   (no transaction is open across the call); the same key is the same charge;
5. the gateway's answer: paid (the order is placed in the same transaction),
   authentication needed (3-D Secure), or declined (the lease is released).
A Payment left PENDING by a crash or a lost answer, or left waiting for 3-D Secure,
is settled before any new charge of the same checkout: re-sent with its own key, or
cancelled, so it can never be paid beside a newer one.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from checkout.models import (
    Checkout,
    CheckoutStatus,
    Order,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from checkout.placing import OrderRefusedError, place_order
from checkout.pricing import requote
from core.alerts import raise_alert
from core.db import utcnow
from core.models import Shop
from core.money import Money
from core.services import services
from payments.gateway import Charge, ChargeStatus, Gateway, GatewayError, GatewayUnavailable
from payments.gateways import gateway_for
from payments.limits import count_attempt, is_locked, lock_after_declines
from platforms.errors import FinalError

log = logging.getLogger(__name__)

_PAYMENT_METHOD = re.compile(r"^[A-Za-z0-9_]{1,255}$")
_SAVE, _ONCE = "save", "once"
LOCKED_MESSAGE = (
    "For your security, payments for this checkout are paused after several declined "
    "cards. Please contact the store to complete your order."
)
IN_PROGRESS_MESSAGE = (
    "A payment for this checkout is already in progress (perhaps in another window). "
    "This page will show the result in a moment; please do not pay again."
)


class PaymentProblem(Exception):
    """Nothing was charged (or the charge was refused); `message` is for the shopper."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PaymentDeclined(PaymentProblem):
    status = 402


class TotalChanged(PaymentProblem):
    status = 409


class PaymentInProgress(PaymentProblem):
    status = 409


class CheckoutLocked(PaymentProblem):
    status = 423


class PaymentsUnavailable(PaymentProblem):
    status = 503


class QuoteRefused(PaymentProblem):
    """The platform no longer prices this checkout (its cart is gone, say)."""

    status = 409


@dataclass(frozen=True)
class Outcome:
    """Where the shopper goes next: the placed order, or the bank's 3-D Secure page."""

    order: Order | None = None
    action_url: str | None = None


@dataclass(frozen=True)
class PayForm:
    """What the payment form posted, as the shopper's browser sent it."""

    payment_method_id: str
    shown_total: str
    save_card: bool


def pay(
    session: Session,
    checkout: Checkout,
    shop: Shop,
    form: PayForm,
    *,
    client_ip: str,
    return_url: str,
) -> Outcome:
    """Charge the checkout's quoted total once.

    :raises PaymentProblem: (a subclass) nothing more was charged; tell the shopper why.
    :raises TooManyAttempts: a card-testing limit is reached.
    :raises RetriableError: the platform did not answer the re-quote; nothing was charged.
    """
    gateway = _gateway()
    payment_method, shown_total = _validated(form)
    _ready_to_pay(checkout)
    if is_locked(session, checkout):
        raise CheckoutLocked(LOCKED_MESSAGE)
    count_attempt(checkout, client_ip)
    session.commit()  # end the read: no transaction stays open across the platform call

    shown_currency = checkout.currency
    try:
        quote = requote(checkout, shop.platform)
    except FinalError as refusal:
        log.warning("checkout %s could not be re-quoted: %s", checkout.id, refusal)
        session.rollback()
        raise QuoteRefused(
            "The store could not confirm your order, so nothing was charged. "
            "Please return to the store's cart and check out again."
        ) from None
    if quote.total != shown_total or quote.currency != shown_currency:
        session.commit()
        raise TotalChanged(
            f"The store updated your total to {_money(quote.total, quote.currency, shop)}. "
            "Please check your order and pay again."
        )
    if any(not line.available for line in quote.lines):
        session.commit()
        raise PaymentProblem("Some items are no longer available. Please return to the cart.")
    amount = Money.of(quote.total, quote.currency)
    key = idempotency_key(checkout, amount, payment_method, save_card=form.save_card)
    if not _take_lease(session, checkout):
        raise PaymentInProgress(IN_PROGRESS_MESSAGE)
    try:
        for earlier in _open_payments(session, checkout, except_key=key):
            outcome = _settle_earlier(session, checkout, shop, gateway, earlier, return_url)
            if outcome is not None:
                return outcome
        payment = session.scalar(select(Payment).where(Payment.idempotency_key == key))
        if payment is None:
            payment = Payment(
                shop_id=checkout.shop_id,
                checkout_id=checkout.id,
                kind=PaymentKind.CHECKOUT,
                gateway=gateway.name,
                idempotency_key=key,
                amount=amount.amount,
                currency=amount.currency,
                payment_method_id=payment_method,
            )
            session.add(payment)
            session.commit()
        elif payment.status is PaymentStatus.FAILED:
            raise PaymentDeclined(payment.message or "Your card was declined.")
        charge = _send(gateway, payment, checkout, shop, return_url)
        return _settle(session, checkout, payment, charge)
    finally:
        _release_lease(session, checkout)


def finish_authentication(
    session: Session, checkout: Checkout, shop: Shop, intent_id: str
) -> Outcome:
    """The shopper is back from 3-D Secure: pay, or say why not.

    :raises PaymentProblem: the payment is unknown, declined, or being finished elsewhere.
    """
    gateway = _gateway()
    payment = session.scalar(
        select(Payment).where(
            Payment.checkout_id == checkout.id, Payment.intent_id == intent_id[:255]
        )
    )
    if payment is None:
        raise PaymentProblem("We could not find this payment. Please pay again.")
    if payment.status is PaymentStatus.FAILED:
        raise PaymentDeclined(payment.message or "Your card was declined.")
    if not _take_lease(session, checkout):
        raise PaymentInProgress(IN_PROGRESS_MESSAGE)
    try:
        return _settle(session, checkout, payment, _retrieve(gateway, intent_id))
    finally:
        _release_lease(session, checkout)


def idempotency_key(
    checkout: Checkout, amount: Money, payment_method: str, *, save_card: bool
) -> str:
    """What is being paid for: this checkout, this amount and currency, this card.

    Whether the card is kept is part of the request the gateway sees, so it rides on
    the key (readable, so a PENDING payment can be re-sent exactly as it was).
    """
    material = f"{checkout.token}|{amount.amount}|{amount.currency}|{payment_method}"
    digest = hashlib.sha256(material.encode()).hexdigest()
    return f"cartpath-checkout-{digest}-{_SAVE if save_card else _ONCE}"


def _gateway() -> Gateway:
    gateway = gateway_for(services().config)
    if gateway is None:
        raise PaymentsUnavailable(
            "This store cannot take card payments at the moment. Please contact the store."
        )
    return gateway


def _validated(form: PayForm) -> tuple[str, Decimal]:
    if not form.payment_method_id:
        raise PaymentProblem(
            "Enter your card details. Paying by card needs JavaScript switched on."
        )
    if not _PAYMENT_METHOD.match(form.payment_method_id):
        raise PaymentProblem("Your card details could not be read. Please enter them again.")
    try:
        shown = Decimal(form.shown_total.strip())
    except ArithmeticError:
        raise PaymentProblem("The payment form was incomplete. Please pay again.") from None
    if not shown.is_finite():
        raise PaymentProblem("The payment form was incomplete. Please pay again.")
    return form.payment_method_id, shown


def _ready_to_pay(checkout: Checkout) -> None:
    quote = checkout.quote or {}
    if not checkout.email or not checkout.shipping_address:
        raise PaymentProblem("Enter your email and shipping address before paying.")
    if quote.get("shipping_options") and not checkout.shipping_option:
        raise PaymentProblem("Choose a delivery option before paying.")
    if "total" not in quote:
        raise PaymentProblem("Your order has no total yet. Please reload the page.")


def _money(amount: Decimal, currency: str, shop: Shop) -> str:
    return Money.of(amount, currency).format(shop.locale)


def _take_lease(session: Session, checkout: Checkout) -> bool:
    """Atomically claim the right to charge this checkout (commits)."""
    now = utcnow()
    claimed = session.execute(
        update(Checkout)
        .where(
            Checkout.id == checkout.id,
            Checkout.status == CheckoutStatus.OPEN,
            or_(Checkout.payment_lease_until.is_(None), Checkout.payment_lease_until < now),
        )
        .values(payment_lease_until=now + timedelta(seconds=services().config.payment_lease))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def _release_lease(session: Session, checkout: Checkout) -> None:
    session.rollback()  # whatever a failure left half-done is not ours to keep
    session.execute(
        update(Checkout)
        .where(Checkout.id == checkout.id)
        .values(payment_lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _open_payments(session: Session, checkout: Checkout, *, except_key: str) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment).where(
                Payment.checkout_id == checkout.id,
                Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)),
                Payment.idempotency_key != except_key,
            )
        )
    )


def _settle_earlier(
    session: Session,
    checkout: Checkout,
    shop: Shop,
    gateway: Gateway,
    payment: Payment,
    return_url: str,
) -> Outcome | None:
    """Close an earlier attempt before charging anew; its Outcome if it was paid."""
    if payment.status is PaymentStatus.PENDING:
        charge = _send(gateway, payment, checkout, shop, return_url)
    else:
        charge = _cancel(gateway, payment.intent_id or "")
    if charge.status is ChargeStatus.REQUIRES_ACTION and charge.intent_id:
        charge = _cancel(gateway, charge.intent_id)
    if charge.status is ChargeStatus.SUCCEEDED:
        return _settle(session, checkout, payment, charge)
    _record_failure(payment, charge)
    session.commit()
    return None


def _send(
    gateway: Gateway, payment: Payment, checkout: Checkout, shop: Shop, return_url: str
) -> Charge:
    """The payment's charge request, identical every time it is sent."""
    try:
        return gateway.charge(
            amount=Money.of(payment.amount, payment.currency).rounded(),
            payment_method=payment.payment_method_id or "",
            customer=None,
            idempotency_key=payment.idempotency_key,
            save_for_later=payment.idempotency_key.endswith(_SAVE),
            return_url=return_url,
            # Only what cannot change between two sends of the same key.
            description=f"Order at {shop.domain}",
            metadata={"cartpath_checkout": str(checkout.id), "shop": shop.domain},
        )
    except GatewayUnavailable:
        log.warning("gateway did not answer payment %s; it stays pending", payment.id)
        raise PaymentsUnavailable(
            "The card network did not answer. Please press Pay again in a moment: "
            "your card will not be charged twice."
        ) from None
    except GatewayError:
        log.exception("gateway refused payment %s", payment.id)
        raise PaymentsUnavailable(
            "We could not take the payment. Please try again or contact the store."
        ) from None


def _retrieve(gateway: Gateway, intent_id: str) -> Charge:
    try:
        return gateway.retrieve(intent_id)
    except GatewayError:
        log.exception("could not look up payment intent %s", intent_id)
        raise PaymentsUnavailable(
            "We could not confirm the payment yet. Please reload this page in a moment."
        ) from None


def _cancel(gateway: Gateway, intent_id: str) -> Charge:
    try:
        return gateway.cancel(intent_id)
    except GatewayError:
        log.exception("could not cancel payment intent %s", intent_id)
        raise PaymentsUnavailable(
            "An earlier payment attempt could not be closed. Please try again in a moment."
        ) from None


def _settle(session: Session, checkout: Checkout, payment: Payment, charge: Charge) -> Outcome:
    """Record the gateway's answer; a paid charge places the order in the same commit."""
    payment.intent_id = charge.intent_id or payment.intent_id
    if charge.status is ChargeStatus.SUCCEEDED:
        payment.status = PaymentStatus.SUCCEEDED
        payment.payment_method_id = charge.payment_method or payment.payment_method_id
        payment.customer_id = charge.customer
        payment.decline_code = payment.message = None
        try:
            order = place_order(session, checkout, payment)
        except OrderRefusedError as error:
            _alert_paid_without_order(session, payment, charge, str(error))
            raise PaymentProblem(
                "Your payment was received but the order could not be completed. The store "
                "has been told and will contact you; please do not pay again."
            ) from None
        session.commit()
        return Outcome(order=order)
    if charge.status is ChargeStatus.REQUIRES_ACTION:
        payment.status = PaymentStatus.REQUIRES_ACTION
        session.commit()
        return Outcome(action_url=charge.action_url)
    _record_failure(payment, charge)
    locked = lock_after_declines(session, checkout, services().config.payment_decline_lock)
    session.commit()
    if locked:
        raise CheckoutLocked(LOCKED_MESSAGE)
    raise PaymentDeclined(charge.message or "Your card was declined.")


def _alert_paid_without_order(
    session: Session, payment: Payment, charge: Charge, reason: str
) -> None:
    """A charge that succeeded for an amount the checkout no longer has (an earlier
    attempt re-sent after the total changed): keep the fact, and tell staff to refund."""
    session.rollback()
    payment.status = PaymentStatus.SUCCEEDED
    payment.intent_id = charge.intent_id
    raise_alert(
        session,
        shop_id=payment.shop_id,
        kind="payment_without_order",
        subject=f"payment:{payment.id}",
        message=f"Payment {payment.intent_id} was charged but no order was placed ({reason}). "
        "Refund it or place the order by hand.",
    )
    session.commit()


def _record_failure(payment: Payment, charge: Charge) -> None:
    payment.status = PaymentStatus.FAILED
    payment.intent_id = charge.intent_id or payment.intent_id
    payment.decline_code = charge.decline_code
    payment.message = charge.message

"""One-click offers after Cartpath's own checkout (hosted mode), on both platforms.

After payment the funnel for the order is chosen and its offers are recorded as
ShownOffer rows, each variant the shopper may choose priced then by the platform's
engine: the page shows exactly the stored totals and Accept charges exactly the chosen
one. Accept claims the row SHOWN -> ACCEPTED in one UPDATE (twenty clicks, one winner),
records the Payment PENDING and commits before the gateway is called with the shopper's
saved card, on-session. A declined offer may be paid with another card (FAILED ->
ACCEPTED, keyed by that card) or skipped; a charge whose answer was lost is re-sent by
upsell/unanswered.py. A paid offer queues the item for the platform order through the
outbox (upsell/lines.py), which adds it once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from checkout.models import Checkout, Order, Payment, PaymentKind, PaymentStatus
from core.db import utcnow
from core.models import Platform, Shop, ShopMode
from core.money import Money
from core.outbox import defer
from core.services import services
from core.tokens import could_be_issued
from payments.gateway import Charge, ChargeStatus, GatewayError
from payments.gateways import gateway_for
from platforms.errors import FinalError
from platforms.pricing import Address, CartItem, CheckoutState
from platforms.pricing_engines import engine_for
from upsell.funnels import FunnelDefinition, parse_definition
from upsell.lines import add_upsell_line
from upsell.matching import OrderFacts, choose_funnel
from upsell.models import FunnelVersion, OfferStatus, ShownOffer
from upsell.offers import (
    PricedOffer,
    can_sell,
    price_variants,
    record_event,
    why_closed,
    why_ended,
)
from upsell.service import active_funnels

log = logging.getLogger(__name__)

# Variants of one offer the shopper may choose between, each priced by the platform when
# the offer is made (every one costs platform calls on the way to the offer page).
MAX_CHOICES = 5


class OfferProblem(Exception):
    """Nothing (more) was charged; `message` is for the shopper, `status` the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Step:
    """Where the shopper goes after an answer: the bank's page, the next offer's token,
    or (both None) the thank-you page."""

    action_url: str | None = None
    next_offer: str | None = None


# -- after payment: which offers, priced now ------------------------------------------


def start_funnel(order_id: int) -> str | None:
    """The token of the first offer for this paid order (recorded and priced now), or
    None: no funnel applies, the shop is not hosted, or the card was not saved."""
    database = services().database
    with database.session() as session:
        order = session.get(Order, order_id)
        shop = session.get(Shop, order.shop_id)
        if shop.mode is not ShopMode.HOSTED:
            return None
        existing = _shown_of(session, order.id)
        if existing or order.funnel_version_id is not None:
            entry = _entry(session, existing)
            return entry.token if entry and entry.status is OfferStatus.SHOWN else None
        chosen = choose_funnel(active_funnels(session, shop.id), _facts(order))
        if chosen is None:
            record_event(
                session, shop.id, EventKind.OFFER_INELIGIBLE, order.reference, reason="no_match"
            )
            session.commit()
            return None
        if _saved_card(session, order) is None:
            record_event(
                session,
                shop.id,
                EventKind.OFFER_INELIGIBLE,
                order.reference,
                reason="no_saved_card",
            )
            session.commit()
            return None
        version, definition = chosen
        platform, shop_id, version_id = shop.platform, shop.id, version.id
        address = Address(**order.shipping_address) if order.shipping_address else None
        email = order.email
        delivery = order.shipping_option or {}
        pickup = delivery["id"] if delivery.get("pickup") else None
        session.commit()  # no transaction stays open across the platform's calls below
    quotes = {
        offer.key: [
            _quoted(platform, shop_id, email, address, pickup, priced) for priced in choices
        ]
        for offer in definition.in_path_order()
        if (choices := price_variants(platform, shop_id, offer, limit=MAX_CHOICES))
    }
    with database.session() as session:
        order = session.get(Order, order_id)
        if definition.entry not in quotes or any(
            q["currency"] != order.currency for choices in quotes.values() for q in choices
        ):
            reason = "out_of_stock" if definition.entry not in quotes else "currency"
            record_event(
                session, shop_id, EventKind.OFFER_INELIGIBLE, order.reference, reason=reason
            )
            session.commit()
            return None
        try:
            _record(session, order, version_id, definition, quotes)
            session.commit()
        except IntegrityError:  # a second request recorded them first: use those
            session.rollback()
        entry = _entry(session, _shown_of(session, order_id))
        return entry.token if entry else None


def _facts(order: Order) -> OrderFacts:
    return OrderFacts(
        product_ids=frozenset(str(line.get("product_id") or "") for line in order.lines),
        total=Decimal(order.total),
        country=str((order.shipping_address or {}).get("country_code") or ""),
    )


def _saved_card(session: Session, order: Order) -> Payment | None:
    """The checkout's payment, when the shopper let us keep the card (else no offer)."""
    payment = session.scalar(
        select(Payment).where(
            Payment.order_id == order.id,
            Payment.kind == PaymentKind.CHECKOUT,
            Payment.status == PaymentStatus.SUCCEEDED,
        )
    )
    if payment is None or not payment.customer_id or not payment.payment_method_id:
        return None
    return payment


def _quoted(
    platform: Platform,
    shop_id: int,
    email: str,
    address: Address | None,
    pickup: str | None,
    priced: PricedOffer,
) -> dict[str, Any]:
    """The added item's breakdown: discounted items, the offer's shipping, the platform's tax.

    The engines price list prices only (a draft order or a store cart cannot take an
    arbitrary unit price), so the item is quoted at list price and the tax rates are read
    off the quotes: the items' rate from a quote without shipping, the shipping's from the
    difference a shipping rate makes (zero where the store does not tax shipping). Each
    is applied to the discounted items and the offer's own shipping. On an order to
    collect (`pickup`, the order's pickup option) the item is collected with it: quoted
    with that pickup, so taxed where the platform taxes pickups, and nothing shipped.
    """
    offer, line = priced.offer, priced.line
    engine = engine_for(platform)
    state = CheckoutState(
        items=(CartItem(line.variant_id, offer.quantity),),
        email=email,
        address=address,
        shipping_option=pickup,
        platform_ref=priced.platform_ref,
    )
    quote = engine.quote(shop_id, state)
    currency = quote.currency
    taxed_items = quote.subtotal - quote.discount_total
    items_rate = quote.tax_total / taxed_items if taxed_items > 0 else Decimal(0)
    ships = offer.shipping.kind != "free" and pickup is None
    shipping = offer.shipping.amount if ships and offer.shipping.kind == "flat" else Decimal(0)
    shipping_rate = Decimal(0)
    rates = [option for option in quote.shipping_options if not option.pickup]
    if ships and rates:
        cheapest = min(rates, key=lambda option: option.price)
        shipped = engine.quote(shop_id, replace(state, shipping_option=cheapest.id))
        if shipped.shipping_total > 0:
            shipping_rate = (shipped.tax_total - quote.tax_total) / shipped.shipping_total
        if offer.shipping.kind == "quoted":
            shipping = shipped.shipping_total
    unit = Money.of(offer.discount.apply(line.unit_price), currency).rounded()
    items = unit * offer.quantity
    ship = Money.of(shipping, currency).rounded()
    tax = Money.of(items.amount * items_rate, currency).rounded()
    tax = tax + Money.of(ship.amount * shipping_rate, currency).rounded()
    return {
        "currency": currency,
        "variant_id": line.variant_id,
        "title": line.title,
        "variant_title": line.variant_title,
        "product_id": line.product_id,
        "image_url": offer.image_url or line.image_url,
        "list_unit_price": str(line.unit_price),
        "unit_price": str(unit.amount),
        "items": str(items.amount),
        "shipping": str(ship.amount),
        "collected": pickup is not None,  # the page says so instead of a shipping price
        "tax": str(tax.amount),
        "total": str((items + ship + tax).amount),
    }


def _record(
    session: Session,
    order: Order,
    version_id: int,
    definition: FunnelDefinition,
    quotes: dict[str, list[dict[str, Any]]],
) -> None:
    """One row per offer, showing its first variant; `quote["choices"]` keeps every
    variant the shopper may pick instead, each priced as shown."""
    order.funnel_version_id = version_id
    for key, choices in quotes.items():
        first = choices[0]
        session.add(
            ShownOffer(
                shop_id=order.shop_id,
                order_id=order.id,
                order_reference=order.reference,
                funnel_version_id=version_id,
                offer_key=key,
                variant_id=first["variant_id"],
                quantity=definition.offers[key].quantity,
                currency=first["currency"],
                quote={**first, "choices": choices},
                total=Decimal(first["total"]),
            )
        )
    session.flush()


def _shown_of(session: Session, order_id: int) -> list[ShownOffer]:
    return list(
        session.scalars(
            select(ShownOffer).where(ShownOffer.order_id == order_id).order_by(ShownOffer.id)
        )
    )


def _entry(session: Session, shown: list[ShownOffer]) -> ShownOffer | None:
    if not shown:
        return None
    entry_key = _definition(session, shown[0]).entry
    return next((row for row in shown if row.offer_key == entry_key), None)


def _definition(session: Session, shown: ShownOffer) -> FunnelDefinition:
    return parse_definition(session.get(FunnelVersion, shown.funnel_version_id).definition)


# -- the offer page -------------------------------------------------------------------


@dataclass(frozen=True)
class OfferView:
    shown: ShownOffer
    order: Order
    shop: Shop
    headline: str
    body: str
    seconds_left: int | None


def find_offer(session: Session, checkout_token: str, offer_token: str) -> ShownOffer:
    """The offer behind the two tokens; another checkout's or shop's offer is not found."""
    if not (could_be_issued(checkout_token) and could_be_issued(offer_token)):
        raise OfferProblem(404, "This offer does not exist for your order.")
    shown = session.scalar(
        select(ShownOffer)
        .join(Order, Order.id == ShownOffer.order_id)
        .join(Checkout, Checkout.id == Order.checkout_id)
        .where(
            ShownOffer.token == offer_token,
            Checkout.token == checkout_token,
            ShownOffer.shop_id == Checkout.shop_id,
        )
    )
    if shown is None:
        raise OfferProblem(404, "This offer does not exist for your order.")
    return shown


def view_offer(session: Session, checkout_token: str, offer_token: str) -> OfferView:
    """The offer as its page shows it; the first view starts its countdown (a reload does
    not restart it) and counts as OFFER_SHOWN."""
    shown = find_offer(session, checkout_token, offer_token)
    offer = _definition(session, shown).offers[shown.offer_key]
    if shown.status is OfferStatus.SHOWN and not _was_shown(session, shown):
        if offer.countdown_seconds:
            session.execute(
                update(ShownOffer)
                .where(ShownOffer.id == shown.id, ShownOffer.expires_at.is_(None))
                .values(expires_at=utcnow() + timedelta(seconds=offer.countdown_seconds))
            )
        _event(session, shown, EventKind.OFFER_SHOWN)
        session.commit()
        session.refresh(shown)
    seconds = None
    if shown.expires_at is not None:
        seconds = max(0, int((shown.expires_at - utcnow()).total_seconds()))
    order = session.get(Order, shown.order_id)
    return OfferView(
        shown, order, session.get(Shop, shown.shop_id), offer.headline, offer.body, seconds
    )


def _was_shown(session: Session, shown: ShownOffer) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    AnalyticsEvent.shop_id == shown.shop_id,
                    AnalyticsEvent.kind == EventKind.OFFER_SHOWN,
                    AnalyticsEvent.order_reference == shown.order_reference,
                    AnalyticsEvent.offer_key == shown.offer_key,
                )
            )
        )
    )


def _event(session: Session, shown: ShownOffer, kind: EventKind, **values: Any) -> None:
    record_event(
        session,
        shown.shop_id,
        kind,
        shown.order_reference,
        funnel_version_id=shown.funnel_version_id,
        offer_key=shown.offer_key,
        amount=shown.total,
        currency=shown.currency,
        **values,
    )


def next_step(session: Session, shown: ShownOffer, *, accepted: bool) -> Step:
    """The next offer on the path the shopper took, if it was recorded and is still open."""
    following = _definition(session, shown).next_offer(shown.offer_key, accepted)
    if following is None:
        return Step()
    row = session.scalar(
        select(ShownOffer).where(
            ShownOffer.order_id == shown.order_id, ShownOffer.offer_key == following.key
        )
    )
    return Step(next_offer=row.token if row and row.status is OfferStatus.SHOWN else None)


# -- answers --------------------------------------------------------------------------


def decline(session: Session, checkout_token: str, offer_token: str) -> Step:
    shown = find_offer(session, checkout_token, offer_token)
    claimed = _move(session, shown, (OfferStatus.SHOWN,), OfferStatus.DECLINED)
    if claimed:
        _event(session, shown, EventKind.OFFER_DECLINED)
        session.commit()
    elif shown.status not in (OfferStatus.DECLINED, OfferStatus.FAILED, OfferStatus.EXPIRED):
        raise OfferProblem(409, "This offer was already answered.")
    return next_step(session, shown, accepted=False)


def accept(
    session: Session, checkout_token: str, offer_token: str, variant_id: str | None = None
) -> Step:
    """Charge the saved card the total of the variant chosen (None: the one shown first), once.

    :raises OfferProblem: a variant not offered (400), expired, already answered, sold
        out or deleted, changed since shown (409), the card declined (402), the gateway
        unavailable (503).
    """
    shown = find_offer(session, checkout_token, offer_token)
    if shown.status is OfferStatus.PAID:  # a replayed click: go on as the first one did
        return next_step(session, shown, accepted=True)
    choice = _choice(shown, variant_id)
    closed = why_closed(session, shown)
    if closed:
        raise OfferProblem(409, closed)
    _check_still_sold(session, shown, choice["variant_id"])
    chosen = {
        "variant_id": choice["variant_id"],
        "quote": {**choice, "choices": choices_of(shown)},
        "total": Decimal(choice["total"]),
    }
    if not _move(session, shown, (OfferStatus.SHOWN,), OfferStatus.ACCEPTED, **chosen):
        raise OfferProblem(409, "This offer was already answered.")
    _event(session, shown, EventKind.OFFER_ACCEPTED)
    card = _saved_card(session, session.get(Order, shown.order_id))
    return _pay(session, shown, card, card.payment_method_id or "", card.customer_id)


def pay_with_another_card(
    session: Session, checkout_token: str, offer_token: str, payment_method: str
) -> Step:
    """After a decline: charge the card the shopper just entered in the gateway's fields,
    on-session, keyed by the offer and that card (a replayed form is the same charge).

    :raises OfferProblem: as `accept`; 400 without a card; 409 unless the last charge of
        this offer was declined.
    """
    shown = find_offer(session, checkout_token, offer_token)
    if shown.status is OfferStatus.PAID:
        return next_step(session, shown, accepted=True)
    if not _CARD.match(payment_method):
        raise OfferProblem(400, "Please enter your card in the card fields, then try again.")
    if not may_try_another_card(session, shown):
        raise OfferProblem(409, why_ended(session, shown) or "This offer was already answered.")
    _check_still_sold(session, shown, str(shown.variant_id))
    if not _move(session, shown, (OfferStatus.FAILED,), OfferStatus.ACCEPTED):
        raise OfferProblem(409, "This offer was already answered.")
    card = _saved_card(session, session.get(Order, shown.order_id))
    return _pay(session, shown, card, payment_method, None)


def choices_of(shown: ShownOffer) -> list[dict[str, Any]]:
    """The variants the shopper may choose, each with its exact breakdown."""
    return list(shown.quote.get("choices") or [shown.quote])


def _choice(shown: ShownOffer, variant_id: str | None) -> dict[str, Any]:
    """:raises OfferProblem: the variant is not one this offer was made with (400)."""
    wanted = str(shown.variant_id) if not variant_id else variant_id[:100]
    found = next((c for c in choices_of(shown) if str(c["variant_id"]) == wanted), None)
    if found is None:
        raise OfferProblem(400, "Please choose one of the options shown with this offer.")
    return {key: value for key, value in found.items() if key != "choices"}


def may_try_another_card(session: Session, shown: ShownOffer) -> bool:
    """A declined offer that still stands may be paid with another card."""
    return shown.status is OfferStatus.FAILED and why_ended(session, shown) is None


# The gateway's payment-method ids as the card fields make them (Stripe: "pm_…").
_CARD = re.compile(r"^[A-Za-z0-9_]{3,255}$")


def finish_authentication(
    session: Session, checkout_token: str, offer_token: str, intent_id: str
) -> Step:
    """Back from the bank's page: paid, or declined (nothing added)."""
    shown = find_offer(session, checkout_token, offer_token)
    payment = session.get(Payment, shown.payment_id) if shown.payment_id else None
    if payment is None or payment.intent_id != intent_id[:255]:
        raise OfferProblem(404, "We could not find this payment for your offer.")
    if shown.status is not OfferStatus.REQUIRES_ACTION:
        return next_step(session, shown, accepted=shown.status is OfferStatus.PAID)
    session.commit()
    gateway = gateway_for(services().config)
    try:
        charge = gateway.retrieve(intent_id)
    except GatewayError:
        log.exception("could not look up upsell payment %s", payment.id)
        raise OfferProblem(503, "We could not confirm the payment yet. Please reload.") from None
    return settle(session, shown, payment, charge)


def idempotency_key(shown: ShownOffer, card: str | None = None) -> str:
    """This order's offer at this amount (and, after a decline, the other card): the same
    click, replayed, is the same charge."""
    material = f"{shown.order_reference}|{shown.offer_key}|{shown.total}|{shown.currency}"
    if card is not None:
        material += f"|{card}"
    return f"cartpath-upsell-{hashlib.sha256(material.encode()).hexdigest()}"


def payment_return_url(checkout_token: str, offer_token: str) -> str:
    """Where the bank's page sends the shopper back; part of the charge request, so it is
    built the same way by the page and by a re-send."""
    base = services().config.base_url
    return f"{base}/checkout/{checkout_token}/offers/{offer_token}/payment/return"


def _check_still_sold(session: Session, shown: ShownOffer, variant_id: str) -> None:
    """:raises OfferProblem: the platform no longer sells the item (409)."""
    platform = session.get(Shop, shown.shop_id).platform
    shop_id, quantity = shown.shop_id, shown.quantity
    session.commit()  # no transaction stays open across the platform call
    try:
        _ref, lines = engine_for(platform).read_cart(
            shop_id, items=(CartItem(variant_id=variant_id, quantity=quantity),)
        )
    except FinalError:  # deleted (NotFoundError), or the store will not sell it any more
        lines = ()
    if not lines or not can_sell(lines[0], quantity):
        raise OfferProblem(409, "Sorry, this item has just sold out. Nothing was charged.")


def _move(
    session: Session,
    shown: ShownOffer,
    sources: tuple[OfferStatus, ...],
    target: OfferStatus,
    **values: Any,
) -> bool:
    """Atomically move the offer from one of `sources` to `target`, setting `values` with
    it (not committed)."""
    moved = session.execute(
        update(ShownOffer)
        .where(ShownOffer.id == shown.id, ShownOffer.status.in_(sources))
        .values(status=target, decided_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        session.refresh(shown)
    else:
        session.rollback()
        session.refresh(shown)
    return moved == 1


def _pay(
    session: Session, shown: ShownOffer, card: Payment, payment_method: str, customer: str | None
) -> Step:
    """Record the PENDING payment (committed before the gateway is asked), then charge."""
    new_card = None if payment_method == card.payment_method_id else payment_method
    key = idempotency_key(shown, new_card)
    payment = session.scalar(select(Payment).where(Payment.idempotency_key == key))
    if payment is not None:  # a replayed form for a card already tried
        if payment.status is not PaymentStatus.FAILED:
            raise OfferProblem(409, "This card is already being charged for this offer.")
        shown.status, shown.payment_id = OfferStatus.FAILED, payment.id
        session.commit()
        raise OfferProblem(402, payment.message or "Your card was declined.")
    payment = Payment(
        shop_id=shown.shop_id,
        checkout_id=card.checkout_id,
        order_id=shown.order_id,
        kind=PaymentKind.UPSELL,
        gateway=card.gateway,
        idempotency_key=key,
        amount=shown.total,
        currency=shown.currency,
        payment_method_id=payment_method,
        customer_id=customer,
    )
    session.add(payment)
    session.flush()
    shown.payment_id = payment.id
    session.commit()  # the PENDING payment is on record before the gateway is asked
    try:
        charge = send_charge(session, shown, payment)
    except GatewayError:
        # The offer stays ACCEPTED with its payment PENDING; upsell/unanswered.py re-sends
        # it with the same key until the gateway answers, and nothing is added unpaid.
        log.exception("gateway did not take upsell payment %s", payment.id)
        raise OfferProblem(
            503,
            "The card network did not answer. Your card will not be charged twice: we will "
            "finish this payment, and the store will confirm whether the item was added.",
        ) from None
    return settle(session, shown, payment, charge)


def send_charge(session: Session, shown: ShownOffer, payment: Payment) -> Charge:
    """The payment's charge request, identical every time it is sent (commits first).

    :raises GatewayUnavailable: no answer; send again.
    :raises GatewayError: the gateway refused the request itself.
    """
    shop = session.get(Shop, shown.shop_id)
    checkout = session.get(Checkout, payment.checkout_id)
    return_url = payment_return_url(checkout.token, shown.token)
    domain, reference, offer = shop.domain, shown.order_reference, shown.token
    amount = Money.of(payment.amount, payment.currency).rounded()
    session.commit()
    return gateway_for(services().config).charge(
        amount=amount,
        payment_method=payment.payment_method_id or "",
        customer=payment.customer_id,
        idempotency_key=payment.idempotency_key,
        save_for_later=False,
        return_url=return_url,
        description=f"Added to order {reference} at {domain}",
        metadata={"cartpath_offer": offer, "shop": domain},
    )


def settle(session: Session, shown: ShownOffer, payment: Payment, charge: Charge) -> Step:
    """Record the gateway's answer: paid (the item is queued for the platform order in the
    same commit), authentication needed, or declined.

    :raises OfferProblem: declined (402); nothing is added.
    """
    waiting = (OfferStatus.ACCEPTED, OfferStatus.REQUIRES_ACTION)
    if charge.status is ChargeStatus.REQUIRES_ACTION:
        payment.status, payment.intent_id = PaymentStatus.REQUIRES_ACTION, charge.intent_id
        shown.status, shown.payment_id = OfferStatus.REQUIRES_ACTION, payment.id
        session.commit()
        return Step(action_url=charge.action_url)
    if charge.status is ChargeStatus.SUCCEEDED:
        if _move(session, shown, waiting, OfferStatus.PAID):
            payment.status, payment.intent_id = PaymentStatus.SUCCEEDED, charge.intent_id
            shown.payment_id = payment.id
            _event(session, shown, EventKind.OFFER_PAID)
            defer(
                session,
                add_upsell_line,
                shown.id,
                dedupe_key=f"upsell-line:{shown.id}",
                shop_id=shown.shop_id,
            )
            session.commit()
        return next_step(session, shown, accepted=True)
    payment.status, payment.intent_id = PaymentStatus.FAILED, charge.intent_id or payment.intent_id
    payment.decline_code, payment.message = charge.decline_code, charge.message
    shown.status, shown.payment_id = OfferStatus.FAILED, payment.id
    _event(session, shown, EventKind.OFFER_FAILED, reason=(charge.decline_code or "declined")[:60])
    session.commit()
    raise OfferProblem(402, charge.message or "Your card was declined.")


def paid_items(session: Session, order: Order) -> list[ShownOffer]:
    """The offers paid for after this order (the thank-you page lists them)."""
    return list(
        session.scalars(
            select(ShownOffer)
            .where(ShownOffer.order_id == order.id, ShownOffer.status == OfferStatus.PAID)
            .order_by(ShownOffer.id)
        )
    )

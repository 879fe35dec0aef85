"""Shopify's post-purchase page (public installs): which offers to show for an initial
purchase, and a signature for exactly the offer the shopper accepted, never for any other
change. The extension (extension/post-purchase) and Shopify's checkout speak to these.

Offers are rows (ShownOffer) keyed by Shopify's reference id and the funnel's offer key,
so the same purchase asking twice sees the same offers, and an offer is signed once.
"""

from __future__ import annotations

import time
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from analytics.models import EventKind
from core.db import utcnow
from core.models import Platform, Shop, ShopMode
from core.money import Money
from core.services import services
from core.tokens import could_be_issued
from platforms.pricing import CartItem
from platforms.pricing_engines import engine_for
from platforms.shopify.post_purchase import PurchaseToken, sign_changeset
from upsell.eligibility import purchase_blocker, record_ineligible
from upsell.funnels import FunnelDefinition
from upsell.matching import OrderFacts, choose_funnel
from upsell.models import OfferStatus, ShownOffer
from upsell.offers import (
    PricedOffer,
    can_sell,
    price_offer,
    record_event,
    why_closed,
)
from upsell.service import active_funnels


class OfferRefused(Exception):
    """Why an offer cannot be signed; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def shop_for(session: Session, purchase: PurchaseToken) -> Shop:
    shop = session.scalar(
        select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == purchase.shop_domain)
    )
    if shop is None or not shop.is_installed:
        raise OfferRefused(404, "This shop does not use Cartpath.")
    return shop


def offer_of(session: Session, shop: Shop, purchase: PurchaseToken, offer_id: str) -> ShownOffer:
    """:raises OfferRefused: 404 for an offer of another shop or purchase, or none."""
    if not could_be_issued(str(offer_id)):
        raise OfferRefused(404, "No such offer for this purchase.")
    shown = session.scalar(
        select(ShownOffer).where(
            ShownOffer.token == str(offer_id),
            ShownOffer.shop_id == shop.id,
            ShownOffer.order_reference == purchase.reference_id,
        )
    )
    if shown is None:
        raise OfferRefused(404, "No such offer for this purchase.")
    return shown


def event_values(shown: ShownOffer) -> dict[str, Any]:
    """What an analytics event of this offer carries: funnel version, offer, amount."""
    return {
        "funnel_version_id": shown.funnel_version_id,
        "offer_key": shown.offer_key,
        "amount": shown.total,
        "currency": shown.currency,
    }


def purchase_facts(purchase: PurchaseToken) -> OrderFacts:
    initial = purchase.input_data.get("initialPurchase") or {}
    products = {
        str((line.get("product") or {}).get("id"))
        for line in initial.get("lineItems") or []
        if isinstance(line, dict)
    }
    total = ((initial.get("totalPriceSet") or {}).get("shopMoney") or {}).get("amount") or "0"
    return OrderFacts(
        product_ids=frozenset(products),
        total=Decimal(str(total)),
        country=str(initial.get("destinationCountryCode") or ""),
    )


def _changes(priced: PricedOffer) -> list[dict[str, Any]]:
    """The changeset for this offer, in Shopify's change types (post-purchase.ts)."""
    offer, line = priced.offer, priced.line
    change: dict[str, Any] = {
        "type": "add_variant",
        "variantID": int(line.variant_id),
        "quantity": offer.quantity,
    }
    if offer.discount.kind != "none":
        change["discount"] = {
            "value": str(offer.discount.value),
            "valueType": "percentage" if offer.discount.kind == "percent" else "fixed_amount",
            "title": offer.headline[:60],
        }
    changes = [change]
    if offer.shipping.kind == "flat":
        changes.append(
            {"type": "add_shipping_line", "price": str(offer.shipping.amount), "title": "Shipping"}
        )
    return changes


def _offer_json(shown: ShownOffer, priced: PricedOffer, ids: dict[str, str]) -> dict[str, Any]:
    offer, line = priced.offer, priced.line
    original = line.unit_price * offer.quantity
    discounted = Money.of(offer.discount.apply(line.unit_price), shown.currency).amount
    return {
        "id": shown.token,
        "title": offer.headline,
        "productTitle": line.title,
        "productImageURL": offer.image_url or line.image_url or "",
        "productDescription": [offer.body] if offer.body else [],
        "originalPrice": str(original),
        "discountedPrice": str(discounted * offer.quantity),
        "changes": shown.quote["changes"],
        # The countdown's end, fixed when the offer was first shown (a reload keeps it).
        "expiresAt": shown.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if shown.expires_at
        else None,
        # Where the shopper goes next (our extension follows these; a downsell on decline).
        "next": {
            "accepted": ids.get(offer.on_accept or ""),
            "declined": ids.get(offer.on_decline or ""),
        },
    }


def offers_for(purchase: PurchaseToken) -> list[dict[str, Any]]:
    """The offers for this initial purchase (empty: none applies), recorded as shown."""
    svc = services()
    with svc.database.session() as session:
        shop = shop_for(session, purchase)
        shop_id = shop.id
        if shop.mode is not ShopMode.NATIVE:
            raise OfferRefused(409, "This shop runs Cartpath's own checkout and upsells.")
        blocker = purchase_blocker(purchase.input_data)
        facts = purchase_facts(purchase)
        chosen = None if blocker else choose_funnel(active_funnels(session, shop_id), facts)
        if chosen is None:
            record_ineligible(session, shop_id, purchase.reference_id, blocker or "no_match")
            session.commit()
            return []
        version_id = chosen[0].id
        session.commit()  # no transaction stays open across Shopify's calls below
    definition: FunnelDefinition = chosen[1]
    priced = {
        offer.key: price_offer(Platform.SHOPIFY, shop_id, offer)
        for offer in definition.in_path_order()
    }
    if priced[definition.entry] is None:
        with svc.database.session() as session:
            record_ineligible(session, shop_id, purchase.reference_id, "out_of_stock")
            session.commit()
        return []
    initial = purchase.input_data.get("initialPurchase") or {}
    currency_hint = ((initial.get("totalPriceSet") or {}).get("shopMoney") or {}).get(
        "currencyCode", ""
    )
    with svc.database.session() as session:
        shown = _record_shown(
            session, shop_id, purchase.reference_id, version_id, priced, currency_hint
        )
        ids = {key: row.token for key, row in shown.items()}
        answer = [_offer_json(shown[key], priced[key], ids) for key in shown]  # type: ignore[arg-type]
        session.commit()
    return answer


def _record_shown(
    session: Session,
    shop_id: int,
    reference: str,
    version_id: int,
    priced: dict[str, PricedOffer | None],
    currency: str,
) -> dict[str, ShownOffer]:
    existing = {
        row.offer_key: row
        for row in session.scalars(
            select(ShownOffer)
            .where(ShownOffer.shop_id == shop_id, ShownOffer.order_reference == reference)
            .order_by(ShownOffer.id)
        )
    }
    if existing:  # the page asked again (a reload): the same offers, the same countdowns
        return existing
    rows = {}
    now = utcnow()
    hold = services().config.post_purchase_hold
    for key, item in priced.items():
        if item is None:
            continue  # out of stock now: its path ends there
        offer = item.offer
        unit = Money.of(offer.discount.apply(item.line.unit_price), currency or "USD")
        row = ShownOffer(
            shop_id=shop_id,
            order_reference=reference,
            funnel_version_id=version_id,
            offer_key=key,
            variant_id=item.line.variant_id,
            quantity=offer.quantity,
            currency=unit.currency,
            quote={"changes": _changes(item)},
            total=unit.amount * offer.quantity,
            # A countdown never outlasts Shopify's fulfilment hold, after which no offer
            # can be accepted.
            expires_at=now + timedelta(seconds=min(offer.countdown_seconds, hold))
            if offer.countdown_seconds
            else None,
        )
        session.add(row)
        rows[key] = row
    session.flush()
    first = next(iter(rows.values()))
    record_event(
        session,
        shop_id,
        EventKind.OFFER_SHOWN,
        reference,
        funnel_version_id=version_id,
        offer_key=first.offer_key,
        amount=first.total,
        currency=first.currency,
    )
    return rows


def _past_hold(shown: ShownOffer, hold_seconds: float) -> str | None:
    """Shopify releases the order for fulfilment after its hold and then refuses any
    changeset (order_released_error): an offer shown longer ago is closed."""
    if shown.created_at + timedelta(seconds=hold_seconds) < utcnow():
        return "This offer has ended: the order is on its way to fulfilment."
    return None


def sign_accepted(purchase: PurchaseToken, offer_id: str, changes: Any) -> str:
    """The changeset token for an offer Cartpath made for this purchase, exactly as made.

    :raises OfferRefused: another shop's or purchase's offer (404), changes that differ
        from the offer (400), an offer already accepted, expired, replaced by a newer
        funnel version, or sold out since (409).
    """
    svc = services()
    with svc.database.session() as session:
        shop = shop_for(session, purchase)
        shown = offer_of(session, shop, purchase, offer_id)
        if changes != shown.quote.get("changes"):
            raise OfferRefused(400, "The changes differ from the offer; nothing was signed.")
        closed = why_closed(session, shown) or _past_hold(shown, svc.config.post_purchase_hold)
        if closed:
            raise OfferRefused(409, closed)
        shop_id, shown_id, signed_changes = shop.id, shown.id, shown.quote["changes"]
        variant_id, quantity = str(shown.variant_id), shown.quantity
        event = event_values(shown)
        session.commit()
    _ref, lines = engine_for(Platform.SHOPIFY).read_cart(
        shop_id, items=(CartItem(variant_id=variant_id, quantity=quantity),)
    )
    if not can_sell(lines[0], quantity):
        raise OfferRefused(409, "This item has just sold out.")
    with svc.database.session() as session:
        accepted = session.scalar(
            select(func.count()).where(
                ShownOffer.shop_id == shop_id,
                ShownOffer.order_reference == purchase.reference_id,
                ShownOffer.status == OfferStatus.ACCEPTED,
            )
        )
        if accepted >= svc.config.upsell_max_accepted:
            raise OfferRefused(409, "This order has taken all the offers it can.")
        claimed = session.execute(
            update(ShownOffer)
            .where(ShownOffer.id == shown_id, ShownOffer.status == OfferStatus.SHOWN)
            .values(status=OfferStatus.ACCEPTED, decided_at=utcnow())
        ).rowcount
        if claimed != 1:  # another request accepted it first
            raise OfferRefused(409, "This offer was already answered.")
        record_event(session, shop_id, EventKind.OFFER_ACCEPTED, purchase.reference_id, **event)
        session.commit()
    return sign_changeset(
        api_key=svc.config.shopify_api_key,
        secret=svc.config.shopify_api_secret,
        reference_id=purchase.reference_id,
        changes=signed_changes,
        now=time.time(),
    )

"""An offer as the shopper will see it, for the merchant: the hosted offer page rendered
from rows that are never saved, with the product's real title, price and image when
the store answers (sample ones when it does not). Nothing is charged or recorded, and
no platform cart is made: the list price comes from the catalog, not a quote, so the
shopper's own shipping rate and tax are shown as zero here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from checkout.models import Order
from core.db import utcnow
from core.models import Shop
from core.money import Money
from platforms.catalog import Catalog, read_catalog
from platforms.errors import PlatformError
from upsell.funnels import Offer
from upsell.hosted import OfferView
from upsell.hosted_views import render_offer
from upsell.models import ShownOffer

log = logging.getLogger(__name__)

PREVIEW_TOKEN = "preview"  # noqa: S105 - not a secret: the offer page's links lead nowhere
SAMPLE_PRICE = Decimal("20.00")


@dataclass(frozen=True)
class Preview:
    page: str  # the offer page's HTML
    sample: bool  # True: the store did not give the product, sample data stands in


def preview(shop: Shop, offer: Offer, catalog: Catalog | None = None) -> Preview:
    """Render `offer` for `shop`. Platform calls: no transaction may be open."""
    if catalog is None:
        try:
            catalog = read_catalog(shop.platform, shop.id)
        except PlatformError as error:
            log.warning("preview without the store's catalog: %s", error)
    quote, sample = _quote(offer, catalog)
    shown = ShownOffer(
        token=PREVIEW_TOKEN,
        shop_id=shop.id,
        order_reference="PREVIEW",
        offer_key=offer.key,
        variant_id=quote["variant_id"],
        quantity=offer.quantity,
        currency=quote["currency"],
        quote=quote,
        total=Decimal(quote["total"]),
        expires_at=utcnow() + timedelta(seconds=offer.countdown_seconds)
        if offer.countdown_seconds
        else None,
    )
    order = Order(reference="#PREVIEW", currency=quote["currency"])
    view = OfferView(shown, order, shop, offer.headline, offer.body, offer.countdown_seconds)
    return Preview(render_offer(view, PREVIEW_TOKEN), sample=sample)


def _quote(offer: Offer, catalog: Catalog | None) -> tuple[dict[str, str | None], bool]:
    """The quote the offer page reads (upsell.hosted._quoted's keys), from the catalog,
    and whether sample data stood in for a product the store did not give."""
    product = catalog.product(offer.product_id) if catalog else None
    variant = None
    if product is not None:
        by_id = {v.id: v for v in product.variants}
        variant = next((by_id[v] for v in offer.variant_ids if v in by_id), None)
    currency = (catalog.currency if catalog else "") or "USD"
    list_price = variant.price if variant else SAMPLE_PRICE
    unit = Money.of(offer.discount.apply(list_price), currency).rounded()
    items = unit * offer.quantity
    shipping = Money.of(
        offer.shipping.amount if offer.shipping.kind == "flat" else Decimal(0), currency
    ).rounded()
    quote = {
        "currency": currency,
        "variant_id": variant.id if variant else (offer.variant_ids or ("",))[0],
        "title": product.title if product and variant else "Sample product",
        "variant_title": variant.title if variant else "",
        "product_id": offer.product_id,
        "image_url": offer.image_url or (product.image_url if product else None),
        "list_unit_price": str(list_price),
        "unit_price": str(unit.amount),
        "items": str(items.amount),
        "shipping": str(shipping.amount),
        "tax": "0",
        "total": str((items + shipping).amount),
    }
    return quote, variant is None

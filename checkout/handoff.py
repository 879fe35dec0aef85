"""POST /checkout/start: the storefront hands over its cart and where the shopper came from.

Only identities and quantities are read from the browser (Shopify: the AJAX cart's
variant ids; BigCommerce: the cart id); every price, name and stock level is re-read
from the platform. Attribution is last click: the storefront script keeps the latest
landing page, UTM parameters and referrer and sends them here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from auth.installs import find_shop
from checkout.models import Checkout
from checkout.pricing import requote
from core.db import utcnow
from core.models import Platform, ShopMode
from platforms.errors import NotFoundError
from platforms.pricing import CartItem
from platforms.pricing_engines import engine_for

MAX_LINES = 100
MAX_QUANTITY = 999
CHECKOUT_LIFETIME = timedelta(days=30)  # BigCommerce carts live 30 days after their last change
ATTRIBUTION_FIELDS = (
    "landing_page",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)
# The platform no longer has an item or the cart (deleted, or the cart expired): at the
# hand-off, and on any later quote of the open checkout.
CART_GONE = (
    "An item in your cart is no longer sold, or the cart has expired. Please return to the cart."
)
_ID = re.compile(r"^[0-9]{1,20}$")
_CART_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class HandoffError(ValueError):
    """A hand-off we cannot accept; `status` is the HTTP answer, the message is for people."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Handoff:
    platform: Platform
    shop: str  # myshopify domain or store hash
    items: tuple[CartItem, ...]
    cart_id: str | None
    attribution: dict[str, str]


def parse_handoff(data: Mapping[str, Any]) -> Handoff:
    """Read a hand-off body (JSON, or a form whose `cart` field holds the JSON).

    :raises HandoffError: anything malformed, with a sentence a person can act on.
    """
    if "cart" in data and isinstance(data["cart"], str):
        try:
            data = json.loads(data["cart"])
        except ValueError:
            raise HandoffError("The cart could not be read. Please return to the cart.") from None
    if not isinstance(data, Mapping):
        raise HandoffError("The cart could not be read. Please return to the cart.")
    try:
        platform = Platform(str(data.get("platform", "")))
    except ValueError:
        raise HandoffError("The hand-off does not say which platform the shop is on.") from None
    shop = str(data.get("shop") or "").strip().lower()
    if not shop or len(shop) > 255:
        raise HandoffError("The hand-off does not name the shop.")
    items = _items(data.get("items"))
    cart_id = data.get("cart_id")
    if cart_id is not None and (not isinstance(cart_id, str) or not _CART_ID.match(cart_id)):
        raise HandoffError("The cart id is not one the platform issues.")
    if platform is Platform.BIGCOMMERCE and cart_id is None and not items:
        raise HandoffError("Your cart is empty.")
    if platform is Platform.SHOPIFY and not items:
        raise HandoffError("Your cart is empty.")
    return Handoff(platform, shop, items, cart_id, _attribution(data.get("attribution")))


def _items(raw: Any) -> tuple[CartItem, ...]:
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list):
        raise HandoffError("The cart's items could not be read.")
    if len(raw) > MAX_LINES:
        raise HandoffError(f"A cart can hold at most {MAX_LINES} different items.")
    quantities: dict[str, int] = {}
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise HandoffError("The cart's items could not be read.")
        variant = str(entry.get("variant_id", entry.get("id", "")))
        quantity = entry.get("quantity")
        if not _ID.match(variant):
            raise HandoffError("An item in the cart has no valid product variant.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise HandoffError("Each item needs a quantity of at least 1.")
        quantities[variant] = quantities.get(variant, 0) + quantity
        if quantities[variant] > MAX_QUANTITY:
            raise HandoffError(f"At most {MAX_QUANTITY} of one item can be ordered at once.")
    return tuple(CartItem(variant, quantity) for variant, quantity in quantities.items())


def _attribution(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    kept = {}
    for name in ATTRIBUTION_FIELDS:
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            limit = 2000 if name in ("landing_page", "referrer") else 200
            kept[name] = "".join(c for c in value.strip() if c.isprintable())[:limit]
    return kept


def start_checkout(session: Session, handoff: Handoff) -> Checkout:
    """Re-read the cart from the platform, price it, and open a checkout for it.

    :raises HandoffError: unknown or uninstalled shop, native-mode shop, empty cart.
    :raises PlatformError: the platform refused or did not answer (the view says so).
    """
    shop = find_shop(session, handoff.platform, handoff.shop)
    if shop is None or not shop.is_installed:
        raise HandoffError("This store does not use Cartpath's checkout.", status=404)
    if shop.mode is not ShopMode.HOSTED:
        raise HandoffError("This store uses its platform's own checkout.", status=403)
    # No transaction stays open across a platform call: it would hold locks (and, on
    # SQLite, the write lock the platform client's own session then waits for).
    session.commit()
    try:
        platform_ref, lines = engine_for(shop.platform).read_cart(
            shop.id, items=handoff.items or None, platform_ref=handoff.cart_id
        )
    except NotFoundError:
        raise HandoffError(CART_GONE, status=409) from None
    if not lines:
        raise HandoffError("Your cart is empty.")
    checkout = Checkout(
        shop_id=shop.id,
        platform_ref=platform_ref,
        items=[{"variant_id": line.variant_id, "quantity": line.quantity} for line in lines],
        lines=[_line_json(line) for line in lines],
        attribution=handoff.attribution,
        email="",
        expires_at=utcnow() + CHECKOUT_LIFETIME,
    )
    requote(checkout, shop.platform)
    session.add(checkout)
    session.flush()
    return checkout


def _line_json(line: Any) -> dict[str, Any]:
    return {**asdict(line), "unit_price": str(line.unit_price)}

"""The store's pricing engine: item prices, coupons, shipping zones and tax rates.

Cartpath never prices on its own (DESIGN.md): carts, checkouts and orders all ask
this module, so one rule gives one answer everywhere. Prices are entered without
tax (a US store); tax = rate x (items - discount) [+ rate x shipping when the rate
taxes shipping], rounded half-up to cents per total.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sandbox.bigcommerce.responses import ApiError
from sandbox.bigcommerce.state import (
    Coupon,
    Product,
    ShippingMethod,
    ShippingZone,
    Store,
    TaxRate,
    Variant,
)

CENT = Decimal("0.01")
ZERO = Decimal("0")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def unit_price(product: Product, variant: Variant | None) -> Decimal:
    """What one unit sells for: the variant's own price, else the product's (or its sale price)."""
    if variant is not None and variant.price is not None:
        return variant.price
    return product.sale_price if product.sale_price > 0 else product.price


def find_coupon(store: Store, code: str) -> Coupon | None:
    return next((c for c in store.coupons.values() if c.code.lower() == code.lower()), None)


def coupon_discount(coupon: Coupon, subtotal: Decimal, now: float) -> Decimal:
    """The coupon's discount on `subtotal`; raises ApiError when it does not apply."""
    if not coupon.enabled or (coupon.expires is not None and coupon.expires < now):
        raise ApiError(400, f"The coupon code '{coupon.code}' has expired or is not enabled.")
    if subtotal < coupon.min_purchase:
        raise ApiError(
            400,
            f"The coupon code '{coupon.code}' needs a minimum purchase of "
            f"{cents(coupon.min_purchase)}.",
        )
    if coupon.type == "percentage_discount":
        return cents(subtotal * coupon.amount / 100)
    return min(cents(coupon.amount), subtotal)


@dataclass(frozen=True)
class ShippingOption:
    id: str
    description: str
    type: str
    cost: Decimal


def _zone_matches(zone: ShippingZone, country: str, state: str) -> bool:
    for location in zone.locations:
        if location.get("country_iso2") != country:
            continue
        if zone.type == "country" or location.get("state_iso2") == state:
            return True
    return False


def zone_for(store: Store, country: str, state: str) -> ShippingZone | None:
    """The most specific zone for the address; the global zone catches the rest."""
    for zone in store.zones:
        if zone.type != "global" and _zone_matches(zone, country, state):
            return zone
    return next((zone for zone in store.zones if zone.type == "global"), None)


def _option_cost(method: ShippingMethod, subtotal: Decimal, quantity: int) -> Decimal | None:
    if method.type == "perorder":
        return method.rate
    if method.type == "peritem":
        return cents(method.rate * quantity)
    if method.type == "freeshipping":
        return ZERO if subtotal >= method.minimum_sub_total else None
    return None


def shipping_options(
    store: Store, country: str, state: str, subtotal: Decimal, quantity: int
) -> list[ShippingOption]:
    """Options BigCommerce offers for a consignment to this address."""
    zone = zone_for(store, country, state)
    if zone is None:
        return []
    options = []
    for method in zone.methods:
        cost = _option_cost(method, subtotal, quantity)
        if cost is not None:
            option_id = hashlib.sha256(f"{store.hash}:{zone.id}:{method.id}".encode()).hexdigest()
            options.append(ShippingOption(option_id[:32], method.name, method.type, cost))
    return options


US_STATES = {
    "california": "CA",
    "new york": "NY",
    "texas": "TX",
    "washington": "WA",
    "florida": "FL",
    "illinois": "IL",
}


def state_code(address: dict[str, object]) -> str:
    """A v2 address names its state ("California"); checkouts send the code ("CA")."""
    for key in ("state_or_province_code", "state_iso2"):
        if address.get(key):
            return str(address[key]).upper()
    state = str(address.get("state") or address.get("state_or_province") or "")
    return US_STATES.get(state.lower(), state.upper() if len(state) == 2 else state)


def tax_rate_for(store: Store, country: str, state: str) -> TaxRate | None:
    """A state's rate wins over a country-wide one; no rate means no tax."""
    candidates = [r for r in store.tax_rates if r.country_iso2 == country]
    exact = [r for r in candidates if r.state_iso2 == state]
    if exact:
        return exact[0]
    return next((r for r in candidates if r.state_iso2 is None), None)


@dataclass(frozen=True)
class Totals:
    subtotal_ex_tax: Decimal
    discount: Decimal
    shipping_ex_tax: Decimal
    items_tax: Decimal
    shipping_tax: Decimal

    @property
    def tax(self) -> Decimal:
        return self.items_tax + self.shipping_tax

    @property
    def subtotal_inc_tax(self) -> Decimal:
        return self.subtotal_ex_tax + self.items_tax

    @property
    def shipping_inc_tax(self) -> Decimal:
        return self.shipping_ex_tax + self.shipping_tax

    @property
    def total_ex_tax(self) -> Decimal:
        return self.subtotal_ex_tax - self.discount + self.shipping_ex_tax

    @property
    def total_inc_tax(self) -> Decimal:
        return self.total_ex_tax + self.tax


def totals(
    subtotal: Decimal, discount: Decimal, shipping: Decimal, rate: Decimal, tax_shipping: bool
) -> Totals:
    """Totals for items worth `subtotal`, with `rate` percent tax."""
    items_tax = cents((subtotal - discount) * rate / 100)
    shipping_tax = cents(shipping * rate / 100) if tax_shipping else ZERO
    return Totals(cents(subtotal), cents(discount), cents(shipping), items_tax, shipping_tax)

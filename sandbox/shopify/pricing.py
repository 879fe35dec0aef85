"""The shop's own price engine: line totals, discount codes, shipping zones, regional tax.

What draftOrderCalculate, draftOrderComplete, the cart and the native checkout
answer; Cartpath must take prices from here (DESIGN.md: never a copy of them).
Rules kept simple and stated: a discount applies to the whole subtotal; tax is
charged on the discounted subtotal (not on shipping) at the province's rate when
the shop has one, else the country's; no address means no tax and no rates.
Local pickup: every location with pickup on is offered for a cart with something to
ship, free; a pickup order is taxed where the shopper takes the goods, the location's
address (sales tax follows the place of delivery, and the shopper's address is then only
a billing address).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sandbox.shopify.state import (
    DiscountCode,
    Location,
    Product,
    ShippingRate,
    Shop,
    TaxLine,
    Variant,
)

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class PricingError(ValueError):
    """Input the engine cannot price (unknown variant, bad quantity); `field` is the input path."""

    def __init__(self, field_path: list[str], message: str) -> None:
        super().__init__(message)
        self.field = field_path


@dataclass
class PricedLine:
    variant: Variant
    product: Product
    quantity: int
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class Rate:
    handle: str
    title: str
    price: Decimal
    pickup_at: Location | None = None  # a local pickup option, not a shipping rate


@dataclass
class Quote:
    currency: str
    lines: list[PricedLine]
    subtotal: Decimal  # after the discount, as Shopify's subtotalPrice
    line_total: Decimal
    discount: Decimal
    discount_code: str | None
    rates: list[Rate]
    shipping: Rate | None
    tax_lines: list[TaxLine]
    warnings: list[str] = field(default_factory=list)
    pickups: list[Rate] = field(default_factory=list)  # none when nothing is to be shipped

    @property
    def total_tax(self) -> Decimal:
        return sum((t.price for t in self.tax_lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        shipping = self.shipping.price if self.shipping else Decimal(0)
        return self.subtotal + self.total_tax + shipping


def priced_lines(shop: Shop, lines: list[tuple[int, int]]) -> list[PricedLine]:
    priced = []
    for index, (variant_id, quantity) in enumerate(lines):
        variant = shop.variant(variant_id)
        if variant is None:
            raise PricingError(["lineItems", str(index), "variantId"], "Variant does not exist")
        if quantity < 1:
            raise PricingError(
                ["lineItems", str(index), "quantity"], "Quantity must be greater than or equal to 1"
            )
        priced.append(
            PricedLine(variant, shop.products[variant.product_id], quantity, variant.price)
        )
    return priced


def quote(
    shop: Shop,
    lines: list[tuple[int, int]],
    *,
    address: dict | None,
    discount_codes: list[str],
    shipping_handle: str | None,
    now: float,
) -> Quote:
    """Price `lines` (variant id, quantity) for `address` as the shop would."""
    priced = priced_lines(shop, lines)
    line_total = sum((line.total for line in priced), Decimal(0))
    warnings: list[str] = []
    discount, applied = Decimal(0), None
    for code in discount_codes[:1]:  # one code per order, as orderCreate and draft orders take
        found = shop.discounts.get(code.upper())
        problem = _discount_problem(found, line_total, now)
        if problem or found is None:
            warnings.append(f"Discount code {code} {problem}")
            continue
        discount, applied = _discount_amount(found, line_total), found.code
    subtotal = line_total - discount
    country = (address or {}).get("countryCode")
    needs_shipping = any(line.variant.grams > 0 for line in priced)
    rates = _rates(shop, country, line_total) if country and needs_shipping else []
    pickups = pickup_options(shop) if needs_shipping else []
    shipping = next((r for r in rates + pickups if r.handle == shipping_handle), None)
    if shipping_handle and shipping is None:
        warnings.append(f"Shipping rate {shipping_handle} is not available for this address")
    taxed_at = shipping.pickup_at.address if shipping and shipping.pickup_at else address
    return Quote(
        shop.currency,
        priced,
        subtotal,
        line_total,
        discount,
        applied,
        rates,
        shipping,
        tax_lines(shop, taxed_at, subtotal),
        warnings,
        pickups,
    )


def _discount_problem(code: DiscountCode | None, line_total: Decimal, now: float) -> str | None:
    if code is None:
        return "is not valid"
    if code.ends_at is not None and code.ends_at < now:
        return "has expired"
    if code.minimum_subtotal is not None and line_total < code.minimum_subtotal:
        return f"needs a subtotal of at least {code.minimum_subtotal}"
    return None


def _discount_amount(code: DiscountCode, line_total: Decimal) -> Decimal:
    if code.kind == "percentage":
        return cents(line_total * code.value / 100)
    return min(code.value, line_total)


def _rates(shop: Shop, country: str, line_total: Decimal) -> list[Rate]:
    zone = next((z for z in shop.zones if country in z.countries), None) or next(
        (z for z in shop.zones if "*" in z.countries), None
    )
    if zone is None:
        return []
    return [
        Rate(_handle(rate), rate.name, rate.price)
        for rate in zone.rates
        if rate.min_subtotal is None or line_total >= rate.min_subtotal
    ]


def pickup_options(shop: Shop) -> list[Rate]:
    """The shop's locations with local pickup on, as free delivery options."""
    return [
        Rate(f"shopify-pickup-{location.id}", location.name, Decimal(0), pickup_at=location)
        for location in shop.locations
        if location.pickup_instructions is not None
    ]


def pickup_address(shop: Shop, handle: str | None) -> dict[str, str] | None:
    """The address of the location a pickup handle names: where its order is taxed."""
    option = next((p for p in pickup_options(shop) if p.handle == handle), None)
    return option.pickup_at.address if option and option.pickup_at else None


def _handle(rate: ShippingRate) -> str:
    """Stable rate handle, shaped like Shopify's "shopify-<title>-<price>"."""
    return f"shopify-{rate.name.replace(' ', '%20')}-{rate.price}"


def tax_lines(shop: Shop, address: dict | None, taxable: Decimal) -> list[TaxLine]:
    """Tax on `taxable` for a MailingAddressInput-shaped address: province rate, else country."""
    country = (address or {}).get("countryCode")
    province = (address or {}).get("provinceCode")
    if not country:
        return []
    rates = [t for t in shop.tax_rates if t.country == country and t.province == province]
    if not (province and rates):
        rates = [t for t in shop.tax_rates if t.country == country and t.province is None]
    return [TaxLine(rate.name, rate.rate, cents(taxable * rate.rate)) for rate in rates]

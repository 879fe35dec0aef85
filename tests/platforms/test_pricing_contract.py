"""One contract for both pricing engines, run against the sandbox's Shopify and BigCommerce
through the real clients: what the checkout may rely on, whichever platform prices it.

Expected amounts are worked out here from the seed data (sandbox/*/seed.py) and the
platforms' rules (sandbox/*/pricing.py), so a wrong mapping cannot pass by echoing
what the engine says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pytest

from core.models import Platform
from platforms.bigcommerce.setup import store_connection
from platforms.errors import NotFoundError, RetriableError
from platforms.pricing import Address, CartItem, CheckoutState, PricingEngine, Quote
from platforms.pricing_engines import engine_for
from tests.support import bigcommerce as bigcommerce_support
from tests.support.cartpath import SHOP, STORE, LiveCartpath

CALIFORNIA = Address("Ada", "Lovelace", "1 Market St", "San Francisco", "US", "94105", "CA")
NEW_YORK = Address("Ada", "Lovelace", "350 5th Ave", "New York", "US", "10118", "NY")
EMAIL = "ada@example.com"


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Kit:
    """One platform's shop with Cartpath installed, and what its seed data promises."""

    platform: Platform
    cartpath: LiveCartpath
    shop_id: int
    variants: dict[str, str]  # "shoe42", "shoe43", "shoe44", "socks" -> variant id
    rates: dict[str, Decimal]  # shipping option title -> price, for a 118.00 cart (3 units)
    pickups: dict[str, str]  # local pickup title -> its collection instructions
    pickup_taxed_in: str | None  # the pickup location's province, or None: the shopper's
    rates_beside_pickup: bool  # whether the rates stay listed once pickup is chosen
    tax_rate: dict[str, Decimal]  # province -> rate
    taxes_shipping: dict[str, bool]  # province -> whether the rate taxes shipping
    percent_code: tuple[str, Decimal]
    minimum_code: tuple[str, Decimal]
    expired_code: str
    api_path: str  # a regular expression matching the platform API the engine calls
    make_cart: Callable[[tuple[CartItem, ...]], str | None] = field(repr=False)

    @property
    def engine(self) -> PricingEngine:
        return engine_for(self.platform)

    def state(self, *items: tuple[str, int], **fields: object) -> CheckoutState:
        """A checkout for `items` as the storefront hands it over (BigCommerce: a cart)."""
        cart = tuple(CartItem(self.variants[name], quantity) for name, quantity in items)
        return CheckoutState(items=cart, platform_ref=self.make_cart(cart), **fields)  # type: ignore[arg-type]

    def quote(self, state: CheckoutState) -> Quote:
        with self.cartpath.app.app_context():
            return self.engine.quote(self.shop_id, state)

    def read(self, state: CheckoutState):
        with self.cartpath.app.app_context():
            return self.engine.read_cart(
                self.shop_id, items=state.items, platform_ref=state.platform_ref
            )


def _shopify_kit(cartpath: LiveCartpath) -> Kit:
    shop_id = cartpath.install_shopify()
    products = cartpath.sandbox.state()["shopify"]["shops"][SHOP]["products"]
    by_sku = {v["sku"]: str(v["id"]) for p in products for v in p["variants"]}
    return Kit(
        platform=Platform.SHOPIFY,
        cartpath=cartpath,
        shop_id=shop_id,
        variants={
            "shoe42": by_sku["TRS-42"],
            "shoe43": by_sku["TRS-43"],
            "shoe44": by_sku["TRS-44"],
            "socks": by_sku["MS-1"],
        },
        rates={
            "Standard": Decimal("5.00"),
            "Express": Decimal("15.00"),
            "Free shipping": Decimal("0.00"),
        },
        pickups={  # the demo shop's location with local pickup on (its warehouse has none)
            "Mission St store": "Usually ready in 2 hours. Bring your order number to the counter."
        },
        pickup_taxed_in="CA",  # where the shopper takes the goods (sandbox/shopify/pricing.py)
        rates_beside_pickup=True,  # one list of delivery options for the draft order
        tax_rate={"CA": Decimal("0.0725"), "NY": Decimal("0.04")},
        taxes_shipping={"CA": False, "NY": False},
        percent_code=("WELCOME10", Decimal("10")),
        minimum_code=("FIVEOFF", Decimal("30.00")),
        expired_code="EXPIRED20",
        api_path=r"/graphql\.json$",
        make_cart=lambda items: None,
    )


def _bigcommerce_kit(cartpath: LiveCartpath) -> Kit:
    shop_id = cartpath.install_bigcommerce()
    products = {"11101": 111, "11102": 111, "11103": 111, "11201": 112}

    def make_cart(items: tuple[CartItem, ...]) -> str:
        """The storefront's cart, as BigCommerce's own cart page would have made it."""
        with cartpath.app.app_context():
            conn = store_connection(shop_id)
        line_items = [
            {
                "product_id": products[i.variant_id],
                "variant_id": int(i.variant_id),
                "quantity": i.quantity,
            }
            for i in items
        ]
        return conn.post("carts", {"line_items": line_items})["data"]["id"]

    return Kit(
        platform=Platform.BIGCOMMERCE,
        cartpath=cartpath,
        shop_id=shop_id,
        variants={"shoe42": "11101", "shoe43": "11102", "shoe44": "11103", "socks": "11201"},
        rates={
            "Flat rate": Decimal("10.00"),
            "Per item": Decimal("6.00"),  # 2.00 x 3 units
            "Free shipping over $100": Decimal("0.00"),
        },
        pickups={  # the demo store's pickup method at its Mission St location
            "Pick up at our Mission St store": (
                "Ready in 2 hours. Bring your order number to the counter."
            )
        },
        pickup_taxed_in=None,  # the store's tax follows the billing address
        rates_beside_pickup=False,  # a pickup consignment has no shipping rates
        tax_rate={"CA": Decimal("0.0725"), "NY": Decimal("0.08875")},
        taxes_shipping={"CA": False, "NY": True},
        percent_code=("SAVE10", Decimal("10")),
        minimum_code=("FIVEOFF", Decimal("50.00")),
        expired_code="EXPIRED20",
        api_path=rf"/bigcommerce/stores/{STORE}/v3/",
        make_cart=make_cart,
    )


@pytest.fixture(params=[Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=lambda p: p.value)
def kit(request: pytest.FixtureRequest, cartpath: LiveCartpath) -> Kit:
    build = _shopify_kit if request.param is Platform.SHOPIFY else _bigcommerce_kit
    return build(cartpath)


CART = (("shoe42", 1), ("socks", 2))  # 89.00 + 2 x 14.50 = 118.00, three units
CART_SUBTOTAL = Decimal("118.00")


def assert_adds_up(quote: Quote) -> None:
    assert quote.subtotal == sum((ln.unit_price * ln.quantity for ln in quote.lines), Decimal(0))
    assert quote.total == (
        quote.subtotal - quote.discount_total + quote.shipping_total + quote.tax_total
    )


def expected_tax(kit: Kit, province: str, taxable: Decimal, shipping: Decimal) -> Decimal:
    """Each seed taxes the discounted items, and shipping where the rate says so."""
    rate = kit.tax_rate[province]
    if kit.platform is Platform.BIGCOMMERCE:  # rounded per part (sandbox/bigcommerce/pricing.py)
        shipping_tax = cents(shipping * rate) if kit.taxes_shipping[province] else Decimal(0)
        return cents(taxable * rate) + shipping_tax
    return cents(taxable * rate)


def option(quote: Quote, title: str) -> str:
    return next(o.id for o in quote.shipping_options if o.title == title)


def rates(quote: Quote) -> dict[str, Decimal]:
    return {o.title: o.price for o in quote.shipping_options if not o.pickup}


def pickups(quote: Quote) -> dict[str, str]:
    assert all(o.price == 0 for o in quote.shipping_options if o.pickup), "pickup is free"
    return {o.title: o.instructions for o in quote.shipping_options if o.pickup}


# --- lines ------------------------------------------------------------------------------


def test_lines_carry_the_platforms_names_prices_and_stock(kit: Kit):
    platform_ref, lines = kit.read(kit.state(*CART))

    shoe, socks = lines
    assert (shoe.variant_id, shoe.quantity, shoe.unit_price) == (
        kit.variants["shoe42"],
        1,
        Decimal("89.00"),
    )
    assert (socks.variant_id, socks.quantity, socks.unit_price) == (
        kit.variants["socks"],
        2,
        Decimal("14.50"),
    )
    assert shoe.title == "Trail Runner Shoe"
    assert shoe.variant_title == "42"
    assert socks.title == "Merino Socks"
    assert shoe.sku.startswith("TRS-42")
    assert shoe.product_id
    assert shoe.available
    assert socks.available
    assert (shoe.inventory, socks.inventory) == (12, 200)
    assert shoe.image_url
    assert shoe.image_url.startswith("http")
    assert (platform_ref is None) is (kit.platform is Platform.SHOPIFY)


def test_items_handed_over_without_a_cart_are_read_from_the_platform(kit: Kit):
    items = (CartItem(kit.variants["shoe43"], 2), CartItem(kit.variants["socks"], 1))

    platform_ref, lines = kit.read(CheckoutState(items=items))

    assert [(ln.variant_id, ln.quantity, ln.unit_price) for ln in lines] == [
        (kit.variants["shoe43"], 2, Decimal("89.00")),
        (kit.variants["socks"], 1, Decimal("14.50")),
    ]
    if kit.platform is Platform.BIGCOMMERCE:  # a server-side cart the checkout now owns
        assert kit.read(CheckoutState(items=(), platform_ref=platform_ref)) == (
            platform_ref,
            lines,
        )
    else:
        assert platform_ref is None


def test_an_unknown_variant_handed_over_is_not_found(kit: Kit):
    with pytest.raises(NotFoundError):
        kit.read(CheckoutState(items=(CartItem("987654321", 1),)))


def test_a_quote_without_an_address_prices_the_items_only(kit: Kit):
    quote = kit.quote(kit.state(*CART))

    assert quote.currency == "USD"
    assert [ln.unit_price for ln in quote.lines] == [Decimal("89.00"), Decimal("14.50")]
    assert quote.subtotal == quote.total == CART_SUBTOTAL
    assert quote.shipping_options == ()
    assert quote.selected_shipping is None
    assert quote.tax_total == quote.shipping_total == quote.discount_total == Decimal(0)
    assert_adds_up(quote)


def test_an_out_of_stock_variant_reads_as_unavailable(kit: Kit):
    if kit.platform is Platform.SHOPIFY:  # TRS-44: none left, and the shop does not oversell
        state = kit.state(("shoe44", 1), ("shoe43", 4))
    else:  # a cart holds only what was in stock: the merchant sells the rest elsewhere
        state = kit.state(("shoe43", 1))
        token = bigcommerce_support.install(kit.cartpath.sandbox)["access_token"]
        merchant = bigcommerce_support.connection(kit.cartpath.sandbox, token)
        merchant.put("catalog/products/111/variants/11102", {"inventory_level": 0})

    _, lines = kit.read(state)

    assert not any(line.available for line in lines)
    assert lines[0].inventory == 0


def test_a_missing_variant_or_cart_is_not_found(kit: Kit):
    if kit.platform is Platform.SHOPIFY:
        state = kit.state(("socks", 1))
        product_id = kit.read(state)[1][0].product_id
        kit.cartpath.sandbox.call(
            "POST",
            "/shopify/events",
            {"shop": SHOP, "topic": "products/delete", "product_id": int(product_id)},
        )
    else:
        state = CheckoutState(items=(), platform_ref="0b1e7c2e-0000-4000-8000-000000000000")

    with pytest.raises(NotFoundError):
        kit.read(state)
    with pytest.raises(NotFoundError):
        kit.quote(state)


def test_a_platform_that_does_not_answer_is_retriable(kit: Kit):
    state = kit.state(*CART)
    kit.cartpath.sandbox.fault(kind="status", status=503, path=kit.api_path, count=1)

    with pytest.raises(RetriableError):
        kit.quote(state)
    assert kit.quote(state).total == CART_SUBTOTAL  # the next try goes through


# --- shipping and tax ---------------------------------------------------------------------


def test_a_us_address_gets_the_shops_shipping_options_and_tax(kit: Kit):
    quote = kit.quote(kit.state(*CART, email=EMAIL, address=CALIFORNIA))

    assert rates(quote) == kit.rates
    assert quote.selected_shipping is None
    assert quote.shipping_total == Decimal(0)
    assert quote.tax_total == expected_tax(kit, "CA", CART_SUBTOTAL, Decimal(0)) == Decimal("8.56")
    assert quote.total == CART_SUBTOTAL + Decimal("8.56")
    assert_adds_up(quote)


def test_choosing_an_option_adds_its_price_and_requoting_changes_nothing(kit: Kit):
    state = kit.state(*CART, email=EMAIL, address=CALIFORNIA)
    before = kit.quote(state)
    title, price = max(kit.rates.items(), key=lambda rate: rate[1])
    chosen = CheckoutState(**{**vars(state), "shipping_option": option(before, title)})

    quote = kit.quote(chosen)
    again = kit.quote(chosen)

    assert quote.selected_shipping == option(before, title)
    assert quote.shipping_total == price
    assert quote.total == before.total + price
    assert again == quote
    assert_adds_up(quote)


def test_a_new_address_reprices_shipping_and_tax(kit: Kit):
    state = kit.state(*CART, email=EMAIL, address=CALIFORNIA)
    title, price = max(kit.rates.items(), key=lambda rate: rate[1])
    handle = option(kit.quote(state), title)
    kit.quote(CheckoutState(**{**vars(state), "shipping_option": handle}))

    moved = kit.quote(
        CheckoutState(**{**vars(state), "address": NEW_YORK, "shipping_option": handle})
    )

    assert moved.selected_shipping == handle
    assert moved.shipping_total == price
    assert moved.tax_total == expected_tax(kit, "NY", CART_SUBTOTAL, price)
    assert_adds_up(moved)


def test_a_rate_the_new_address_does_not_offer_is_not_selected(kit: Kit):
    state = kit.state(*CART, email=EMAIL, address=CALIFORNIA)

    quote = kit.quote(CheckoutState(**{**vars(state), "shipping_option": "no-such-rate"}))

    assert quote.selected_shipping is None
    assert quote.shipping_total == Decimal(0)
    assert_adds_up(quote)


# --- discounts -----------------------------------------------------------------------------


def test_a_valid_code_lowers_the_total(kit: Kit):
    code, percent = kit.percent_code
    state = kit.state(*CART, email=EMAIL, address=CALIFORNIA, discount_code=code.lower())
    discount = cents(CART_SUBTOTAL * percent / 100)

    quote = kit.quote(state)

    assert [c.upper() for c in quote.discount_codes] == [code]
    assert quote.discount_errors == ()
    assert quote.discount_total == discount == Decimal("11.80")
    assert quote.tax_total == expected_tax(kit, "CA", CART_SUBTOTAL - discount, Decimal(0))
    assert quote.total == CART_SUBTOTAL - discount + quote.tax_total
    assert_adds_up(quote)
    assert kit.quote(state) == quote


def test_dropping_a_code_takes_its_discount_away(kit: Kit):
    code, _ = kit.percent_code
    state = kit.state(*CART, discount_code=code)
    assert kit.quote(state).discount_total > 0

    quote = kit.quote(CheckoutState(**{**vars(state), "discount_code": None}))

    assert quote.discount_codes == ()
    assert quote.discount_total == Decimal(0)
    assert quote.total == CART_SUBTOTAL


@pytest.mark.parametrize(
    ("which", "says"),
    [("expired", "has expired"), ("unknown", "is not valid"), ("minimum", "at least")],
)
def test_a_code_that_does_not_apply_says_why_and_discounts_nothing(kit: Kit, which, says):
    code = {"expired": kit.expired_code, "unknown": "NOSUCHCODE", "minimum": kit.minimum_code[0]}[
        which
    ]
    state = kit.state(("socks", 1), email=EMAIL, address=CALIFORNIA, discount_code=code)

    quote = kit.quote(state)

    [error] = quote.discount_errors
    assert code in error
    assert says in error
    if which == "minimum":
        assert str(kit.minimum_code[1]) in error
    assert quote.discount_codes == ()
    assert quote.discount_total == Decimal(0)
    assert quote.subtotal == Decimal("14.50")
    assert_adds_up(quote)


# --- local pickup -------------------------------------------------------------------------


def test_local_pickup_is_offered_beside_the_rates_where_the_platform_has_it(kit: Kit):
    quote = kit.quote(kit.state(*CART, email=EMAIL, address=CALIFORNIA))

    assert pickups(quote) == kit.pickups
    assert rates(quote) == kit.rates


def pickup_of(kit: Kit, quote: Quote) -> str:
    return option(quote, next(iter(kit.pickups)))


def test_choosing_pickup_ships_nothing_and_taxes_the_items_only(kit: Kit):
    state = kit.state(*CART, email=EMAIL, address=CALIFORNIA)
    first_rate = next(iter(kit.rates))
    shipped = kit.quote(
        CheckoutState(**{**vars(state), "shipping_option": option(kit.quote(state), first_rate)})
    )
    pickup = pickup_of(kit, shipped)

    quote = kit.quote(CheckoutState(**{**vars(state), "shipping_option": pickup}))

    assert quote.selected_shipping == pickup
    assert quote.shipping_total == Decimal(0)
    assert quote.tax_total == expected_tax(kit, "CA", CART_SUBTOTAL, Decimal(0))
    assert quote.total == CART_SUBTOTAL + quote.tax_total
    assert quote.total == shipped.total - kit.rates[first_rate]
    assert rates(quote) == (kit.rates if kit.rates_beside_pickup else {})
    assert pickups(quote) == kit.pickups
    assert_adds_up(quote)
    assert kit.quote(CheckoutState(**{**vars(state), "shipping_option": pickup})) == quote


def test_a_pickup_is_taxed_where_the_platform_says(kit: Kit):
    """Shopify taxes a pickup at the location (California), BigCommerce at the billing
    address (New York): whichever, the quote is the platform's."""
    state = kit.state(*CART, email=EMAIL, address=NEW_YORK)
    pickup = pickup_of(kit, kit.quote(state))

    quote = kit.quote(CheckoutState(**{**vars(state), "shipping_option": pickup}))

    province = kit.pickup_taxed_in or "NY"
    assert quote.tax_total == expected_tax(kit, province, CART_SUBTOTAL, Decimal(0))
    assert quote.total == CART_SUBTOTAL + quote.tax_total
    assert_adds_up(quote)


def test_shipping_again_after_pickup_lists_the_rates_with_none_chosen(kit: Kit):
    state = kit.state(*CART, email=EMAIL, address=CALIFORNIA)
    pickup = pickup_of(kit, kit.quote(state))
    kit.quote(CheckoutState(**{**vars(state), "shipping_option": pickup}))
    first_rate = next(iter(kit.rates))

    back = kit.quote(state)
    shipped = kit.quote(
        CheckoutState(**{**vars(state), "shipping_option": option(back, first_rate)})
    )

    assert back.selected_shipping is None
    assert rates(back) == kit.rates
    assert shipped.shipping_total == kit.rates[first_rate]
    assert_adds_up(shipped)


def test_a_pickup_the_platform_does_not_offer_is_not_selected(kit: Kit):
    state = kit.state(*CART, email=EMAIL, address=CALIFORNIA)

    quote = kit.quote(CheckoutState(**{**vars(state), "shipping_option": "pickup-999"}))

    assert quote.selected_shipping is None
    assert rates(quote) == kit.rates
    assert quote.shipping_total == Decimal(0)

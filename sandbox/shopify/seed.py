"""The "demo" data set: two shops (USD and EUR) and the demo app's registration.

demo-shop carries the catalogue, shipping zones, regional taxes and discount
codes the demo and the tests price against; other-shop exists so tests can
prove one shop's token never reaches the other's data.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox import demo_credentials
from sandbox.shopify.state import (
    App,
    DiscountCode,
    Location,
    Product,
    ShippingRate,
    ShippingZone,
    Shop,
    ShopifyState,
    TaxRate,
    Variant,
)

DEMO_SHOP = "demo-shop.myshopify.com"
OTHER_SHOP = "other-shop.myshopify.com"
DEMO_REDIRECT = f"{demo_credentials.DEMO_APP_URL}/shopify/callback"
DEMO_SCOPES = [
    "read_products",
    "write_products",
    "read_orders",
    "write_orders",
    "write_draft_orders",
    "write_order_edits",
    "write_script_tags",
]

# (title, product type, colour, [(variant title, sku, price, grams, stock, policy)])
DEMO_CATALOGUE: list[tuple[str, str, str, list[tuple[str, str, str, int, int, str]]]] = [
    (
        "Trail Runner Shoe",
        "Shoes",
        "#2f6fde",
        [
            ("42", "TRS-42", "89.00", 850, 12, "deny"),
            ("43", "TRS-43", "89.00", 870, 3, "deny"),
            ("44", "TRS-44", "89.00", 890, 0, "deny"),
        ],
    ),
    ("Merino Socks", "Accessories", "#7a4f2a", [("One size", "MS-1", "14.50", 60, 200, "deny")]),
    (
        "Water Bottle",
        "Accessories",
        "#1c9c6b",
        [
            ("500 ml", "WB-500", "19.99", 210, 40, "deny"),
            ("1 l", "WB-1000", "24.99", 300, 25, "deny"),
        ],
    ),
    ("Running Cap", "Apparel", "#d94848", [("Default Title", "RC-1", "22.00", 90, 15, "continue")]),
    (
        "Rain Jacket",
        "Apparel",
        "#404a5a",
        [("S", "RJ-S", "149.00", 420, 5, "deny"), ("M", "RJ-M", "149.00", 440, 8, "deny")],
    ),
    (
        "Energy Gel 6-pack",
        "Nutrition",
        "#f2b01e",
        [("Default Title", "EG-6", "11.40", 240, 80, "deny")],
    ),
    ("Headlamp", "Gear", "#222222", [("Default Title", "HL-1", "39.95", 110, 0, "continue")]),
    ("Gift Card", "Gift", "#b04fc9", [("Default Title", "GC-25", "25.00", 0, 999, "continue")]),
    ("Insoles", "Accessories", "#8899aa", [("Default Title", "IN-1", "29.00", 120, 30, "deny")]),
]

OTHER_CATALOGUE: list[tuple[str, str, str, list[tuple[str, str, str, int, int, str]]]] = [
    ("Espresso Cup", "Kitchen", "#6b3e26", [("Default Title", "EC-1", "12.00", 180, 50, "deny")]),
    (
        "Coffee Beans 1 kg",
        "Coffee",
        "#3b2416",
        [("Default Title", "CB-1", "28.50", 1000, 20, "deny")],
    ),
]


def seed(state: ShopifyState, name: str, now: float) -> None:
    """Load data set `name` into `state`; unknown names raise ValueError."""
    if name != "demo":
        raise ValueError(f"unknown seed {name!r}; the Shopify emulator knows 'demo'")
    with state.lock:
        register_demo_app(state)
        state.shops[DEMO_SHOP] = _demo_shop(state, now)
        state.shops[OTHER_SHOP] = _other_shop(state, now)


def register_demo_app(state: ShopifyState) -> App:
    app = App(
        client_id=demo_credentials.SHOPIFY_API_KEY,
        client_secret=demo_credentials.SHOPIFY_API_SECRET,
        name="Cartpath",
        scopes=list(DEMO_SCOPES),
        redirect_urls=[DEMO_REDIRECT],
        app_url=f"{demo_credentials.DEMO_APP_URL}/admin",
        embedded=True,
        compliance_url=f"{demo_credentials.DEMO_APP_URL}/webhooks/shopify",
        app_id=state.next_id(),
    )
    state.apps[app.client_id] = app
    return app


def _demo_shop(state: ShopifyState, now: float) -> Shop:
    shop = Shop(
        id=state.next_id(),
        domain=DEMO_SHOP,
        name="Demo Shop",
        email="owner@demo-shop.example",
        currency="USD",
        plan="basic",  # tests switch it to "development" for the 5 orders/min rule
        country="US",
        province="NY",
        timezone="America/New_York",  # the billing address's state
        zones=[
            ShippingZone(
                "Domestic",
                ["US"],
                [
                    ShippingRate("Standard", Decimal("5.00")),
                    ShippingRate("Express", Decimal("15.00")),
                    ShippingRate("Free shipping", Decimal("0.00"), min_subtotal=Decimal("100.00")),
                ],
            ),
            ShippingZone("Canada", ["CA"], [ShippingRate("International", Decimal("12.00"))]),
            ShippingZone("Rest of world", ["*"], [ShippingRate("Worldwide", Decimal("25.00"))]),
        ],
        tax_rates=[
            TaxRate("NY State Tax", "US", "NY", Decimal("0.04")),
            TaxRate("CA State Tax", "US", "CA", Decimal("0.0725")),
            TaxRate("GST", "CA", None, Decimal("0.05")),
            TaxRate("ON HST", "CA", "ON", Decimal("0.13")),
        ],
        discounts={
            "WELCOME10": DiscountCode("WELCOME10", "percentage", Decimal("10")),
            "FIVEOFF": DiscountCode(
                "FIVEOFF", "fixed_amount", Decimal("5.00"), minimum_subtotal=Decimal("30.00")
            ),
            "EXPIRED20": DiscountCode(
                "EXPIRED20", "percentage", Decimal("20"), ends_at=now - 86400
            ),
        },
    )
    _add_products(state, shop, DEMO_CATALOGUE, now)
    shop.locations = [
        Location(
            state.next_id(),
            "Mission St store",
            {
                "address1": "500 Mission St",
                "city": "San Francisco",
                "provinceCode": "CA",
                "countryCode": "US",
                "zip": "94105",
            },
            pickup_instructions="Usually ready in 2 hours. Bring your order number to the counter.",
        ),
        Location(  # ships orders; shoppers cannot collect here
            state.next_id(),
            "Brooklyn warehouse",
            {
                "address1": "1 Water St",
                "city": "Brooklyn",
                "provinceCode": "NY",
                "countryCode": "US",
                "zip": "11201",
            },
        ),
    ]
    return shop


def _other_shop(state: ShopifyState, now: float) -> Shop:
    shop = Shop(
        id=state.next_id(),
        domain=OTHER_SHOP,
        name="Other Shop",
        email="owner@other-shop.example",
        currency="EUR",
        plan="basic",
        country="DE",
        province=None,
        primary_locale="de",
        timezone="Europe/Berlin",
        zones=[ShippingZone("Germany", ["DE"], [ShippingRate("DHL", Decimal("4.90"))])],
        tax_rates=[TaxRate("MwSt", "DE", None, Decimal("0.19"))],
        discounts={},
    )
    _add_products(state, shop, OTHER_CATALOGUE, now)
    return shop


def _add_products(state: ShopifyState, shop: Shop, catalogue, now: float) -> None:
    for title, product_type, colour, variants in catalogue:
        product_id = state.next_id()
        product = Product(
            id=product_id,
            title=title,
            handle=title.lower().replace(" ", "-"),
            body_html=f"<p>{title}, sold by {shop.name}.</p>",
            vendor=shop.name,
            product_type=product_type,
            tags=[product_type.lower()],
            colour=colour,
            image_id=state.next_id(),
            variants=[],
            created_at=now,
            updated_at=now,
        )
        for position, (v_title, sku, price, grams, stock, policy) in enumerate(variants, 1):
            product.variants.append(
                Variant(
                    id=state.next_id(),
                    product_id=product_id,
                    title=v_title,
                    sku=sku,
                    price=Decimal(price),
                    grams=grams,
                    inventory_quantity=stock,
                    inventory_policy=policy,
                    inventory_item_id=state.next_id(),
                    position=position,
                    created_at=now,
                    updated_at=now,
                )
            )
        shop.products[product_id] = product

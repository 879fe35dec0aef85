"""The "demo" data set: two stores (USD and EUR) and the demo app's registration.

demo1abc carries the catalogue, coupons, shipping zones and US state taxes that
checkouts price against; other2xyz exists so tests can prove one store's token
never reaches another store's data.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox import demo_credentials
from sandbox.bigcommerce.state import (
    App,
    BigCommerceState,
    Coupon,
    Image,
    Location,
    OptionValue,
    PickupMethod,
    Product,
    ShippingMethod,
    ShippingZone,
    Store,
    TaxRate,
    User,
    Variant,
)

DEMO_STORE = "demo1abc"
OTHER_STORE = "other2xyz"
DEMO_SCOPES = [
    "store_v2_orders",
    "store_v2_products",
    "store_cart",
    "store_checkout",
    "store_v2_content",
    "store_v2_information_read_only",
]
ACCOUNT_UUID = "0d7f5a52-6c1b-4f39-9d0e-6a1c2b3d4e5f"

# Fixed ids so the demo and tests can name them.
# (id, name, sku, price, weight kg, tracking, option name, [(label, stock, price or None)])
DEMO_CATALOGUE: list[
    tuple[int, str, str, str, str, str, str, list[tuple[str, int, str | None]]]
] = [
    (
        111,
        "Trail Runner Shoe",
        "TRS",
        "89.00",
        "0.85",
        "variant",
        "Size",
        [("42", 12, None), ("43", 3, None), ("44", 0, None)],
    ),
    (112, "Merino Socks", "MS", "14.50", "0.06", "product", "Size", [("One size", 0, None)]),
    (
        113,
        "Water Bottle",
        "WB",
        "19.99",
        "0.21",
        "variant",
        "Volume",
        [("500 ml", 40, None), ("1 l", 25, "24.99")],
    ),
    (
        114,
        "Running Cap",
        "RC",
        "22.00",
        "0.09",
        "none",
        "Colour",
        [("Red", 0, None), ("Black", 0, None)],
    ),
    (
        115,
        "Rain Jacket",
        "RJ",
        "149.00",
        "0.42",
        "variant",
        "Size",
        [("S", 5, None), ("M", 8, None)],
    ),
    (
        116,
        "Energy Gel 6-pack",
        "EG",
        "11.40",
        "0.24",
        "product",
        "Flavour",
        [("Lemon", 0, None), ("Berry", 0, None)],
    ),
    (
        117,
        "Headlamp",
        "HL",
        "39.95",
        "0.11",
        "variant",
        "Beam",
        [("200 lm", 0, None), ("400 lm", 7, "49.95")],
    ),
    (
        118,
        "Insoles",
        "IN",
        "29.00",
        "0.12",
        "product",
        "Size",
        [("S/M", 0, None), ("L/XL", 0, None)],
    ),
]
PRODUCT_STOCK = {112: 200, 116: 80, 118: 30}

OTHER_CATALOGUE: list[
    tuple[int, str, str, str, str, str, str, list[tuple[str, int, str | None]]]
] = [
    (211, "Espresso Cup", "EC", "12.00", "0.18", "variant", "Colour", [("White", 50, None)]),
    (
        212,
        "Coffee Beans 1 kg",
        "CB",
        "28.50",
        "1.00",
        "variant",
        "Grind",
        [("Whole", 20, None), ("Ground", 10, None)],
    ),
]


def seed(state: BigCommerceState, name: str, now: float) -> None:
    """Load data set `name` into `state`; unknown names raise ValueError."""
    if name != "demo":
        raise ValueError(f"unknown seed {name!r}; the BigCommerce emulator knows 'demo'")
    with state.lock:
        demo = _store(DEMO_STORE, 1001, "Cartpath Demo Store", "USD", "Plus", "US", 9001)
        demo.users[9002] = User(9002, "staff@demo1abc.example", "staff@demo1abc.example")
        _catalogue(demo, DEMO_CATALOGUE, now)
        _us_checkout_rules(demo, now)
        other = _store(OTHER_STORE, 1002, "Other Kaffee GmbH", "EUR", "Pro", "DE", 9101)
        _catalogue(other, OTHER_CATALOGUE, now)
        other.zones = [
            _zone(401, "Germany", "country", [{"country_iso2": "DE"}], "perorder", "4.90")
        ]
        other.tax_rates = [TaxRate(501, "MwSt", "DE", None, Decimal("19"), tax_shipping=True)]
        state.stores = {demo.hash: demo, other.hash: other}
        register_demo_app(state)


def register_demo_app(state: BigCommerceState) -> App:
    """The app `cartpath demo` is configured with (sandbox/demo_credentials.py)."""
    base = f"{demo_credentials.DEMO_APP_URL}/bigcommerce"
    app = App(
        client_id=demo_credentials.BIGCOMMERCE_CLIENT_ID,
        client_secret=demo_credentials.BIGCOMMERCE_CLIENT_SECRET,
        app_id=demo_credentials.BIGCOMMERCE_APP_ID,
        name="Cartpath",
        auth_callback=f"{base}/auth",
        load_callback=f"{base}/load",
        uninstall_callback=f"{base}/uninstall",
        remove_user_callback=f"{base}/remove_user",
        scopes=list(DEMO_SCOPES),
        account_uuid=ACCOUNT_UUID,
    )
    state.apps[app.client_id] = app
    return app


def _store(
    store_hash: str, store_id: int, name: str, currency: str, plan: str, country: str, owner_id: int
) -> Store:
    owner = User(owner_id, f"owner@{store_hash}.example", f"owner@{store_hash}.example")
    quota = {"Pro": 450}.get(plan, 150)
    return Store(
        hash=store_hash,
        id=store_id,
        name=name,
        domain=f"{store_hash}.mybigcommerce.example",
        currency=currency,
        plan=plan,
        owner=owner,
        users={owner.id: owner},
        country_code=country,
        language="en" if country == "US" else "de",
        address="1 Demo Street, Austin, TX 78701" if country == "US" else "Demostr. 1, Berlin",
        timezone="America/Chicago" if country == "US" else "Europe/Berlin",  # by the address
        admin_email=owner.email,
        quota=quota,
    )


def _catalogue(store: Store, rows, now: float) -> None:
    for product_id, name, sku, price, weight, tracking, option_name, values in rows:
        option_id = product_id * 10
        variants = []
        for index, (label, stock, variant_price) in enumerate(values, start=1):
            value = OptionValue(option_id * 10 + index, option_id, option_name, label)
            variants.append(
                Variant(
                    id=product_id * 100 + index,
                    product_id=product_id,
                    sku=f"{sku}-{label.upper().replace(' ', '').replace('/', '')}",
                    option_values=[value],
                    price=Decimal(variant_price) if variant_price else None,
                    inventory_level=stock,
                )
            )
        store.products[product_id] = Product(
            id=product_id,
            name=name,
            sku=sku,
            price=Decimal(price),
            weight=Decimal(weight),
            description=f"<p>{name}: sandbox product for the Cartpath demo.</p>",
            inventory_tracking=tracking,
            inventory_level=PRODUCT_STOCK.get(product_id, 0),
            variants=variants,
            images=[Image(product_id * 10 + 1, product_id, f"{sku.lower()}.svg")],
            date_created=now,
            date_modified=now,
        )


def _us_checkout_rules(store: Store, now: float) -> None:
    store.coupons = {
        301: Coupon(301, "Ten percent off", "SAVE10", "percentage_discount", Decimal("10")),
        302: Coupon(
            302,
            "Five off fifty",
            "FIVEOFF",
            "per_total_discount",
            Decimal("5"),
            min_purchase=Decimal("50"),
            expires=now + 365 * 86400,
        ),
        303: Coupon(
            303,
            "Last season",
            "EXPIRED20",
            "percentage_discount",
            Decimal("20"),
            expires=now - 86400,
        ),
    }
    us = _zone(401, "United States", "country", [{"country_iso2": "US"}], "perorder", "10.00")
    us.methods.append(ShippingMethod(4012, "Per item", "peritem", Decimal("2.00")))
    us.methods.append(
        ShippingMethod(
            4013, "Free shipping over $100", "freeshipping", minimum_sub_total=Decimal("100")
        )
    )
    world = _zone(402, "Rest of the world", "global", [], "perorder", "25.00")
    store.zones = [us, world]
    store.tax_rates = [
        TaxRate(501, "CA Sales Tax", "US", "CA", Decimal("7.25")),
        TaxRate(502, "NY Sales Tax", "US", "NY", Decimal("8.875"), tax_shipping=True),
    ]
    store.locations = {
        1: Location(
            1,
            "Cartpath Demo Store, Mission St",
            {"code": "MISSION-ST", "address_line_1": "500 Mission St", "city": "San Francisco",
             "state": "California", "postal_code": "94105", "country_alpha2": "US",
             "email": "shop@demo1abc.example", "phone": "+1 415-555-0100"},
        )
    }  # fmt: skip
    store.pickup_methods = {
        11: PickupMethod(
            11,
            location_id=1,
            display_name="Pick up at our Mission St store",
            collection_instructions="Bring your order number to the counter.",
            collection_time_description="Ready in 2 hours",
        )
    }


def _zone(
    zone_id: int, name: str, kind: str, locations: list[dict[str, str]], method: str, rate: str
) -> ShippingZone:
    """A zone with one flat-rate method whose id is the zone's id * 10 + 1."""
    flat = ShippingMethod(zone_id * 10 + 1, "Flat rate", method, Decimal(rate))
    return ShippingZone(zone_id, name, kind, locations, [flat])

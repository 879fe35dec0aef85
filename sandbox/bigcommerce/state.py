"""Everything the emulated BigCommerce holds, as plain records behind one lock.

One `BigCommerceState` per sandbox; every view takes `state.lock` for the whole of
its read-modify-write so concurrent clients see the platform change atomically.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class User:
    id: int
    email: str
    username: str
    locale: str = "en-US"


@dataclass
class OptionValue:
    id: int
    option_id: int
    option_display_name: str
    label: str


@dataclass
class Variant:
    id: int
    product_id: int
    sku: str
    option_values: list[OptionValue]
    price: Decimal | None = None
    weight: Decimal | None = None
    inventory_level: int = 0


@dataclass
class Image:
    id: int
    product_id: int
    file_name: str
    is_thumbnail: bool = True
    sort_order: int = 0
    description: str = ""


@dataclass
class Product:
    id: int
    name: str
    sku: str
    price: Decimal
    weight: Decimal
    description: str
    inventory_tracking: str  # "none" | "product" | "variant"
    inventory_level: int
    variants: list[Variant]
    images: list[Image]
    sale_price: Decimal = Decimal("0")
    retail_price: Decimal = Decimal("0")
    is_visible: bool = True
    date_created: float = 0.0
    date_modified: float = 0.0

    @property
    def slug(self) -> str:
        return "-".join(self.name.lower().split())

    def variant(self, variant_id: int | None) -> Variant | None:
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        return None


@dataclass
class Coupon:
    id: int
    name: str
    code: str
    type: str  # "percentage_discount" | "per_total_discount" | "free_shipping"
    amount: Decimal
    min_purchase: Decimal = Decimal("0")
    expires: float | None = None
    enabled: bool = True
    num_uses: int = 0


@dataclass
class ShippingMethod:
    id: int
    name: str
    type: str  # "perorder" | "peritem" | "freeshipping"
    rate: Decimal = Decimal("0")
    minimum_sub_total: Decimal = Decimal("0")


@dataclass
class ShippingZone:
    id: int
    name: str
    type: str  # "country" | "state" | "global"
    locations: list[dict[str, str]]
    methods: list[ShippingMethod]


@dataclass
class TaxRate:
    id: int
    name: str
    country_iso2: str
    state_iso2: str | None
    rate: Decimal  # percent
    tax_shipping: bool = False


@dataclass
class Location:
    """A store location (https://developer.bigcommerce.com/docs/rest-management/inventory/locations)."""

    id: int
    label: str
    # as an order's pickup consignment shows it: code, address_line_1, city, state,
    # postal_code, country_alpha2, email, phone
    address: dict[str, str]


@dataclass
class PickupMethod:
    """Local pickup at a location (https://developer.bigcommerce.com/docs/rest-management/pickup-methods)."""

    id: int
    location_id: int
    display_name: str
    collection_instructions: str = ""
    collection_time_description: str = ""


@dataclass
class Store:
    hash: str
    id: int
    name: str
    domain: str
    currency: str
    plan: str
    owner: User
    users: dict[int, User]
    country_code: str = "US"
    language: str = "en"  # default_shopper_language (v3 settings/store/locale)
    address: str = ""
    timezone: str = "UTC"  # the control panel's time zone setting, an IANA name (GET /v2/store)
    admin_email: str = ""
    quota: int = 150
    products: dict[int, Product] = field(default_factory=dict)
    coupons: dict[int, Coupon] = field(default_factory=dict)
    zones: list[ShippingZone] = field(default_factory=list)
    tax_rates: list[TaxRate] = field(default_factory=list)
    locations: dict[int, Location] = field(default_factory=dict)
    pickup_methods: dict[int, PickupMethod] = field(default_factory=dict)
    carts: dict[str, Cart] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    hooks: dict[int, Hook] = field(default_factory=dict)
    scripts: dict[str, Script] = field(default_factory=dict)


@dataclass
class App:
    client_id: str
    client_secret: str
    app_id: str
    name: str
    auth_callback: str
    load_callback: str
    uninstall_callback: str | None
    remove_user_callback: str | None
    scopes: list[str]
    account_uuid: str


@dataclass
class Installation:
    """An app installed on a store: its one access token, and who installed it."""

    store_hash: str
    client_id: str
    access_token: str
    scope: str
    user_id: int


@dataclass
class AuthCode:
    code: str
    client_id: str
    store_hash: str
    user_id: int
    scope: str
    expires_at: float
    used: bool = False


@dataclass
class LineItem:
    id: str
    product_id: int
    variant_id: int
    quantity: int


@dataclass
class Address:
    id: str
    fields: dict[str, Any]

    @property
    def country_code(self) -> str:
        return str(self.fields.get("country_code") or self.fields.get("country_iso2") or "")


@dataclass
class Consignment:
    """A shipping consignment (an address and a chosen option) or a pickup one (a pickup
    method and no address): BigCommerce takes one or the other, never both."""

    id: str
    address: Address | None
    line_item_ids: list[str]
    selected_option_id: str | None = None
    pickup_method_id: int | None = None


@dataclass
class Cart:
    id: str
    store_hash: str
    line_items: list[LineItem]
    customer_id: int = 0
    email: str = ""
    channel_id: int = 1
    created: float = 0.0
    updated: float = 0.0
    coupon_codes: list[str] = field(default_factory=list)
    billing_address: Address | None = None
    consignments: list[Consignment] = field(default_factory=list)
    order_id: int | None = None
    redirect_tokens: set[str] = field(default_factory=set)


@dataclass
class OrderProduct:
    id: int
    product_id: int
    variant_id: int
    name: str
    sku: str
    quantity: int
    base_price: Decimal
    weight: Decimal
    product_options: list[dict[str, Any]]


@dataclass
class Order:
    id: int
    store_hash: str
    status_id: int
    billing_address: dict[str, Any]
    shipping_addresses: list[dict[str, Any]]
    products: list[OrderProduct]
    currency_code: str
    shipping_cost_ex_tax: Decimal
    shipping_method: str
    tax_rate: Decimal
    tax_shipping: bool
    discount_amount: Decimal
    coupon_codes: list[str]
    date_created: float
    date_modified: float
    customer_id: int = 0
    payment_method: str = ""
    payment_provider_id: str = ""  # the gateway's transaction id
    external_source: str | None = None
    external_id: str | None = None
    staff_notes: str = ""
    customer_message: str = ""
    cart_id: str | None = None
    channel_id: int = 1
    order_source: str = "external"
    is_deleted: bool = False
    refunded_amount: Decimal = Decimal("0")
    # v2 GET /orders/{id}/consignments "pickups", as the checkout's pickup consignments made them
    pickups: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Hook:
    id: int
    client_id: str
    store_hash: str
    scope: str
    destination: str
    is_active: bool
    headers: dict[str, str] | None
    created_at: int
    updated_at: int


@dataclass
class Script:
    uuid: str
    client_id: str
    fields: dict[str, Any]
    date_created: float
    date_modified: float


class BigCommerceState:
    """The whole emulated platform; hold `lock` while reading or changing it."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.stores: dict[str, Store] = {}
            self.apps: dict[str, App] = {}
            self.installations: dict[tuple[str, str], Installation] = {}
            self.codes: dict[str, AuthCode] = {}
            self.rate_windows: dict[str, tuple[float, int]] = {}
            self._ids = itertools.count(1000)

    def next_id(self) -> int:
        """Ids unique across the whole platform, like BigCommerce's own."""
        return next(self._ids)

    def installation_by_token(self, store_hash: str, token: str) -> Installation | None:
        for installation in self.installations.values():
            if installation.store_hash == store_hash and installation.access_token == token:
                return installation
        return None

    def app_by_id(self, app_id: str) -> App | None:
        return next((app for app in self.apps.values() if app.app_id == app_id), None)

"""Everything the emulated Shopify holds, as plain records under one lock.

Handlers take `state.lock` for the whole of a read-modify-write so that a
request either commits completely or not at all (a dropped response must still
have committed). IDs come from one counter so that no two objects share one.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

PLANS = ("basic", "advanced", "plus", "development")


@dataclass
class App:
    """An app as registered in the Partner Dashboard (or shopify.app.toml)."""

    client_id: str
    client_secret: str
    name: str
    scopes: list[str]
    redirect_urls: list[str]
    webhook_api_version: str = "2025-10"
    app_url: str = ""
    embedded: bool = True
    compliance_url: str | None = None
    post_purchase: bool = False
    app_id: int = 0


@dataclass
class Variant:
    id: int
    product_id: int
    title: str
    sku: str
    price: Decimal
    grams: int
    inventory_quantity: int
    inventory_policy: str  # "deny" | "continue"
    inventory_item_id: int
    position: int = 1
    compare_at_price: Decimal | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class Product:
    id: int
    title: str
    handle: str
    body_html: str
    vendor: str
    product_type: str
    tags: list[str]
    colour: str  # fill of the sandbox-served SVG image
    image_id: int
    variants: list[Variant]
    status: str = "active"
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class ShippingRate:
    name: str
    price: Decimal
    min_subtotal: Decimal | None = None


@dataclass
class ShippingZone:
    name: str
    countries: list[str]  # ISO codes; "*" = rest of world
    rates: list[ShippingRate]


@dataclass
class TaxRate:
    name: str
    country: str
    province: str | None  # None = country-wide
    rate: Decimal


@dataclass
class Location:
    """A place the shop keeps stock; with local pickup on, shoppers may collect there
    (https://shopify.dev/docs/api/admin-graphql/latest/objects/Location, localPickupSettingsV2:
    DeliveryLocalPickupSettings, https://shopify.dev/docs/api/admin-graphql/latest/objects/DeliveryLocalPickupSettings)."""

    id: int
    name: str
    address: dict[str, str]  # MailingAddressInput-shaped (address1, city, provinceCode, ...)
    pickup_instructions: str | None = None  # None: local pickup is off at this location


@dataclass
class DiscountCode:
    code: str
    kind: str  # "percentage" | "fixed_amount"
    value: Decimal
    ends_at: float | None = None
    minimum_subtotal: Decimal | None = None


@dataclass
class LineItem:
    id: int
    variant_id: int | None
    product_id: int | None
    title: str
    variant_title: str
    sku: str
    quantity: int
    price: Decimal
    grams: int
    taxable: bool = True
    # The line's share of the order's discounts (a post-purchase offer's own discount, or
    # orderEditAddLineItemDiscount's); an edit that lowers the quantity gives it back.
    discount: Decimal = Decimal(0)


@dataclass
class ShippingLine:
    """One shipping line of an order. Order edits add and remove them; a removed line stays
    on the order, flagged (REST `is_removed`, GraphQL `isRemoved`, left out of
    `Order.shippingLines` unless `includeRemovals`:
    https://shopify.dev/changelog/add-and-remove-shipping-lines-with-new-mutations-on-the-order-editing-api)."""

    id: int
    title: str
    price: Decimal
    code: str | None = None  # the rate's or pickup's handle; None: as the title
    removed: bool = False


@dataclass
class TaxLine:
    title: str
    rate: Decimal
    price: Decimal


@dataclass
class Transaction:
    id: int
    kind: str  # "sale" | "authorization" | "capture" | "refund"
    status: str  # "success" | "pending" | "failure"
    amount: Decimal
    gateway: str
    created_at: float
    authorization_code: str = ""  # the gateway's reference for the charge (orderCreate input)


@dataclass
class Order:
    id: int
    number: int
    name: str
    email: str
    currency: str
    line_items: list[LineItem]
    subtotal_price: Decimal
    total_discounts: Decimal
    tax_lines: list[TaxLine]
    total_tax: Decimal
    shipping_lines: list[ShippingLine]  # in the order added, removed ones included
    total_price: Decimal
    financial_status: str
    tags: list[str]
    note: str
    discount_codes: list[str]
    shipping_address: dict[str, Any] | None
    transactions: list[Transaction]
    created_at: float
    updated_at: float
    source_name: str = "web"
    app_client_id: str | None = None
    receipt_sent: bool = False
    cancelled_at: float | None = None
    cancel_reason: str | None = None
    note_attributes: list[dict[str, str]] = field(default_factory=list)
    billing_address: dict[str, Any] | None = None

    @property
    def current_shipping_lines(self) -> list[ShippingLine]:
        """The shipping lines not removed by an edit: what the order charges for."""
        return [line for line in self.shipping_lines if not line.removed]

    @property
    def shipping_price(self) -> Decimal:
        return sum((line.price for line in self.current_shipping_lines), Decimal(0))

    @property
    def shipping_code(self) -> str | None:
        """The first shipping line's code: a pickup's handle names where it is collected."""
        current = self.current_shipping_lines
        return current[0].code if current else None


@dataclass
class DraftOrder:
    id: int
    name: str
    email: str
    lines: list[tuple[int, int]]  # (variant id, quantity)
    shipping_address: dict[str, Any] | None
    discount_code: str | None
    shipping_handle: str | None
    tags: list[str]
    note: str
    status: str = "open"  # "open" | "completed"
    order_id: int | None = None
    created_at: float = 0.0


@dataclass
class OrderEdit:
    """A calculated order: the staged changes of one orderEditBegin session."""

    id: int
    order_id: int
    added: list[tuple[int, int, int]]  # (calculated line id, variant id, quantity)
    quantities: dict[int, int]  # existing line id -> new quantity
    committed: bool = False
    restock: set[int] = field(default_factory=set)  # lines whose removed units go back
    # added line id -> (description, amount off each unit, or percent off); one per line
    discounts: dict[int, tuple[str, Decimal | None, Decimal | None]] = field(default_factory=dict)
    shipping: list[ShippingLine] = field(default_factory=list)  # staged: added by this edit
    removed_shipping: set[int] = field(default_factory=set)  # the order's lines it removes


@dataclass
class WebhookSubscription:
    id: int
    client_id: str
    topic: str  # REST style: "orders/create"
    address: str
    format: str = "json"
    api_version: str = "2025-10"
    include_fields: list[str] = field(default_factory=list)
    created_at: float = 0.0


@dataclass
class ScriptTag:
    id: int
    client_id: str
    src: str
    event: str = "onload"
    display_scope: str = "online_store"
    created_at: float = 0.0
    cache: bool = False


@dataclass
class Cart:
    token: str
    items: list[tuple[int, int]]  # (variant id, quantity), in add order
    note: str = ""


@dataclass
class PostPurchaseApp:
    """The app the merchant picked for the post-purchase page (one per shop) and its backend."""

    client_id: str
    backend_url: str


@dataclass
class ChangesetApplication:
    """One applyChangeset call and Shopify's answer to it."""

    jti: str | None
    status: str  # "processed" | "partially_processed" | "unprocessed"
    errors: list[dict[str, str]]
    charged: Decimal
    remaining: int
    at: float


@dataclass
class PostPurchaseSession:
    """The post-purchase page of one initial purchase: what went to the app and what came back."""

    reference_id: str
    order_id: int
    client_id: str
    backend_url: str
    card: str  # the payment method of the initial purchase, charged again for upsells
    completed_at: float  # when the initial purchase completed (changesets signed earlier fail)
    token: str
    input_data: dict[str, Any]
    state: str = "pending"  # "pending" | "offered" | "skipped" | "done"
    skip_reason: str | None = None
    offers: list[dict[str, Any]] = field(default_factory=list)
    # The index of the offer shown next: offers are shown in order, or along the
    # `next: {accepted, declined}` offer ids an app gives them (a downsell after a decline).
    answered: int = 0
    applications: list[ChangesetApplication] = field(default_factory=list)
    used_jtis: set[str] = field(default_factory=set)


@dataclass
class Shop:
    id: int
    domain: str
    name: str
    email: str
    currency: str
    plan: str
    country: str
    province: str | None
    zones: list[ShippingZone]
    tax_rates: list[TaxRate]
    discounts: dict[str, DiscountCode]  # upper-cased code -> discount
    locations: list[Location] = field(default_factory=list)
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    draft_orders: dict[int, DraftOrder] = field(default_factory=dict)
    order_edits: dict[int, OrderEdit] = field(default_factory=dict)
    webhooks: dict[int, WebhookSubscription] = field(default_factory=dict)
    script_tags: dict[int, ScriptTag] = field(default_factory=dict)
    app_embeds: dict[str, list[str]] = field(default_factory=dict)  # client id -> script srcs
    # App-data metafields (owner: the app's installation): client id -> (namespace, key) -> value
    app_metafields: dict[str, dict[tuple[str, str], tuple[str, str]]] = field(default_factory=dict)
    installed: dict[str, list[str]] = field(default_factory=dict)  # client id -> granted scopes
    carts: dict[str, Cart] = field(default_factory=dict)
    order_times: list[float] = field(default_factory=list)  # orderCreate times (dev limit)
    post_purchase: PostPurchaseApp | None = None
    post_purchase_sessions: dict[str, PostPurchaseSession] = field(default_factory=dict)
    next_order_number: int = 1001
    primary_locale: str = "en"  # ISO code of the shop's default language (shopLocales)
    timezone: str = "UTC"  # Shop.ianaTimezone, as the merchant set it in the shop's settings

    @property
    def handle(self) -> str:
        """The store handle used in admin.shopify.com/store/<handle>."""
        return self.domain.split(".", 1)[0]

    def variant(self, variant_id: int) -> Variant | None:
        for product in self.products.values():
            for variant in product.variants:
                if variant.id == variant_id:
                    return variant
        return None


@dataclass
class AuthCode:
    code: str
    shop: str
    client_id: str
    scopes: list[str]
    online: bool
    user_id: int
    expires_at: float
    used: bool = False


@dataclass
class AccessToken:
    token: str
    shop: str
    client_id: str
    scopes: list[str]
    expires_at: float | None  # None: non-expiring offline token
    online_user_id: int | None = None


@dataclass
class RefreshToken:
    token: str
    shop: str
    client_id: str
    scopes: list[str]
    expires_at: float
    parent: str | None = None  # the refresh token this one replaced
    used: bool = False
    revoked: bool = False


class ShopifyState:
    """All shops, apps and tokens of the emulated platform."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.apps: dict[str, App] = {}
            self.shops: dict[str, Shop] = {}
            self.codes: dict[str, AuthCode] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self._ids = itertools.count(8_000_000_001)  # 64-bit-sized, like Shopify's

    def next_id(self) -> int:
        return next(self._ids)

    def shop(self, domain: str) -> Shop | None:
        return self.shops.get(domain.lower())

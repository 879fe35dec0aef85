"""What a platform event means for Cartpath, in the same words for every platform.

Each platform's adapter turns its own webhook topic and payload (or, on BigCommerce,
the resource it fetches by id) into one of these; webhooks/handlers holds one
handler per kind. `changed_at` orders events of one resource: an event older than
what Cartpath already holds changes nothing, so deliveries may come in any order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class RefundRecord:
    platform_id: str
    amount: Decimal
    created_at: datetime | None


@dataclass(frozen=True)
class OrderRecord:
    platform_id: str
    name: str
    email: str
    currency: str
    total: Decimal
    financial_status: str
    cancelled: bool
    changed_at: datetime
    # Cartpath's checkout reference when the order came from Cartpath (tag / external id).
    cartpath_reference: str | None = None
    refunds: tuple[RefundRecord, ...] = ()
    # Why the platform showed this order's shopper no post-purchase page, when the order
    # says so: "wallet" (wallets and pay-later), "gateway" (gift cards, gateways that
    # cannot charge again), "currency" (not the shop's currency). None: it could have.
    post_purchase_blocker: str | None = None


@dataclass(frozen=True)
class VariantRecord:
    platform_id: str
    sku: str
    price: Decimal
    inventory: int | None
    available: bool


@dataclass(frozen=True)
class ProductRecord:
    platform_id: str
    title: str
    active: bool
    changed_at: datetime
    variants: tuple[VariantRecord, ...] = ()


@dataclass(frozen=True)
class OrderChanged:
    order: OrderRecord


@dataclass(frozen=True)
class OrderRemoved:
    """Archived (BigCommerce) or deleted: Cartpath stops counting it."""

    platform_id: str
    changed_at: datetime


@dataclass(frozen=True)
class RefundCreated:
    order_platform_id: str
    refund: RefundRecord


@dataclass(frozen=True)
class ProductChanged:
    product: ProductRecord


@dataclass(frozen=True)
class ProductDeleted:
    platform_id: str
    changed_at: datetime


@dataclass(frozen=True)
class AppUninstalled:
    pass


@dataclass(frozen=True)
class CustomerDataRequested:
    request_id: str
    email: str
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class CustomerRedactRequested:
    email: str
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class ShopRedactRequested:
    pass


Effect = (
    OrderChanged
    | OrderRemoved
    | RefundCreated
    | ProductChanged
    | ProductDeleted
    | AppUninstalled
    | CustomerDataRequested
    | CustomerRedactRequested
    | ShopRedactRequested
)

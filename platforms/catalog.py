"""The shop's products as a merchant picks them (the funnel editor's product picker and
its offer preview): titles, variants, list prices and images, read from the platform.

Read live rather than from the webhook mirror (webhooks/models.PlatformProduct): the
mirror fills only as products change and holds no variant names or images.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.models import Platform

MAX_PRODUCTS = 250  # BigCommerce's largest page; Shopify's query cost allows fewer


@dataclass(frozen=True)
class CatalogVariant:
    id: str
    title: str  # "" for a product's only variant
    price: Decimal
    available: bool


@dataclass(frozen=True)
class CatalogProduct:
    id: str
    title: str
    image_url: str | None
    variants: tuple[CatalogVariant, ...]


@dataclass(frozen=True)
class Catalog:
    currency: str
    products: tuple[CatalogProduct, ...]

    def product(self, product_id: str) -> CatalogProduct | None:
        return next((p for p in self.products if p.id == product_id), None)


def read_catalog(platform: Platform, shop_id: int) -> Catalog:
    """The shop's first MAX_PRODUCTS products with their variants.

    :raises RetriableError: the platform did not answer.
    :raises FinalError: the platform refused (e.g. the shop is not installed).
    """
    if platform is Platform.SHOPIFY:
        from platforms.shopify.catalog import read_catalog as read_shopify

        return read_shopify(shop_id)
    from platforms.bigcommerce.catalog import read_catalog as read_bigcommerce

    return read_bigcommerce(shop_id)

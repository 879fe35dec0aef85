"""Which platform writes a shop's orders: checkout/ asks here and speaks only OrderWriter."""

from __future__ import annotations

from core.models import Platform
from platforms.bigcommerce.orders import BigCommerceOrders
from platforms.orders import OrderWriter
from platforms.shopify.orders import ShopifyOrders

_WRITERS: dict[Platform, OrderWriter] = {
    Platform.SHOPIFY: ShopifyOrders(),
    Platform.BIGCOMMERCE: BigCommerceOrders(),
}


def writer_for(platform: Platform) -> OrderWriter:
    """The writer for `platform` (stateless, safe to share between threads)."""
    return _WRITERS[platform]

"""Links from Cartpath's admin to an order in the platform's own admin.

Shopify's admin lives at admin.shopify.com/store/{store handle}/orders/{order id}, the
order's numeric (legacy) id, not its GraphQL gid
(https://shopify.dev/docs/apps/build/admin/admin-links); BigCommerce's control panel
shows an order at store-{store hash}.mybigcommerce.com/manage/orders/{order id}
(https://support.bigcommerce.com/s/article/Order-Management).
"""

from __future__ import annotations

from core.models import Platform
from core.services import services

_SHOPIFY_ORDER_GID = "gid://shopify/Order/"


def plain_order_id(platform_order_id: str) -> str:
    """The order id as the platform's webhooks and admin URLs write it (Shopify's gid
    'gid://shopify/Order/42' is order 42 there; BigCommerce ids are plain already)."""
    return platform_order_id.removeprefix(_SHOPIFY_ORDER_GID)


def order_admin_url(platform: Platform, shop_domain: str, platform_order_id: str) -> str:
    """Where staff see this order in the platform's own admin."""
    order_id = plain_order_id(platform_order_id)
    if platform is Platform.SHOPIFY:
        handle = shop_domain.removesuffix(".myshopify.com")
        base = services().config.shopify_admin_base.rstrip("/")
        return f"{base}/store/{handle}/orders/{order_id}"
    return f"https://store-{shop_domain}.mybigcommerce.com/manage/orders/{order_id}"
